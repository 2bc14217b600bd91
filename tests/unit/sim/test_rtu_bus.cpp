// The RTU bus in process over a real pty (openpty): metersim's RtuBus on the slave end,
// and a tiny master written here on the master end, framing its own requests and
// checking replies with the CRC tested against published vectors. Every wait is
// bounded (poll with a generous limit) so a bug fails the test instead of hanging it.
#include <catch2/catch.hpp>

#include <poll.h>
#include <pty.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <optional>
#include <thread>

#include "gridgate/sim/rtu_bus.hpp"
#include "gridgate/sim/rtu_crc.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using namespace std::chrono_literals;
using sim_test::hex;

namespace {

constexpr int wait_limit_ms = 5000;

class PtyMaster {
public:
    PtyMaster() {
        std::array<char, 128> name{};
        REQUIRE(::openpty(&master_, &slave_, name.data(), nullptr, nullptr) == 0);
        path_ = name.data();
    }
    ~PtyMaster() {
        ::close(master_);
        ::close(slave_);
    }
    PtyMaster(const PtyMaster&) = delete;
    PtyMaster& operator=(const PtyMaster&) = delete;

    const std::string& path() const { return path_; }

    void send(const std::vector<std::byte>& bytes) {
        REQUIRE(::write(master_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    }

    // Reads until `complete` says the bytes so far are enough; nullopt if the line
    // stays quiet for the wait limit.
    template <typename Predicate>
    std::optional<std::vector<std::byte>> receive_until(Predicate complete) {
        std::vector<std::byte> got;
        while (!complete(got)) {
            pollfd p{master_, POLLIN, 0};
            if (::poll(&p, 1, wait_limit_ms) != 1) return std::nullopt;
            std::array<std::byte, 256> buffer{};
            const ssize_t n = ::read(master_, buffer.data(), buffer.size());
            if (n <= 0) return std::nullopt;
            got.insert(got.end(), buffer.begin(), buffer.begin() + n);
        }
        return got;
    }

    std::optional<std::vector<std::byte>> receive(std::size_t n) {
        return receive_until([n](const std::vector<std::byte>& got) { return got.size() >= n; });
    }

private:
    int master_ = -1;
    int slave_ = -1;
    std::string path_;
};

// A request frame built by the test master: address, PDU, CRC.
std::vector<std::byte> request(std::uint8_t address, std::uint8_t fc, std::uint16_t start, std::uint16_t value) {
    std::vector<std::byte> frame{std::byte{address}};
    const auto pdu = sim_test::pdu(fc, start, value);
    frame.insert(frame.end(), pdu.begin(), pdu.end());
    append_rtu_crc(frame);
    return frame;
}

std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> parts) {
    std::vector<std::byte> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// The 32-bit counter in an FC03 reply for two registers: 01 03 04 hi hi lo lo crc crc.
std::uint32_t counter_in(const std::vector<std::byte>& reply) {
    std::uint32_t value = 0;
    for (std::size_t i = 3; i < 7; ++i) value = (value << 8) | std::to_integer<std::uint32_t>(reply[i]);
    return value;
}

class RecordingLog final : public ServedLog {
public:
    void record(std::string_view meter, std::uint8_t unit, const ServedRead& read) override {
        lines.push_back(std::string(meter) + " unit " + std::to_string(unit) + " fc " + std::to_string(read.function));
        values.push_back(read.values);
    }
    std::vector<std::string> lines;
    std::vector<std::vector<std::uint16_t>> values;
};

// Slaves on one bus over the pty, the io_context on its own thread. Stats, models and
// the log are read only after stop(), when the io thread is gone.
class RunningBus {
public:
    explicit RunningBus(std::vector<std::uint8_t> addresses, HandlerOptions handler = {}) : addresses_(addresses) {
        for (const std::uint8_t a : addresses)
            slaves_.push_back(&fleet.add(std::make_unique<SimulatedMeter>(
                "jem" + std::to_string(a), a, MeterModel(MapLayout{}, a, std::chrono::steady_clock::now()), handler,
                a)));
        options.line = LineSettings{115200, 8, Parity::none, 1};  // keeps the test quick
        options.turnaround = 0us;
    }
    void start() {
        BusInfo& info = fleet.add_bus(BusInfo{pty.path(), options.line, addresses_, {}});
        bus = std::make_unique<RtuBus>(io, SerialDevice::open(pty.path(), options.line), slaves_, info, options, &log,
                                       logger);
        thread = std::thread([this] { io.run(); });
    }
    void stop() {
        if (!thread.joinable()) return;
        io.stop();
        thread.join();
    }
    ~RunningBus() { stop(); }

    SimulatedMeter& meter(std::uint8_t address) { return *fleet.find("jem" + std::to_string(address)); }
    const BusStats& stats() const { return fleet.bus(0).stats; }

    PtyMaster pty;
    gridgate::Logger logger{gridgate::LogLevel::off};
    MeterFleet fleet;
    RecordingLog log;
    RtuBusOptions options;
    boost::asio::io_context io;
    std::unique_ptr<RtuBus> bus;
    std::thread thread;

private:
    std::vector<std::uint8_t> addresses_;
    std::vector<SimulatedMeter*> slaves_;
};

}  // namespace

TEST_CASE("rtu bus: a tiny master reads a counter from two slaves over a pty", "[sim][rtu][bus]") {
    RunningBus s({1, 2});
    s.start();
    std::vector<std::vector<std::byte>> replies;
    for (const std::uint8_t address : {1, 2}) {
        s.pty.send(request(address, 0x03, 0, 2));  // wh_del, high word first
        const auto reply = s.pty.receive(9);
        REQUIRE(reply);
        REQUIRE(reply->size() == 9);
        CHECK(hex(*reply).starts_with(hex(std::vector<std::byte>{std::byte{address}}) + " 03 04"));
        CHECK(rtu_crc_ok(*reply));
        replies.push_back(*reply);
    }
    s.stop();
    // Two different meters, each with a plausible reading (5-400 MWh in Wh), and what
    // the master received is what the served log says each slave served.
    CHECK(counter_in(replies[0]) != counter_in(replies[1]));
    REQUIRE(s.log.lines == std::vector<std::string>{"jem1 unit 1 fc 3", "jem2 unit 2 fc 3"});
    for (std::size_t i = 0; i < 2; ++i) {
        const std::uint32_t counter = counter_in(replies[i]);
        CHECK(counter >= 5'000'000u);
        CHECK(counter <= 400'000'000u);
        CHECK(counter == ((std::uint32_t{s.log.values[i][0]} << 16) | s.log.values[i][1]));
    }
    CHECK(s.meter(1).stats().requests == 1);
    CHECK(s.meter(1).stats().rx_bytes == 8);
    CHECK(s.meter(1).stats().tx_bytes == 9);
    CHECK(s.meter(1).bus() == s.pty.path());
    CHECK(s.stats().frames == 2);
    CHECK(s.stats().replies == 2);
    CHECK(s.stats().rx_bytes == 16);
    CHECK(s.stats().tx_bytes == 18);
}

TEST_CASE("rtu bus: silence for other addresses, broadcasts executed and unanswered, garbage skipped",
          "[sim][rtu][bus]") {
    RunningBus s({1, 2}, HandlerOptions{true, false});
    s.start();
    s.pty.send(concat({request(9, 0x03, 0, 2),       // nobody on the bus has address 9
                       request(0, 0x05, 0, 0xFF00),  // broadcast: coil 0 on at every slave
                       sim_test::hex("ff ff 13"),      // line noise
                       request(2, 0x01, 0, 1)}));      // read coil 0 back from slave 2
    // The first bytes to come back are slave 2's answer: coil 0 is on.
    const auto reply = s.pty.receive(6);
    REQUIRE(reply);
    CHECK(hex(*reply).starts_with("02 01 01 01"));
    CHECK(rtu_crc_ok(*reply));
    s.stop();
    CHECK(s.stats().frames == 3);
    CHECK(s.stats().other_address == 1);
    CHECK(s.stats().broadcasts == 1);
    CHECK(s.stats().garbage_bytes == 3);
    CHECK(s.stats().replies == 1);
    CHECK(s.meter(1).stats().broadcasts == 1);
    std::vector<bool> coils;
    s.meter(1).model().read_coils(0, 1, coils);
    CHECK(coils == std::vector<bool>{true});
}

TEST_CASE("rtu bus: a late reply lands during the next transaction and others are not held up",
          "[sim][rtu][bus][fault]") {
    RunningBus s({1, 2});
    s.meter(1).set_fault({FaultKind::slow, 500ms});
    s.start();
    s.pty.send(request(1, 0x03, 0, 2));
    s.pty.send(request(2, 0x03, 0, 2));  // the master gave up on slave 1 and moved on
    const auto first = s.pty.receive(9);
    REQUIRE(first);
    CHECK((*first)[0] == std::byte{2});
    const auto late = s.pty.receive(9);
    REQUIRE(late);
    CHECK((*late)[0] == std::byte{1});
    CHECK(rtu_crc_ok(*late));
    s.stop();
    CHECK(s.log.lines == std::vector<std::string>{"jem2 unit 2 fc 3", "jem1 unit 1 fc 3"});
}

TEST_CASE("rtu bus: faults on the line", "[sim][rtu][bus][fault]") {
    RunningBus s({1, 2});
    SECTION("noise: random bytes, then the reply in a frame of its own") {
        s.meter(1).set_fault({FaultKind::noise});
        s.start();
        s.pty.send(request(1, 0x03, 0, 2));
        const auto got = s.pty.receive_until([](const std::vector<std::byte>& bytes) {
            return bytes.size() >= 9 + 8 && rtu_crc_ok(std::span(bytes).last(9));
        });
        REQUIRE(got);
        CHECK(std::span(*got).last(9)[0] == std::byte{1});
        s.stop();
        CHECK(s.meter(1).stats().garbage == 1);
        CHECK(s.meter(1).stats().tx_bytes == got->size());
        CHECK(s.stats().replies == 2);
        CHECK(s.log.lines.size() == 1);  // the reply itself was good
    }
    SECTION("crc and wrong-address: well-timed replies a master must reject, not logged as served") {
        s.meter(1).set_fault({FaultKind::crc});
        s.meter(2).set_fault({FaultKind::wrong_address});
        s.start();
        s.pty.send(request(1, 0x03, 0, 2));
        const auto bad_crc = s.pty.receive(9);
        REQUIRE(bad_crc);
        CHECK((*bad_crc)[0] == std::byte{1});
        CHECK_FALSE(rtu_crc_ok(*bad_crc));
        s.pty.send(request(2, 0x03, 0, 2));
        const auto wrong = s.pty.receive(9);
        REQUIRE(wrong);
        CHECK((*wrong)[0] == std::byte{3});
        CHECK(rtu_crc_ok(*wrong));
        s.stop();
        CHECK(s.meter(1).stats().bad_crc == 1);
        CHECK(s.meter(2).stats().wrong_address == 1);
        CHECK(s.log.lines.empty());
    }
}

namespace {
// Writes `bytes` on one descriptor and returns what the other reads (bounded wait).
std::string pass(int from, int to, const std::vector<std::byte>& bytes) {
    REQUIRE(::write(from, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    pollfd p{to, POLLIN, 0};
    REQUIRE(::poll(&p, 1, wait_limit_ms) == 1);
    std::array<std::byte, 64> in{};
    const ssize_t n = ::read(to, in.data(), in.size());
    REQUIRE(n > 0);
    return hex(std::vector<std::byte>(in.begin(), in.begin() + n));
}
}  // namespace

TEST_CASE("serial device: a pty of metersim's own, raw both ways, and open errors", "[sim][rtu][serial]") {
    SerialDevice device = SerialDevice::open_pty(LineSettings{});
    REQUIRE(device.path().starts_with("/dev/pts/"));
    // A master opens the path. Bytes pass untouched both ways (no CR/LF translation, no
    // flow-control characters eaten) and nothing is echoed to the sender.
    SerialDevice master = SerialDevice::open(device.path(), LineSettings{});
    const std::vector<std::byte> bytes = hex("0d 0a 03 11 13 ff 7f");
    CHECK(pass(master.fd(), device.fd(), bytes) == hex(bytes));
    CHECK(pass(device.fd(), master.fd(), bytes) == hex(bytes));
    pollfd echo{device.fd(), POLLIN, 0};
    CHECK(::poll(&echo, 1, 0) == 0);

    CHECK_THROWS_WITH(SerialDevice::open("/dev/null", LineSettings{}),
                      Catch::Matchers::StartsWith("serial device '/dev/null': not a terminal"));
    CHECK_THROWS_WITH(SerialDevice::open("/nonexistent/tty", LineSettings{}),
                      Catch::Matchers::StartsWith("cannot open serial device '/nonexistent/tty'"));
}
