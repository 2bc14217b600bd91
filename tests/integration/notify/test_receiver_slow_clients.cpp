// Slow, idle and silent connections: each is cut by its own timer and never holds up
// another meter, and stop() does not wait for them.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "gridgate/testing/wait.hpp"
#include "receiver_fixture.hpp"
#include "tls_test_client.hpp"

using namespace gridgate::notify;
using namespace gridgate::notify::testing;
using gridgate::testing::wait_until;
using namespace std::chrono_literals;

namespace {
const std::vector<std::string> json_post{"-H", "Content-Type: application/json", "--data-binary", R"({"EventType":"RE"})"};

std::string request(std::string_view body, std::string_view extra_headers = "") {
    return "POST /alarms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + std::string(extra_headers) + "\r\n" + std::string(body);
}
}  // namespace

TEST_CASE("receiver: a client trickling its body is cut by request_timeout while another posts", "[notify][receiver][slow]") {
    auto options = ReceiverFixture::default_options();
    options.request_timeout = 1500ms;
    ReceiverFixture f(options);

    TlsTestClient slow(f.receiver->port(), f.pki.ca_cert);
    const std::string body = R"({"EventType":"OU","pad":")" + std::string(200, 'p') + "\"}";
    REQUIRE(slow.write(request(body).substr(0, 120)));  // the head and a little of the body
    std::atomic<bool> cut{false};
    std::thread trickle([&] {
        // One octet every 100 ms: it would need over 20 s for the rest.
        for (std::size_t i = 120; i < request(body).size(); ++i) {
            if (!slow.write(request(body).substr(i, 1))) {
                cut = true;
                return;
            }
            std::this_thread::sleep_for(100ms);
        }
    });

    // Meanwhile another meter posts, and is served at once.
    const auto other = f.curl(json_post);
    CHECK(other.http_status == 200);
    CHECK(f.handler.count() == 1);
    CHECK(f.receiver->stats().timeouts == 0);

    CHECK(wait_until([&] { return f.receiver->stats().timeouts == 1; }, 10s));
    trickle.join();
    CHECK(cut);
    CHECK(f.handler.count() == 1);
    CHECK(f.logger.count("request not complete within the request timeout (reading the request)") == 1);
}

TEST_CASE("receiver: a connection that never starts TLS is cut and counted", "[notify][receiver][slow]") {
    auto options = ReceiverFixture::default_options();
    options.request_timeout = 500ms;
    ReceiverFixture f(options);
    TlsTestClient silent(f.receiver->port(), f.pki.ca_cert, false);
    CHECK(silent.closed_by_peer(10s));
    CHECK(f.receiver->stats().timeouts == 1);
    CHECK(f.logger.count("(TLS handshake)") == 1);
    CHECK(f.curl(json_post).http_status == 200);
}

TEST_CASE("receiver: keep-alive serves several requests, then the idle timeout closes quietly", "[notify][receiver][slow]") {
    auto options = ReceiverFixture::default_options();
    options.idle_timeout = 300ms;
    ReceiverFixture f(options);
    TlsTestClient client(f.receiver->port(), f.pki.ca_cert);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(client.write(request(R"({"EventType":"OU"})")));
        const auto response = client.read_response(5s);
        REQUIRE(response);
        CHECK(status_of(*response) == 200);
    }
    // A refused request with a complete body keeps the connection too.
    REQUIRE(client.write(request("{broken")));
    const auto refused = client.read_response(5s);
    REQUIRE(refused);
    CHECK(status_of(*refused) == 400);

    CHECK(client.closed_by_peer(5s));
    const auto s = f.receiver->stats();
    CHECK(s.connections == 1);
    CHECK(s.requests == 4);
    CHECK(s.accepted == 3);
    CHECK(s.timeouts == 0);  // idle is not slow
}

TEST_CASE("receiver: Expect: 100-continue gets 100 only after the head was accepted", "[notify][receiver][slow]") {
    ReceiverFixture f(ReceiverFixture::default_options());
    const std::string body = R"({"EventType":"SS"})";
    TlsTestClient client(f.receiver->port(), f.pki.ca_cert);
    const auto full = request(body, "Expect: 100-continue\r\n");
    REQUIRE(client.write(full.substr(0, full.size() - body.size())));  // the head alone
    const auto interim = client.read_response(5s);
    REQUIRE(interim);
    CHECK(status_of(*interim) == 100);
    REQUIRE(client.write(body));
    const auto final_reply = client.read_response(5s);
    REQUIRE(final_reply);
    CHECK(status_of(*final_reply) == 200);

    TlsTestClient wrong(f.receiver->port(), f.pki.ca_cert);
    REQUIRE(wrong.write("POST /alarms HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n"));
    const auto direct = wrong.read_response(5s);
    REQUIRE(direct);
    CHECK(status_of(*direct) == 415);
    CHECK(wrong.closed_by_peer(5s));  // the unread body cannot be skipped safely
}

TEST_CASE("receiver: stop() with a slow client connected returns promptly", "[notify][receiver][slow]") {
    auto options = ReceiverFixture::default_options();
    options.request_timeout = 60s;
    ReceiverFixture f(options);
    TlsTestClient slow(f.receiver->port(), f.pki.ca_cert);
    REQUIRE(slow.write(request(R"({"EventType":"OU"})").substr(0, 90)));
    TlsTestClient silent(f.receiver->port(), f.pki.ca_cert, false);
    REQUIRE(wait_until([&] { return f.receiver->stats().connections == 2; }, 5s));

    const auto before = std::chrono::steady_clock::now();
    f.receiver->stop();
    CHECK(std::chrono::steady_clock::now() - before < 5s);  // not the 60 s request timeout
    CHECK(slow.closed_by_peer(5s));
    CHECK(silent.closed_by_peer(5s));
    f.receiver->stop();  // twice is harmless
}

TEST_CASE("receiver: connections over max_connections are closed at once", "[notify][receiver][slow]") {
    auto options = ReceiverFixture::default_options();
    options.max_connections = 1;
    ReceiverFixture f(options);
    TlsTestClient first(f.receiver->port(), f.pki.ca_cert);
    TlsTestClient second(f.receiver->port(), f.pki.ca_cert, false);
    CHECK(second.closed_by_peer(5s));
    CHECK(f.receiver->stats().refused_connections == 1);
    REQUIRE(first.write(request(R"({"EventType":"OU"})")));
    const auto response = first.read_response(5s);
    REQUIRE(response);
    CHECK(status_of(*response) == 200);
}
