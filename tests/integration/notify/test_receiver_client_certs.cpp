// Client certificates, as the meter's "Request Certificate" Enable / Mandatory settings use them.
#include <catch2/catch.hpp>

#include "gridgate/testing/test_pki.hpp"
#include "gridgate/testing/wait.hpp"
#include "receiver_fixture.hpp"
#include "tls_test_client.hpp"

using namespace gridgate::notify;
using namespace gridgate::notify::testing;
using namespace std::chrono_literals;

namespace {
const std::vector<std::string> json_post{"-H", "Content-Type: application/json", "--data-binary", R"({"EventType":"BAT"})"};

std::vector<std::string> with_cert(const gridgate::testing::TestPki& pki) {
    auto args = json_post;
    args.insert(args.end(), {"--cert", pki.client_cert.string(), "--key", pki.client_key.string()});
    return args;
}

// The client CA is the fixture's own CA; the options need its path before the fixture
// exists, so the fixture is built, then a second receiver with the CA set.
struct CertFixture {
    explicit CertFixture(bool required) : base(ReceiverFixture::default_options()) {
        base.receiver.reset();
        base.options.client_ca_file = base.pki.ca_cert.string();
        base.options.require_client_cert = required;
        base.receiver.emplace(base.options, base.handler, base.logger);
        base.receiver->start();
    }
    ReceiverFixture base;
};
}  // namespace

TEST_CASE("receiver: a mandatory client certificate", "[notify][receiver][tls]") {
    CertFixture c(true);
    auto& f = c.base;

    const auto without = f.curl(json_post);
    CHECK(without.exit_code != 0);
    CHECK(without.http_status == 0);
    CHECK(gridgate::testing::wait_until([&] { return f.receiver->stats().tls_failures == 1; }, 5s));

    const auto other_ca = gridgate::testing::make_test_pki(f.dir.path(), "rogue");
    const auto rogue = f.curl(with_cert(other_ca));
    CHECK(rogue.exit_code != 0);
    CHECK(rogue.http_status == 0);
    CHECK(gridgate::testing::wait_until([&] { return f.receiver->stats().tls_failures == 2; }, 5s));
    CHECK(f.handler.count() == 0);
    CHECK(f.logger.count("TLS handshake with 127.0.0.1:") == 2);

    const auto with = f.curl(with_cert(f.pki));
    CHECK(with.exit_code == 0);
    CHECK(with.http_status == 200);
    REQUIRE(f.handler.count() == 1);
    CHECK(f.handler.deliveries().front().client_subject == "CN=test-client");
}

TEST_CASE("receiver: an optional client certificate", "[notify][receiver][tls]") {
    CertFixture c(false);
    auto& f = c.base;
    CHECK(f.curl(json_post).http_status == 200);
    CHECK(f.curl(with_cert(f.pki)).http_status == 200);
    REQUIRE(f.handler.count() == 2);
    CHECK(f.handler.deliveries()[0].client_subject.empty());
    CHECK(f.handler.deliveries()[1].client_subject == "CN=test-client");
    // One that does not verify is refused even when optional.
    const auto rogue = f.curl(with_cert(gridgate::testing::make_test_pki(f.dir.path(), "rogue")));
    CHECK(rogue.http_status == 0);
    CHECK(f.handler.count() == 2);
}

TEST_CASE("receiver: TLS 1.1 and plain HTTP are refused", "[notify][receiver][tls]") {
    ReceiverFixture f(ReceiverFixture::default_options());
    const auto old = f.curl({"--tlsv1.1", "--tls-max", "1.1", "-H", "Content-Type: application/json", "--data-binary", "{}"});
    CHECK(old.http_status == 0);
    CHECK(old.exit_code != 0);
    CHECK(f.handler.count() == 0);
    CHECK(gridgate::testing::wait_until([&] { return f.receiver->stats().tls_failures == 1; }, 5s));

    TlsTestClient plain(f.receiver->port(), f.pki.ca_cert, false);
    REQUIRE(plain.write("POST /alarms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));
    CHECK(plain.closed_by_peer(5s));
    CHECK(gridgate::testing::wait_until([&] { return f.receiver->stats().tls_failures == 2; }, 5s));
    CHECK(f.receiver->stats().requests == 0);
}

TEST_CASE("receiver: unusable options are refused at construction", "[notify][receiver][tls]") {
    ReceiverFixture f(ReceiverFixture::default_options());
    auto o = f.options;
    o.require_client_cert = true;
    CHECK_THROWS_AS(HttpsAlarmReceiver(o, f.handler, f.logger), std::invalid_argument);
    o = f.options;
    o.cert_file.clear();
    CHECK_THROWS_AS(HttpsAlarmReceiver(o, f.handler, f.logger), std::invalid_argument);
    o = f.options;
    o.key_file = f.pki.client_key.string();  // not the certificate's key
    CHECK_THROWS_AS(HttpsAlarmReceiver(o, f.handler, f.logger), std::runtime_error);
    o = f.options;
    o.cert_file = (f.dir.path() / "missing.pem").string();
    CHECK_THROWS_AS(HttpsAlarmReceiver(o, f.handler, f.logger), std::runtime_error);
    o = f.options;
    o.port = f.receiver->port();  // taken
    HttpsAlarmReceiver second(o, f.handler, f.logger);
    CHECK_THROWS_AS(second.start(), std::runtime_error);
}
