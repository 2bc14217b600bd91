// Checks the translation of MqttOptions into Paho's connect settings (src/paho_options).
#include <catch2/catch.hpp>

#include "paho_options.hpp"

using gridgate::northbound::MqttOptions;
using gridgate::northbound::make_connect_options;
using gridgate::northbound::server_uri;

TEST_CASE("plain connection: tcp URI, MQTT 3.1.1, clean session, no Paho reconnect, retained QoS 1 will") {
    MqttOptions options;
    options.host = "10.0.0.5";
    options.port = 1884;
    options.keepalive = std::chrono::seconds(45);
    CHECK(server_uri(options) == "tcp://10.0.0.5:1884");

    const auto connect = make_connect_options(options, "gridgate/gw/status", R"({"state":"offline"})");
    CHECK(connect.get_mqtt_version() == MQTTVERSION_3_1_1);
    CHECK(connect.is_clean_session());
    CHECK_FALSE(connect.get_automatic_reconnect());
    CHECK(connect.get_keep_alive_interval() == std::chrono::seconds(45));
    const auto& will = connect.get_will_options();
    CHECK(will.get_topic() == "gridgate/gw/status");
    CHECK(will.get_payload_str() == R"({"state":"offline"})");
    CHECK(will.get_qos() == 1);
    CHECK(will.is_retained());
    CHECK(connect.get_user_name().empty());
    CHECK(connect.get_max_inflight() >= static_cast<int>(options.inflight_batches));
}

TEST_CASE("TLS: ssl URI, trust store, client certificate and server verification") {
    MqttOptions options;
    options.host = "broker.example";
    options.port = 8883;
    options.username = "gw";
    options.password = "secret";
    options.tls.enabled = true;
    options.tls.ca_file = "/etc/gridgate/ca.pem";
    options.tls.cert_file = "/etc/gridgate/client.pem";
    options.tls.key_file = "/etc/gridgate/client.key";
    CHECK(server_uri(options) == "ssl://broker.example:8883");

    const auto connect = make_connect_options(options, "t", "w");
    CHECK(connect.get_user_name() == "gw");
    CHECK(connect.get_password_str() == "secret");
    const auto& ssl = connect.get_ssl_options();
    CHECK(ssl.get_trust_store() == "/etc/gridgate/ca.pem");
    CHECK(ssl.get_key_store() == "/etc/gridgate/client.pem");
    CHECK(ssl.get_private_key() == "/etc/gridgate/client.key");
    CHECK(ssl.get_enable_server_cert_auth());
    CHECK(ssl.get_verify());

    options.tls.verify_server = false;
    const auto lax = make_connect_options(options, "t", "w");
    CHECK_FALSE(lax.get_ssl_options().get_enable_server_cert_auth());
    CHECK_FALSE(lax.get_ssl_options().get_verify());
}

TEST_CASE("IPv6 literals are bracketed in the URI") {
    MqttOptions options;
    options.host = "::1";
    CHECK(server_uri(options) == "tcp://[::1]:1883");
}

TEST_CASE("connect refusals are named") {
    CHECK(gridgate::northbound::describe_mqtt_error(5) == "refused: not authorized");
    CHECK(gridgate::northbound::describe_mqtt_error(4) == "refused: bad user name or password");
    CHECK(gridgate::northbound::describe_mqtt_error(-1).rfind("MQTT error -1", 0) == 0);

    MqttOptions options;
    CHECK(gridgate::northbound::describe_connect_failure(-1, options).find("broker unreachable") != std::string::npos);
    options.tls.enabled = true;
    CHECK(gridgate::northbound::describe_connect_failure(-1, options).find("TLS handshake") != std::string::npos);
    CHECK(gridgate::northbound::describe_connect_failure(5, options) == "refused: not authorized");
}
