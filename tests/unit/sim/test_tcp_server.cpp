// The Modbus TCP front, in process: a real server on a loopback port 0, its io_context
// on a thread, and plain blocking POSIX clients. Every wait is bounded (poll with a
// generous limit) so a bug fails the test instead of hanging it; nothing asserts on time.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/post.hpp>

#include "gridgate/sim/meter_tcp_server.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using sim_test::hex;

namespace {

constexpr int wait_limit_ms = 5000;

class TestClient {
public:
    explicit TestClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~TestClient() { ::close(fd_); }
    TestClient(const TestClient&) = delete;
    TestClient& operator=(const TestClient&) = delete;

    void send(const std::vector<std::byte>& bytes) {
        REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
    }

    // Exactly n bytes, or nullopt if the connection closed or nothing came in time.
    std::optional<std::vector<std::byte>> receive(std::size_t n) {
        std::vector<std::byte> out(n);
        std::size_t got = 0;
        while (got < n) {
            if (!readable()) return std::nullopt;
            const ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
            if (r <= 0) return std::nullopt;
            got += static_cast<std::size_t>(r);
        }
        return out;
    }

    // One Modbus TCP response: header, then as many bytes as its length field says.
    std::string receive_frame() {
        const auto header = receive(7);
        if (!header) return "<closed>";
        const std::size_t length = (std::to_integer<std::size_t>((*header)[4]) << 8) | std::to_integer<std::size_t>((*header)[5]);
        const auto body = receive(length - 1);
        if (!body) return "<closed>";
        std::vector<std::byte> frame = *header;
        frame.insert(frame.end(), body->begin(), body->end());
        return hex(frame);
    }

    // True once the server has closed the connection.
    bool closed_by_server() {
        std::byte b{};
        return readable() && ::recv(fd_, &b, 1, 0) <= 0;
    }

private:
    bool readable() {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, wait_limit_ms) == 1;
    }

    int fd_;
};

class RecordingLog final : public ServedLog {
public:
    void record(std::string_view meter, std::uint8_t unit, const ServedRead& read) override {
        lines.push_back(std::string(meter) + " unit " + std::to_string(unit) + " fc " + std::to_string(read.function) +
                        " addr " + std::to_string(read.address) + " count " + std::to_string(read.count));
    }
    std::vector<std::string> lines;
};

// Meters on loopback port 0 with the io_context on its own thread. Stats and the log
// are read only after stop(), when the io thread is gone.
class RunningServers {
public:
    explicit RunningServers(std::size_t meters = 1) {
        for (std::size_t i = 0; i < meters; ++i)
            fleet.add(std::make_unique<SimulatedMeter>("jem" + std::to_string(i + 1), 1,
                                                       MeterModel(MapLayout{}, i, std::chrono::steady_clock::now()),
                                                       HandlerOptions{}, i));
    }
    void start() {
        const boost::asio::ip::tcp::endpoint loopback(boost::asio::ip::address_v4::loopback(), 0);
        for (std::size_t i = 0; i < fleet.size(); ++i)
            servers.push_back(std::make_unique<MeterTcpServer>(io, fleet[i], loopback, TcpServerOptions{}, &log, logger));
        thread = std::thread([this] { io.run(); });
    }
    void stop() {
        if (!thread.joinable()) return;
        io.stop();
        thread.join();
    }
    ~RunningServers() { stop(); }

    std::uint16_t port(std::size_t i = 0) const { return servers[i]->port(); }

    // Runs `f` on the io thread and returns its result: the way to look at server state
    // while it runs.
    template <typename F>
    auto on_io(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        boost::asio::post(io, [&task] { task(); });
        return result.get();
    }

    // Waits (bounded) until `condition` holds on the io thread.
    template <typename F>
    bool eventually(F condition) {
        for (int i = 0; i < wait_limit_ms; ++i) {
            if (on_io(condition)) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return false;
    }

    gridgate::Logger logger{gridgate::LogLevel::off};
    MeterFleet fleet;
    RecordingLog log;
    boost::asio::io_context io;
    std::vector<std::unique_ptr<MeterTcpServer>> servers;
    std::thread thread;
};

// MBAP + FC03 read of counters 0..1, transaction id `tid`, unit `unit`.
std::vector<std::byte> read_request(std::uint8_t tid, std::uint8_t unit = 1, std::uint16_t count = 2) {
    std::vector<std::byte> adu = sim_test::hex("00 00 00 00 00 06 00");
    adu[1] = std::byte{tid};
    adu[6] = std::byte{unit};
    const auto pdu = sim_test::pdu(0x03, 0, count);
    adu.insert(adu.end(), pdu.begin(), pdu.end());
    return adu;
}

std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> parts) {
    std::vector<std::byte> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace

TEST_CASE("tcp: pipelined requests are answered in order and other unit ids ignored", "[sim][tcp]") {
    RunningServers s;
    s.start();
    TestClient client(s.port());
    client.send(concat({read_request(1), read_request(2, 9), read_request(3, 255), sim_test::hex("00 04 00 00 00 06 01 03 00 01 00 02")}));
    CHECK(client.receive_frame().starts_with("00 01 00 00 00 07 01 03 04"));
    CHECK(client.receive_frame().starts_with("00 03 00 00 00 07 ff 03 04"));
    CHECK(client.receive_frame() == "00 04 00 00 00 03 01 83 02");
    s.stop();
    CHECK(s.fleet[0].stats().requests == 4);
    CHECK(s.fleet[0].stats().ignored_unit == 1);
    CHECK(s.log.lines == std::vector<std::string>{"jem1 unit 1 fc 3 addr 0 count 2", "jem1 unit 255 fc 3 addr 0 count 2"});
}

TEST_CASE("tcp: a frame split across segments is reassembled", "[sim][tcp]") {
    RunningServers s;
    s.start();
    TestClient client(s.port());
    const auto request = read_request(7, 1, 10);
    client.send({request.begin(), request.begin() + 3});
    client.send({request.begin() + 3, request.begin() + 8});
    client.send({request.begin() + 8, request.end()});
    CHECK(client.receive_frame().starts_with("00 07 00 00 00 17 01 03 14"));
}

TEST_CASE("tcp: at most two concurrent connections and a third is accepted and closed", "[sim][tcp]") {
    RunningServers s;
    s.start();
    TestClient first(s.port()), second(s.port());
    // A reply proves the server has taken each connection.
    first.send(read_request(1));
    CHECK(first.receive_frame().starts_with("00 01"));
    second.send(read_request(2));
    CHECK(second.receive_frame().starts_with("00 02"));

    TestClient third(s.port());
    CHECK(third.closed_by_server());
    // The first two are unaffected.
    first.send(read_request(3));
    CHECK(first.receive_frame().starts_with("00 03"));
    s.stop();
    CHECK(s.fleet[0].stats().connections == 2);
    CHECK(s.fleet[0].stats().rejected_connections == 1);
}

TEST_CASE("tcp: a bad MBAP header closes the connection after earlier replies", "[sim][tcp]") {
    RunningServers s;
    s.start();
    TestClient client(s.port());
    client.send(concat({read_request(1), sim_test::hex("00 02 00 07 00 06 01 03 00 00 00 02")}));  // protocol id 7
    CHECK(client.receive_frame().starts_with("00 01"));
    CHECK(client.closed_by_server());

    TestClient other(s.port());
    other.send(sim_test::hex("00 01 00 00 00 01 01"));  // length 1: no function code
    CHECK(other.closed_by_server());
    s.stop();
    CHECK(s.fleet[0].stats().bad_frames == 2);
}

TEST_CASE("tcp: a slow meter does not hold up its neighbours", "[sim][tcp]") {
    RunningServers s(2);
    s.fleet[0].set_fault({FaultKind::slow, std::chrono::hours(1)});
    s.start();
    TestClient slow(s.port(0)), fast(s.port(1));
    slow.send(read_request(1));
    fast.send(read_request(2));
    CHECK(fast.receive_frame().starts_with("00 02"));
    s.stop();
    CHECK(s.fleet[0].stats().requests == 1);
    CHECK(s.log.lines.size() == 1);  // only the fast meter's reply was sent
}

TEST_CASE("tcp: a client that abandons a slow reply frees its connection slot", "[sim][tcp]") {
    RunningServers s;
    s.fleet[0].set_fault({FaultKind::slow, std::chrono::hours(1)});
    s.start();
    auto& server = *s.servers[0];
    auto& meter = s.fleet[0];
    {
        TestClient first(s.port()), second(s.port());
        first.send(read_request(1));
        second.send(read_request(2));
        // Both connections taken, both requests held behind their slow replies.
        REQUIRE(s.eventually([&] { return meter.stats().requests == 2; }));
    }  // both clients give up
    CHECK(s.eventually([&] { return server.active_connections() == 0; }));

    s.on_io([&] {
        meter.set_fault({});
        return 0;
    });
    TestClient third(s.port()), fourth(s.port());
    third.send(read_request(3));
    fourth.send(read_request(4));
    CHECK(third.receive_frame().starts_with("00 03"));
    CHECK(fourth.receive_frame().starts_with("00 04"));
    s.stop();
    CHECK(meter.stats().rejected_connections == 0);
    CHECK(s.log.lines.size() == 2);  // the abandoned slow replies were never sent
}
