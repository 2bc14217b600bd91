// ChronyClient against a scripted chronyd: a datagram socket on 127.0.0.1 or in a temp
// dir, answering as each test says. The real chronyd is in tests/integration/time_chrony.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/time/chrony_client.hpp"

using namespace gridgate;
using namespace gridgate::timesync;
using namespace std::chrono_literals;

namespace {

// What the scripted chronyd does with request number n (0-based): the datagrams it sends back.
using Script = std::function<std::vector<std::vector<std::byte>>(int n, std::span<const std::byte> request)>;

class ScriptedChronyd {
public:
    // UDP on 127.0.0.1 (port chosen by the kernel) or a Unix datagram socket at `path`.
    ScriptedChronyd(Script script, const std::filesystem::path& path = {}) : script_(std::move(script)) {
        if (path.empty()) {
            fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
            socklen_t len = sizeof(a);
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
            port_ = ntohs(a.sin_port);
        } else {
            fd_ = ::socket(AF_UNIX, SOCK_DGRAM, 0);
            sockaddr_un a{};
            a.sun_family = AF_UNIX;
            std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
            REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
        }
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedChronyd() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    std::uint16_t port() const { return port_; }
    int requests() const { return requests_.load(); }
    std::vector<std::uint16_t> attempts() const {
        std::lock_guard lock(mutex_);
        return attempts_;
    }

private:
    void serve() {
        std::vector<std::byte> buffer(2048);
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 10) <= 0) continue;
            sockaddr_storage from{};
            socklen_t from_len = sizeof(from);
            const ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), 0,
                                         reinterpret_cast<sockaddr*>(&from), &from_len);
            if (n <= 0) continue;
            const std::span<const std::byte> request(buffer.data(), static_cast<std::size_t>(n));
            {
                std::lock_guard lock(mutex_);
                attempts_.push_back(static_cast<std::uint16_t>(std::to_integer<unsigned>(request[6]) << 8 |
                                                               std::to_integer<unsigned>(request[7])));
            }
            for (const auto& reply : script_(requests_++, request))
                ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
        }
    }

    Script script_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    mutable std::mutex mutex_;
    std::vector<std::uint16_t> attempts_;
    std::thread thread_;
};

std::uint32_t sequence_of(std::span<const std::byte> request) {
    std::uint32_t s = 0;
    for (int i = 8; i < 12; ++i) s = s << 8 | std::to_integer<std::uint32_t>(request[static_cast<std::size_t>(i)]);
    return s;
}

ChronyTracking sample() {
    ChronyTracking t;
    t.ref_id = 0x7F000001;
    t.ref_ip = "127.0.0.1";
    t.stratum = 9;
    t.leap_status = chrony::leap_normal;
    t.ref_time_us = 1'795'254'721'324'777;
    t.root_delay_s = 0.5;
    return t;
}

std::vector<std::vector<std::byte>> answer(std::span<const std::byte> request) {
    return {encode_tracking_reply(sample(), sequence_of(request))};
}

}  // namespace

TEST_CASE("endpoints parse from configuration text", "[chrony][client]") {
    CHECK(ChronyEndpoint::parse("/run/chrony/chronyd.sock") == ChronyEndpoint::unix_socket());
    CHECK(ChronyEndpoint::parse("unix:/tmp/x.sock").socket_path == "/tmp/x.sock");
    CHECK(ChronyEndpoint::parse("127.0.0.1") == ChronyEndpoint::udp());
    CHECK(ChronyEndpoint::parse("udp:10.0.0.1:1323") == ChronyEndpoint::udp("10.0.0.1", 1323));
    CHECK(ChronyEndpoint::parse("[::1]:323") == ChronyEndpoint::udp("::1", 323));
    CHECK(ChronyEndpoint::parse("::1") == ChronyEndpoint::udp("::1", 323));
    CHECK(ChronyEndpoint::udp("::1").to_string() == "udp:[::1]:323");
    CHECK(ChronyEndpoint::unix_socket().to_string() == "unix:/run/chrony/chronyd.sock");
    CHECK_THROWS_AS(ChronyEndpoint::parse(""), std::invalid_argument);
    CHECK_THROWS_AS(ChronyEndpoint::parse("localhost:0"), std::invalid_argument);
    CHECK_THROWS_AS(ChronyEndpoint::parse("localhost:99999"), std::invalid_argument);
    CHECK_THROWS_AS(ChronyEndpoint::parse("[::1"), std::invalid_argument);
}

TEST_CASE("a TRACKING exchange over UDP", "[chrony][client]") {
    ScriptedChronyd chronyd([](int, auto request) {
        CHECK(request.size() == 104);  // padded, or chronyd would not answer
        return answer(request);
    });
    ChronyClient client(ChronyEndpoint::udp("127.0.0.1", chronyd.port()));
    CHECK(client.tracking(1s) == sample());
    CHECK(client.tracking(1s) == sample());  // a new sequence each time
    CHECK(chronyd.requests() == 2);
}

TEST_CASE("silence gets one resend with attempt 1, then no_answer", "[chrony][client]") {
    SECTION("answered on the resend") {
        ScriptedChronyd chronyd([](int n, auto request) {
            return n == 0 ? std::vector<std::vector<std::byte>>{} : answer(request);
        });
        ChronyClient client(ChronyEndpoint::udp("127.0.0.1", chronyd.port()));
        CHECK(client.tracking(100ms).stratum == 9);
        CHECK(chronyd.attempts() == std::vector<std::uint16_t>{0, 1});
    }
    SECTION("never answered") {
        ScriptedChronyd chronyd([](int, auto) { return std::vector<std::vector<std::byte>>{}; });
        ChronyClient client(ChronyEndpoint::udp("127.0.0.1", chronyd.port()));
        try {
            client.tracking(50ms);
            FAIL("no exception");
        } catch (const ChronyError& e) {
            CHECK(e.kind() == ChronyError::Kind::no_answer);
        }
        CHECK(chronyd.requests() == 2);
    }
}

TEST_CASE("stale and foreign replies are skipped, refusals and garbage are typed", "[chrony][client]") {
    SECTION("a late reply to another sequence first") {
        ScriptedChronyd chronyd([](int, auto request) {
            auto replies = answer(request);
            replies.insert(replies.begin(), encode_tracking_reply(sample(), sequence_of(request) - 1));
            return replies;
        });
        ChronyClient client(ChronyEndpoint::udp("127.0.0.1", chronyd.port()));
        CHECK(client.tracking(1s) == sample());
    }
    SECTION("an error status is a refusal") {
        ScriptedChronyd chronyd([](int, auto request) {
            auto reply = encode_tracking_reply(sample(), sequence_of(request));
            reply.resize(chrony::reply_header_size);
            reply[9] = std::byte{2};  // STT_UNAUTH
            return std::vector<std::vector<std::byte>>{reply};
        });
        ChronyClient client(ChronyEndpoint::udp("127.0.0.1", chronyd.port()));
        try {
            client.tracking(1s);
            FAIL("no exception");
        } catch (const ChronyError& e) {
            CHECK(e.kind() == ChronyError::Kind::refused);
            CHECK(std::string(e.what()).find("unauthorised") != std::string::npos);
        }
    }
    SECTION("a truncated reply is malformed") {
        ScriptedChronyd chronyd([](int, auto request) {
            auto reply = encode_tracking_reply(sample(), sequence_of(request));
            reply.resize(60);
            return std::vector<std::vector<std::byte>>{reply};
        });
        ChronyClient client(ChronyEndpoint::udp("127.0.0.1", chronyd.port()));
        try {
            client.tracking(1s);
            FAIL("no exception");
        } catch (const ChronyError& e) {
            CHECK(e.kind() == ChronyError::Kind::malformed);
        }
    }
}

TEST_CASE("nobody on the port is no_answer at once", "[chrony][client]") {
    std::uint16_t port = 0;
    {
        ScriptedChronyd gone([](int, auto) { return std::vector<std::vector<std::byte>>{}; });
        port = gone.port();
    }
    ChronyClient client(ChronyEndpoint::udp("127.0.0.1", port));
    try {
        client.tracking(5s);  // ICMP port unreachable ends it long before 2 x 5 s
        FAIL("no exception");
    } catch (const ChronyError& e) {
        CHECK(e.kind() == ChronyError::Kind::no_answer);
    }
}

TEST_CASE("over a Unix socket the reply path is private and removed", "[chrony][client]") {
    gridgate::testing::TempDir dir("gg-chrony-client");
    const auto replies = dir.file("replies");
    std::filesystem::create_directory(replies);
    std::string reply_path;
    ScriptedChronyd chronyd(
        [&](int, auto request) { return answer(request); }, dir.file("chronyd.sock"));

    auto endpoint = ChronyEndpoint::unix_socket(dir.file("chronyd.sock").string());
    endpoint.reply_dir = replies.string();
    ChronyClient client(endpoint);
    CHECK(client.tracking(1s) == sample());
    CHECK(std::filesystem::is_empty(replies));  // the per-query directory is gone

    SECTION("no socket at the path: no_answer") {
        ChronyClient missing(ChronyEndpoint::unix_socket(dir.file("nothing.sock").string()));
        try {
            missing.tracking(1s);
            FAIL("no exception");
        } catch (const ChronyError& e) {
            CHECK(e.kind() == ChronyError::Kind::no_answer);
        }
    }
}

TEST_CASE("a query in flight ends when its stop token fires", "[chrony][client]") {
    ScriptedChronyd chronyd([](int, auto) { return std::vector<std::vector<std::byte>>{}; });
    ChronyClient client(ChronyEndpoint::udp("127.0.0.1", chronyd.port()));
    std::stop_source stop;
    std::thread canceller([&] {
        std::this_thread::sleep_for(50ms);
        stop.request_stop();
    });
    try {
        client.tracking(30s, stop.get_token());
        FAIL("no exception");
    } catch (const ChronyError& e) {
        CHECK(e.kind() == ChronyError::Kind::cancelled);
    }
    canceller.join();
}
