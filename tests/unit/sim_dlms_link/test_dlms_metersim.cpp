// The metersim binary as a DLMS/COSEM meter: over the TCP wrapper (association, GET, SET of
// the clock, the one-connection limit, link down/up, the control socket and served log)
// and over HDLC on a pty (two meters told apart by physical ID, paced replies). The client
// side is the codec (apdu.hpp, wrapper.hpp, hdlc.hpp) over plain blocking POSIX sockets
// with bounded waits.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/dlms/apdu.hpp"
#include "gridgate/dlms/hdlc.hpp"
#include "gridgate/dlms/wrapper.hpp"
#include "gridgate/sim/line_timing.hpp"
#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace std::chrono_literals;
namespace t = gridgate::testing;
namespace d = gridgate::dlms;
using nlohmann::json;

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

// One association over the TCP wrapper.
class WrapperClient {
public:
    WrapperClient(std::uint16_t port, std::uint16_t client) : socket_(Socket::tcp(port)), client_(client) {}

    std::vector<std::uint8_t> request(const std::vector<std::uint8_t>& apdu) {
        socket_->send(d::encode_wrapper(client_, 1, apdu));
        while (true) {
            const auto bytes = socket_->receive();
            REQUIRE_FALSE(bytes.empty());
            auto pdus = parser_.feed(bytes);
            if (pdus.empty()) continue;
            REQUIRE(pdus.size() == 1);
            CHECK(pdus[0].source == 1);
            CHECK(pdus[0].destination == client_);
            return pdus[0].apdu;
        }
    }
    Socket& socket() { return *socket_; }

private:
    std::unique_ptr<Socket> socket_;
    std::uint16_t client_;
    d::WrapperParser parser_;
};

d::Aarq aarq_for(const std::string& password) {
    d::Aarq a;
    if (!password.empty()) {
        a.authentication = d::Authentication::low;
        a.password.assign(password.begin(), password.end());
    }
    return a;
}

std::vector<std::uint8_t> get_clock() {
    d::GetRequest r;
    r.item.attribute = d::AttributeDescriptor{8, d::obis::clock, 2};
    return d::encode_get_request(r);
}

// The 12-octet date-time of a GET of the clock's time.
std::vector<std::uint8_t> clock_octets(const std::vector<std::uint8_t>& response) {
    const auto r = d::decode_get_response(response);
    REQUIRE(r);
    REQUIRE(r.value->result.data);
    return r.value->result.data->bytes;
}

std::vector<json> served(const std::filesystem::path& log, const std::string& event) {
    std::vector<json> out;
    std::istringstream lines(t::read_text_file(log));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        auto j = json::parse(line);
        if (j.value("event", "") == event) out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

TEST_CASE("metersim serves a DLMS meter over the TCP wrapper", "[sim][dlms][metersim]") {
    t::TempDir dir("gg-sim-dlms");
    const auto log = dir.file("served.jsonl");
    const auto socket_path = dir.file("control.sock").string();
    t::ChildProcess sim({GG_METERSIM, "--dlms-meters", "1", "--dlms-base-port", "0", "--dlms-capture-period", "1s",
                         "--dlms-history", "10s", "--dlms-password1", "pw-one", "--serve-log", log.string(),
                         "--control", socket_path},
                        dir.file("metersim.out"), dir.file("metersim.log"));
    std::uint16_t port = 0;
    REQUIRE(t::wait_until(
        [&] {
            std::istringstream out(t::read_text_file(dir.file("metersim.out")));
            std::string id, host;
            unsigned p = 0;
            if (out >> id >> host >> p && id == "dlms1") port = static_cast<std::uint16_t>(p);
            return port != 0;
        },
        10s));
    INFO(sim.log_text());

    auto client = std::make_unique<WrapperClient>(port, 1);
    const auto aare = d::decode_aare(client->request(d::encode_aarq(aarq_for("pw-one"))));
    REQUIRE(aare);
    CHECK(aare.value->result == d::AssociationResult::accepted);
    CHECK(clock_octets(client->request(get_clock())).size() == 12);

    // Client 1 may set the clock: +10 s.
    const auto now = gridgate::SystemClock{}.now_utc_us();
    const auto when = d::encode_date_time(d::from_utc_us(now + 10'000'000, d::LocalZone{}));
    d::SetRequest set;
    set.attribute = d::AttributeDescriptor{8, d::obis::clock, 2};
    set.value = d::Data::octet_string(std::vector<std::uint8_t>(when.begin(), when.end()));
    const auto set_response = d::decode_set_response(client->request(d::encode_set_request(set)));
    REQUIRE(set_response);
    CHECK(set_response.value->result == d::AccessResult::success);

    // One DLMS connection per port: a second one is taken and dropped.
    auto second = Socket::tcp(port);
    CHECK(second->closed_by_peer());
    // A wPort other than 1 is nobody's: no answer.
    client->socket().send(d::encode_wrapper(1, 2, get_clock()));
    CHECK(client->socket().receive(300).empty());

    const json stats = json::parse(control(socket_path, "dlms stats")).at("dlms").at("dlms1");
    CHECK(stats.at("port") == port);
    CHECK(stats.at("associations") == 1);
    CHECK(stats.at("time_sets") == 1);
    CHECK(stats.at("rejected_connections") == 1);
    CHECK(stats.at("wrong_destination") == 1);
    CHECK(stats.at("clock_offset_ms").get<std::int64_t>() > 8000);

    // Link down: the connection goes, new ones are refused; up: served again.
    CHECK(control(socket_path, "dlms link dlms1 down") == "ok");
    CHECK(client->socket().closed_by_peer());
    auto refused = Socket::tcp(port);
    CHECK(refused->closed_by_peer());
    CHECK(control(socket_path, "dlms link dlms1 up") == "ok");
    client = std::make_unique<WrapperClient>(port, 16);
    const auto public_aare = d::decode_aare(client->request(d::encode_aarq(aarq_for(""))));
    REQUIRE(public_aare);
    CHECK(public_aare.value->result == d::AssociationResult::accepted);
    const json after = json::parse(control(socket_path, "dlms stats")).at("dlms").at("dlms1");
    CHECK(after.at("refused_link_down") == 1);
    CHECK(after.at("connections") == 2);

    // The profile records every second with no request: the timer does it.
    const auto entries = [&] {
        return json::parse(control(socket_path, "dlms profile dlms1")).at("entries").size();
    };
    const std::size_t before = entries();
    REQUIRE(t::wait_until([&] { return entries() >= before + 2; }, 5s));

    // The served log has the association and the time set.
    REQUIRE(t::wait_until([&] { return served(log, "dlms_associated").size() >= 2; }, 5s));
    const auto time_sets = served(log, "dlms_time_set");
    REQUIRE(time_sets.size() == 1);
    CHECK(time_sets[0].at("meter") == "dlms1");
    CHECK(time_sets[0].at("step_ms").get<std::int64_t>() > 8000);
}

namespace {

// An HDLC client on a tty: frames out, whole frames back.
class HdlcClient {
public:
    explicit HdlcClient(std::unique_ptr<Socket> line) : line_(std::move(line)) {}

    void send(const d::HdlcFrame& f) { line_->send(d::encode_frame(f)); }
    std::optional<d::HdlcFrame> receive(int limit_ms = wait_limit_ms) {
        while (frames_.empty()) {
            const auto bytes = line_->receive(limit_ms);
            if (bytes.empty()) return std::nullopt;
            received_ += bytes.size();
            for (auto& f : parser_.feed(bytes)) frames_.push_back(std::move(f));
        }
        d::HdlcFrame f = std::move(frames_.front());
        frames_.erase(frames_.begin());
        return f;
    }
    std::size_t received_bytes() const { return received_; }

private:
    std::unique_ptr<Socket> line_;
    d::HdlcParser parser_;
    std::vector<d::HdlcFrame> frames_;
    std::size_t received_ = 0;
};

d::HdlcFrame to_meter(std::uint16_t physical_id, d::HdlcControl control, std::vector<std::uint8_t> info = {}) {
    return d::HdlcFrame{d::HdlcAddress::server(1, physical_id), d::HdlcAddress::client(16), control, false,
                        std::move(info)};
}

std::vector<std::uint8_t> with_llc(const std::vector<std::uint8_t>& apdu) {
    std::vector<std::uint8_t> out;
    out.reserve(3 + apdu.size());
    for (const std::uint8_t b : d::llc_request) out.push_back(b);
    for (const std::uint8_t b : apdu) out.push_back(b);
    return out;
}

}  // namespace

TEST_CASE("metersim serves DLMS meters over HDLC on a pty, told apart by physical ID", "[sim][dlms][metersim]") {
    t::TempDir dir("gg-sim-dlms-hdlc");
    const auto socket_path = dir.file("control.sock").string();
    t::ChildProcess sim({GG_METERSIM, "--dlms-serial-pty", "--dlms-physical-ids", "100,101", "--baud", "9600",
                         "--print-ports", "--dlms-interframe-timeout", "200ms", "--control", socket_path},
                        dir.file("metersim.out"), dir.file("metersim.log"));
    std::string path;
    REQUIRE(t::wait_until(
        [&] {
            const std::string out = t::read_text_file(dir.file("metersim.out"));
            std::istringstream lines(out);
            std::string word;
            if (!(lines >> word >> path) || word != "dlms-bus") return false;
            return out.find("dlms101 dlms-serial " + path + " 101") != std::string::npos;
        },
        10s));
    INFO(sim.log_text());

    auto tty = Socket::tty(path);
    // Half a frame, then silence: the line drops it after the inter-frame timeout.
    tty->send({0x7E, 0xA0, 0x0A, 0x00, 0x02});
    REQUIRE(t::wait_until(
        [&] {
            const json bus = json::parse(control(socket_path, "dlms stats")).at("lines").at(0);
            return bus.at("interframe_timeouts") == 1;
        },
        5s));
    HdlcClient client(std::move(tty));
    // Physical ID 102 is nobody's: silence.
    client.send(to_meter(102, {d::FrameType::snrm, 0, 0, true}));
    CHECK_FALSE(client.receive(300));

    const auto sent = std::chrono::steady_clock::now();
    client.send(to_meter(101, {d::FrameType::snrm, 0, 0, true}));
    const auto ua = client.receive();
    const auto took = std::chrono::steady_clock::now() - sent;
    REQUIRE(ua);
    CHECK(ua->control.type == d::FrameType::ua);
    CHECK(ua->source == d::HdlcAddress::server(1, 101));
    CHECK(d::decode_parameters(ua->info) == d::HdlcParameters{128, 128, 1, 1});
    // Paced to the line: the UA's octets take their 9600 baud time (10 bits each).
    const gridgate::sim::LineSettings line{9600};
    CHECK(took >= gridgate::sim::transmit_time(d::encode_frame(*ua).size() - 1, line));

    client.send(to_meter(101, {d::FrameType::i, 0, 0, true}, with_llc(d::encode_aarq(aarq_for("")))));
    const auto aare_frame = client.receive();
    REQUIRE(aare_frame);
    REQUIRE(aare_frame->control == d::HdlcControl{d::FrameType::i, 0, 1, true});
    REQUIRE(aare_frame->info.size() > 3);
    const auto aare = d::decode_aare(std::span(aare_frame->info).subspan(3));
    REQUIRE(aare);
    CHECK(aare.value->result == d::AssociationResult::accepted);

    client.send(to_meter(101, {d::FrameType::i, 1, 1, true}, with_llc(get_clock())));
    const auto clock = client.receive();
    REQUIRE(clock);
    CHECK(clock->control == d::HdlcControl{d::FrameType::i, 1, 2, true});
    CHECK(clock_octets(std::vector<std::uint8_t>(clock->info.begin() + 3, clock->info.end())).size() == 12);

    // Meter 100 is not connected: DM. Then DISC ends 101's connection.
    client.send(to_meter(100, {d::FrameType::rr, 0, 0, true}));
    const auto dm = client.receive();
    REQUIRE(dm);
    CHECK(dm->control.type == d::FrameType::dm);
    CHECK(dm->source == d::HdlcAddress::server(1, 100));
    client.send(to_meter(101, {d::FrameType::disc, 0, 0, true}));
    const auto bye = client.receive();
    REQUIRE(bye);
    CHECK(bye->control.type == d::FrameType::ua);

    // Link down: meter 101 is silent (meter 100 still answers); up: it answers again.
    CHECK(control(socket_path, "dlms link dlms101 down") == "ok");
    client.send(to_meter(101, {d::FrameType::snrm, 0, 0, true}));
    CHECK_FALSE(client.receive(300));
    client.send(to_meter(100, {d::FrameType::snrm, 0, 0, true}));
    const auto ua100 = client.receive();
    REQUIRE(ua100);
    CHECK(ua100->source == d::HdlcAddress::server(1, 100));
    CHECK(control(socket_path, "dlms link dlms101 up") == "ok");
    client.send(to_meter(101, {d::FrameType::snrm, 0, 0, true}));
    const auto ua101 = client.receive();
    REQUIRE(ua101);
    CHECK(ua101->control.type == d::FrameType::ua);

    const json stats = json::parse(control(socket_path, "dlms stats"));
    const json& line_stats = stats.at("lines").at(0);
    CHECK(line_stats.at("other_address") == 1);
    CHECK(line_stats.at("link_down") == 1);
    CHECK(line_stats.at("fcs_errors") == 0);
    const json& m101 = stats.at("dlms").at("dlms101");
    CHECK(m101.at("connects") == 2);
    CHECK(m101.at("disconnects") == 1);
    CHECK(m101.at("associations") == 1);
    CHECK(m101.at("hdlc_connected") == true);
}

TEST_CASE("metersim closes a silent DLMS TCP connection, and one with a bad wrapper header",
          "[sim][dlms][metersim]") {
    t::TempDir dir("gg-sim-dlms-idle");
    const auto socket_path = dir.file("control.sock").string();
    t::ChildProcess sim({GG_METERSIM, "--dlms-meters", "1", "--dlms-base-port", "0", "--dlms-inactivity-timeout",
                         "1s", "--control", socket_path},
                        dir.file("metersim.out"), dir.file("metersim.log"));
    std::uint16_t port = 0;
    REQUIRE(t::wait_until(
        [&] {
            std::istringstream out(t::read_text_file(dir.file("metersim.out")));
            std::string id, host;
            unsigned p = 0;
            if (out >> id >> host >> p && id == "dlms1") port = static_cast<std::uint16_t>(p);
            return port != 0;
        },
        10s));
    INFO(sim.log_text());

    WrapperClient client(port, 16);
    const auto aare = d::decode_aare(client.request(d::encode_aarq(aarq_for(""))));
    REQUIRE(aare);
    CHECK(client.socket().closed_by_peer());  // within the 5 s wait: the 1 s timeout

    // Version 2 in the header: the stream is out of step, the connection goes.
    auto bad = Socket::tcp(port);
    bad->send({0x00, 0x02, 0x00, 0x10, 0x00, 0x01, 0x00, 0x01, 0x62});
    CHECK(bad->closed_by_peer());
    const json stats = json::parse(control(socket_path, "dlms stats")).at("dlms").at("dlms1");
    CHECK(stats.at("inactivity_closes") == 1);
    CHECK(stats.at("wrapper_errors") == 1);
    CHECK(stats.at("associations") == 1);
}
