#include "paho_options.hpp"

#include <mqtt/exception.h>
#include <mqtt/ssl_options.h>
#include <mqtt/will_options.h>

#include <algorithm>
#include <chrono>

namespace gridgate::northbound {

std::string server_uri(const MqttOptions& options) {
    const bool bracket = options.host.find(':') != std::string::npos;  // IPv6 literal
    std::string uri = options.tls.enabled ? "ssl://" : "tcp://";
    uri += bracket ? "[" + options.host + "]" : options.host;
    uri += ":" + std::to_string(options.port);
    return uri;
}

mqtt::connect_options make_connect_options(const MqttOptions& options, const std::string& will_topic,
                                           const std::string& will_payload) {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    mqtt::connect_options connect;
    connect.set_mqtt_version(MQTTVERSION_3_1_1);
    connect.set_clean_session(true);
    connect.set_automatic_reconnect(false);
    connect.set_keep_alive_interval(duration_cast<seconds>(options.keepalive));
    connect.set_connect_timeout(std::max(seconds(1), duration_cast<seconds>(options.connect_timeout)));
    // Room for the whole batch window plus the status messages published beside it.
    connect.set_max_inflight(static_cast<int>(std::min<std::size_t>(options.inflight_batches + 4, 65535)));
    connect.set_will(mqtt::will_options(will_topic, will_payload, 1, true));
    if (!options.username.empty()) connect.set_user_name(options.username);
    if (!options.password.empty()) connect.set_password(options.password);

    if (options.tls.enabled) {
        mqtt::ssl_options ssl;
        ssl.set_trust_store(options.tls.ca_file);
        if (!options.tls.cert_file.empty()) ssl.set_key_store(options.tls.cert_file);
        if (!options.tls.key_file.empty()) ssl.set_private_key(options.tls.key_file);
        ssl.set_enable_server_cert_auth(options.tls.verify_server);
        ssl.set_verify(options.tls.verify_server);  // host name / IP against the certificate
        connect.set_ssl(std::move(ssl));
    }
    return connect;
}

std::string describe_mqtt_error(int rc) {
    switch (rc) {
        case 1: return "refused: unacceptable protocol version";
        case 2: return "refused: client identifier rejected";
        case 3: return "refused: server unavailable";
        case 4: return "refused: bad user name or password";
        case 5: return "refused: not authorized";
        default: break;
    }
    const std::string text = mqtt::exception::error_str(rc);
    return "MQTT error " + std::to_string(rc) + (text.empty() ? "" : " (" + text + ")");
}

std::string describe_connect_failure(int rc, const MqttOptions& options) {
    std::string text = describe_mqtt_error(rc);
    if (rc == MQTTASYNC_FAILURE)
        text += options.tls.enabled ? "; broker unreachable or TLS handshake refused (check the address, that the "
                                      "broker certificate is signed by ca_file and names the host, and the client "
                                      "certificate if the broker requires one)"
                                    : "; broker unreachable";
    return text;
}

}  // namespace gridgate::northbound
