// Scenario: the forwarder talks to a broker over TLS, verifying the broker against the
// configured CA and presenting a client certificate; the wrong CA means no connection.
#include <catch2/catch.hpp>

#include "forwarder_test_helpers.hpp"
#include "gridgate/testing/memory_outbox.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/test_pki.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace gg_northbound_test;
using gridgate::northbound::MqttForwarder;

namespace {

const std::string readings_topic = "gridgate/gw-tls/readings";

// A broker with a TLS listener that demands a client certificate from the site CA; the
// plain listener stays on loopback for the test's own subscriber.
struct TlsSite {
    TempDir dir{"gg-nb-tls"};
    TestPki pki = make_test_pki(dir.path(), "site");
    Mosquitto broker{dir.path(), MosquittoOptions{false, MosquittoTls{pki.ca_cert, pki.server_cert, pki.server_key, true}, {}}};

    northbound::MqttOptions options() const {
        auto options = test_options(broker.tls_port(), "gw-tls");
        options.tls.enabled = true;
        options.tls.ca_file = pki.ca_cert.string();
        options.tls.cert_file = pki.client_cert.string();
        options.tls.key_file = pki.client_key.string();
        options.tls.verify_server = true;
        return options;
    }
};

}  // namespace

TEST_CASE("readings arrive over TLS with server verification and a client certificate") {
    TlsSite site;
    MqttCapture capture(site.dir.path(), site.broker.port(), {readings_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(250));
    SystemClock clock;
    MqttForwarder forwarder(site.options(), outbox, clock, null_logger());
    forwarder.start();
    if (!wait_until([&] { return forwarder.stats().cursor == 250; }, long_wait))
        FAIL("no delivery over TLS; last error: " << forwarder.stats().last_error << "\nbroker log:\n"
                                                  << site.broker.log_text());
    REQUIRE(capture.wait_for([](const auto& m) { return has_all_seqs(delivered_seqs(m, readings_topic), 1, 250); }));
    CHECK(forwarder.stats().connected);
    CHECK(forwarder.stats().connects == 1);
}

TEST_CASE("a broker certificate from another CA is refused") {
    TlsSite site;
    const TestPki rogue = make_test_pki(site.dir.path(), "rogue");
    MemoryOutbox outbox;
    outbox.append(make_readings(10));
    SystemClock clock;
    auto options = site.options();
    options.tls.ca_file = rogue.ca_cert.string();  // trusts a CA that did not sign the broker
    MqttForwarder forwarder(options, outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return !forwarder.stats().last_error.empty(); }, long_wait));
    const auto stats = forwarder.stats();
    INFO("last_error: " << stats.last_error);
    CHECK_FALSE(stats.connected);
    CHECK(stats.connects == 0);
    CHECK(stats.batches_published == 0);
    CHECK(outbox.cursor("mqtt") == 0);
    CHECK(stats.last_error.find("connect to ssl://127.0.0.1:") != std::string::npos);
    CHECK(stats.last_error.find("TLS handshake") != std::string::npos);
    forwarder.stop();
}

TEST_CASE("a broker that requires a client certificate refuses a forwarder without one") {
    TlsSite site;
    MemoryOutbox outbox;
    outbox.append(make_readings(10));
    SystemClock clock;
    auto options = site.options();
    options.tls.cert_file.clear();
    options.tls.key_file.clear();
    MqttForwarder forwarder(options, outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return !forwarder.stats().last_error.empty(); }, long_wait));
    INFO("last_error: " << forwarder.stats().last_error);
    CHECK(forwarder.stats().connects == 0);
    CHECK(outbox.cursor("mqtt") == 0);
    forwarder.stop();
}
