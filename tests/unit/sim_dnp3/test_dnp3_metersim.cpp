// Smoke test of the metersim binary as a DNP3 outstation over TCP: a class 0 read, the
// connection limit, a scheduled freeze in the served log, its events read, confirmed and
// counted in `dnp3 stats`. Plain blocking POSIX sockets with bounded waits.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dnp3_harness.hpp"
#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace dnp3_test;
using namespace std::chrono_literals;
namespace t = gridgate::testing;

namespace {

constexpr int wait_limit_ms = 5000;

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    static std::unique_ptr<Socket> tcp(std::uint16_t port) {
        auto s = std::make_unique<Socket>(::socket(AF_INET, SOCK_STREAM, 0));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(s->fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
        return s;
    }
    static std::unique_ptr<Socket> unix_stream(const std::string& path) {
        auto s = std::make_unique<Socket>(::socket(AF_UNIX, SOCK_STREAM, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        REQUIRE(path.size() < sizeof addr.sun_path);
        std::copy(path.begin(), path.end(), addr.sun_path);
        REQUIRE(::connect(s->fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
        return s;
    }

    // A tty (the pty end a master opens), used with read/write like a socket.
    static std::unique_ptr<Socket> tty(const std::string& path) {
        auto s = std::make_unique<Socket>(::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
        REQUIRE(s->fd_ >= 0);
        return s;
    }

    void send(const std::vector<std::uint8_t>& bytes) {
        REQUIRE(::write(fd_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    }
    // Some bytes, or empty once the peer closed or nothing came within `limit_ms`.
    std::vector<std::uint8_t> receive(int limit_ms = wait_limit_ms) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, limit_ms) != 1) return {};
        std::vector<std::uint8_t> out(4096);
        const ssize_t n = ::read(fd_, out.data(), out.size());
        out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return out;
    }
    bool closed_by_peer() {
        pollfd p{fd_, POLLIN, 0};
        std::uint8_t b = 0;
        return ::poll(&p, 1, wait_limit_ms) == 1 && ::recv(fd_, &b, 1, 0) <= 0;
    }

private:
    int fd_;
};

// A master on one TCP connection or serial line: requests out, whole response
// fragments back.
class TcpMaster {
public:
    explicit TcpMaster(std::uint16_t port) : socket_(Socket::tcp(port)) {}
    explicit TcpMaster(std::unique_ptr<Socket> line) : socket_(std::move(line)) {}

    void send(const std::vector<std::uint8_t>& fragment, std::uint16_t destination = 1) {
        for (const auto& segment : d::segment_fragment(fragment, tx_seq_)) {
            const auto h =
                d::primary_header(d::PrimaryFunction::unconfirmed_user_data, destination, master_address, true);
            socket_->send(d::encode_link_frame(h, segment));
        }
    }
    const std::vector<d::LinkFrame>& frames() const { return frames_; }
    std::optional<d::Response> response() {
        while (true) {
            for (; next_ < frames_.size(); ++next_) {
                if (reassembler_.push(frames_[next_].user_data) != d::Reassembler::Result::complete) continue;
                ++next_;
                auto parsed = d::parse_response(reassembler_.take());
                REQUIRE(std::holds_alternative<d::Response>(parsed));
                return std::get<d::Response>(parsed);
            }
            const auto bytes = socket_->receive();
            if (bytes.empty()) return std::nullopt;
            parser_.feed(bytes, frames_);
        }
    }
    d::Response request(const std::vector<std::uint8_t>& fragment) {
        send(fragment);
        auto r = response();
        REQUIRE(r);
        return *r;
    }
    d::AppControl control() {
        return d::AppControl{true, true, false, false, static_cast<std::uint8_t>(seq_++ & 0x0F)};
    }

private:
    std::unique_ptr<Socket> socket_;
    std::uint8_t tx_seq_ = 0;
    std::uint8_t seq_ = 0;
    d::LinkParser parser_;
    d::Reassembler reassembler_;
    std::vector<d::LinkFrame> frames_;
    std::size_t next_ = 0;
};

std::string control(const std::string& path, const std::string& command) {
    auto s = Socket::unix_stream(path);
    std::vector<std::uint8_t> line(command.begin(), command.end());
    line.push_back('\n');
    s->send(line);
    std::string reply;
    while (reply.find('\n') == std::string::npos) {
        const auto bytes = s->receive();
        if (bytes.empty()) break;
        reply.append(bytes.begin(), bytes.end());
    }
    return reply.substr(0, reply.find('\n'));
}

std::vector<nlohmann::json> served_events(const std::filesystem::path& log) {
    std::vector<nlohmann::json> out;
    std::istringstream lines(t::read_text_file(log));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line);
        if (j.value("event", "") == "dnp3_frozen_counter") out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

TEST_CASE("metersim serves a DNP3 outstation over TCP", "[sim][dnp3][metersim]") {
    t::TempDir dir("gg-sim-dnp3");
    const auto served = dir.file("served.jsonl");
    const auto socket_path = dir.file("control.sock").string();
    t::ChildProcess sim({GG_METERSIM, "--dnp3-meters", "1", "--dnp3-base-port", "0", "--dnp3-freeze-period", "2s",
                         "--serve-log", served.string(), "--control", socket_path},
                        dir.file("metersim.out"), dir.file("metersim.log"));
    std::uint16_t port = 0;
    REQUIRE(t::wait_until(
        [&] {
            std::istringstream out(t::read_text_file(dir.file("metersim.out")));
            std::string id, host;
            unsigned p = 0;
            if (out >> id >> host >> p && id == "dnp1") port = static_cast<std::uint16_t>(p);
            return port != 0;
        },
        10s));
    INFO(sim.log_text());

    TcpMaster master(port);
    const d::Response class0 =
        master.request(d::encode_class_read(master.control(), d::ClassSet{true, false, false, false}));
    CHECK(class0.iin.has(d::Iin::device_restart));
    CHECK(points_of(class0, 20).size() == 4);
    CHECK(points_of(class0, 30).size() == 18);
    CHECK(points_of(class0, 20)[0].value > 0);

    // Five connections at most: with this one open, four more are served and a sixth is
    // closed at once.
    std::vector<std::unique_ptr<Socket>> others;
    for (int i = 0; i < 4; ++i) others.push_back(Socket::tcp(port));
    auto sixth = Socket::tcp(port);
    CHECK(sixth->closed_by_peer());

    // Within one freeze period, four frozen-counter events are in the served log.
    REQUIRE(t::wait_until([&] { return served_events(served).size() >= 4; }, 5s));
    const auto logged = served_events(served);
    const d::Response events = master.request(d::encode_class_read(master.control(), d::ClassSet::events()));
    const auto g23 = points_of(events, 23);
    REQUIRE(g23.size() >= 4);
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(g23[k].index == logged[k].at("index").get<std::uint32_t>());
        CHECK(g23[k].value == logged[k].at("value").get<double>());
        CHECK(g23[k].time == logged[k].at("time_ms").get<std::uint64_t>());
        CHECK(*g23[k].time % 2000 == 0);
    }
    REQUIRE(events.control.con);
    master.send(d::encode_confirm(events.control.seq));
    REQUIRE(t::wait_until(
        [&] {
            const auto stats = nlohmann::json::parse(control(socket_path, "dnp3 stats"));
            return stats.at("dnp3").at("dnp1").at("events_confirmed").get<std::size_t>() == g23.size();
        },
        5s));
    const auto stats = nlohmann::json::parse(control(socket_path, "dnp3 stats")).at("dnp3").at("dnp1");
    CHECK(stats.at("rejected_connections") == 1);
    CHECK(stats.at("port") == port);
    CHECK(control(socket_path, "fault dnp1 off") == "ok");
}

TEST_CASE("metersim serves DNP3 outstations on a serial line, told apart by address", "[sim][dnp3][metersim]") {
    t::TempDir dir("gg-sim-dnp3-serial");
    t::ChildProcess sim({GG_METERSIM, "--dnp3-serial-pty", "--dnp3-slaves", "1-2", "--baud", "9600"},
                        dir.file("metersim.out"), dir.file("metersim.log"));
    std::string path;
    REQUIRE(t::wait_until(
        [&] {
            std::istringstream out(t::read_text_file(dir.file("metersim.out")));
            std::string word;
            if (out >> word >> path && word == "dnp3-bus") return true;
            path.clear();
            return false;
        },
        10s));
    INFO(sim.log_text());

    TcpMaster master(Socket::tty(path));
    // Address 5 is nobody's: silence. Address 2 answers as 2.
    master.send(d::encode_class_read(master.control(), d::ClassSet{true, false, false, false}), 5);
    master.send(d::encode_class_read(master.control(), d::ClassSet{true, false, false, false}), 2);
    const auto r = master.response();
    REQUIRE(r);
    CHECK(r->control.seq == 1);
    CHECK(points_of(*r, 20).size() == 4);
    REQUIRE_FALSE(master.frames().empty());
    for (const auto& f : master.frames()) CHECK(f.header.source == 2);
}
