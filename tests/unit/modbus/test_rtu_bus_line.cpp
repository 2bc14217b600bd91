// The RTU bus as a transport::LineAccess: other masters' turns on the line, between and
// in order with the Modbus reads (queue, master under a FakeClock, bus over a MemoryChannel).
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/modbus/rtu_bus.hpp"
#include "gridgate/modbus/rtu_frame.hpp"
#include "gridgate/modbus/rtu_master.hpp"
#include "gridgate/modbus/rtu_request_queue.hpp"
#include "gridgate/transport/memory_channel.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using boost::system::error_code;
using transport::LineError;
using transport::LineLease;
using transport::LinePriority;
using transport::LineRequest;

namespace {

ReadRequest holding(std::uint16_t address, std::uint16_t count) {
    return ReadRequest{FunctionCode::read_holding_registers, address, count};
}

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (const int v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

// A frame of the other protocol (DNP3 start bytes): never a valid Modbus RTU frame.
const std::vector<std::byte> foreign_frame = bytes({0x05, 0x64, 0x05, 0xC0, 0x01, 0x00, 0x00, 0x04});

// --- the queue

QueuedRead read_for(std::uint8_t unit, std::uint16_t address, Priority priority = Priority::normal) {
    QueuedRead r;
    r.call.unit_id = unit;
    r.call.request = holding(address, 1);
    r.call.priority = priority;
    return r;
}

QueuedTurn turn_for(std::uint32_t station, LinePriority priority = LinePriority::normal) {
    return QueuedTurn{LineRequest{"s" + std::to_string(station), priority, station}, nullptr};
}

std::string name_of(const QueuedItem& item) {
    if (const auto* read = std::get_if<QueuedRead>(&item))
        return "u" + std::to_string(read->call.unit_id) + "." + std::to_string(read->call.request.address);
    return "s" + std::to_string(std::get<QueuedTurn>(item).request.station);
}

const auto any_unit = [](std::uint8_t) { return true; };

// --- the master, driven by hand

class LendingIo final : public RtuMasterIo {
public:
    void transmit(std::span<const std::byte> adu) override { pending_tx.emplace_back(adu.begin(), adu.end()); }
    void complete(ReadHandler handler, TransactionResult result) override {
        completions.emplace_back(std::move(handler), std::move(result));
    }
    void answer_line(transport::LineGrantHandler, LineError error) override { answers.push_back(error); }
    std::vector<std::vector<std::byte>> pending_tx;
    std::vector<std::pair<ReadHandler, TransactionResult>> completions;
    std::vector<LineError> answers;
};

RtuMasterOptions master_options() {
    RtuMasterOptions o;
    o.name = "test-bus";
    o.timing = rtu_timing(19200, 11);  // t3.5 = 2006 us
    o.turnaround_delay = 1ms;
    o.backoff_seed = 42;
    return o;
}

// --- the bus over a MemoryChannel

bool run_until(asio::io_context& io, const std::function<bool()>& done) {
    const auto guard = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > guard) return false;
        io.run_one_for(5ms);
        if (io.stopped()) io.restart();
    }
    return true;
}

void run_for(asio::io_context& io, std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    run_until(io, [&] { return std::chrono::steady_clock::now() >= until; });
}

// A line whose Modbus slaves answer every read (register i = 1000 + address + i) and whose
// other-protocol device answers a foreign frame with `foreign_reply`. `events` records
// what took the line, in order: "u<unit>" for a request sent, "s<station>" for a grant,
// "x" for a foreign frame sent.
struct SharedBus {
    explicit SharedBus(RtuBusOptions options = fast_options(), bool fail_opens = false) {
        bus = std::make_unique<RtuBus>(
            io.get_executor(),
            [&](const asio::any_io_executor& strand) {
                auto ch = std::make_unique<transport::MemoryChannel>(strand);
                if (fail_opens) ch->fail_opens(asio::error::no_such_device);
                line = ch.get();
                return ch;
            },
            std::move(options), null_logger());
        line->on_transmit([this](std::span<const std::byte> frame) { answer(frame); });
    }

    static RtuBusOptions fast_options() {
        RtuBusOptions o;
        o.name = "shared";
        o.baud = 115200;
        o.reopen_min = 1ms;
        o.reopen_max = 2ms;
        return o;
    }

    void answer(std::span<const std::byte> frame) {
        const auto decoded = decode_rtu_adu(frame);
        const auto* f = std::get_if<RtuFrame>(&decoded);
        if (!f) {
            events.push_back("x");
            line->deliver(foreign_reply);
            return;
        }
        events.push_back("u" + std::to_string(f->address));
        if (silent_units.count(f->address)) return;
        const auto req = std::get<ReadRequest>(std::get<Request>(decode_request(f->pdu)));
        std::vector<std::uint16_t> regs;
        for (std::uint16_t i = 0; i < req.count; ++i)
            regs.push_back(static_cast<std::uint16_t>(1000 + req.address + i));
        line->deliver(encode_rtu_adu(f->address, encode_register_response(req.function, regs)));
    }

    struct Read {
        std::optional<TransactionResult> result;
        bool ok() const { return result && std::holds_alternative<ReadResponse>(*result); }
        std::optional<TransactionError> error() const {
            if (!result) return std::nullopt;
            if (const auto* e = std::get_if<TransactionError>(&*result)) return *e;
            return std::nullopt;
        }
    };
    std::shared_ptr<Read> submit(std::uint8_t unit, Priority priority = Priority::normal, Duration timeout = 1s) {
        auto read = std::make_shared<Read>();
        bus->submit(ReadCall{unit, holding(0, 2), timeout, "m" + std::to_string(unit), priority},
                    [read](TransactionResult r) { read->result = std::move(r); });
        return read;
    }

    struct Grant {
        std::optional<LineError> error;
        std::unique_ptr<LineLease> lease;
        RtuBusStats stats_at_grant;  // what the bus was doing when the line was lent
    };
    // A turn for another master; `release_at_once` gives the line back in the grant handler.
    std::shared_ptr<Grant> acquire(std::uint32_t station, LinePriority priority = LinePriority::normal,
                                   bool release_at_once = false) {
        auto grant = std::make_shared<Grant>();
        bus->acquire(LineRequest{"dnp3-" + std::to_string(station), priority, station},
                     [this, grant, station, release_at_once](LineError e, std::unique_ptr<LineLease> lease) {
                         grant->error = e;
                         if (e != LineError::none) return;
                         events.push_back("s" + std::to_string(station));
                         grant->stats_at_grant = bus->stats();
                         if (release_at_once) lease->release();
                         else grant->lease = std::move(lease);
                     });
        return grant;
    }

    void stop() {
        bool done = false;
        bus->stop([&] { done = true; });
        REQUIRE(run_until(io, [&] { return done; }));
    }

    asio::io_context io;
    transport::MemoryChannel* line = nullptr;
    std::set<std::uint8_t> silent_units;
    std::vector<std::byte> foreign_reply = bytes({0x05, 0x64, 0x0A, 0x44});
    std::vector<std::string> events;
    std::unique_ptr<RtuBus> bus;
};

}  // namespace

TEST_CASE("line turns queue with reads: priority, one round robin with distinct keys, FIFO") {
    RtuRequestQueue q;
    q.push(read_for(5, 1));
    q.push(turn_for(2, LinePriority::low));
    q.push(read_for(6, 1, Priority::high));
    q.push(turn_for(3, LinePriority::high));
    q.push(read_for(5, 2));
    q.push(turn_for(5));  // station 5 is not unit 5
    q.push(turn_for(5));
    CHECK(q.size() == 7);
    CHECK(q.has_turns());
    CHECK(q.units() == std::vector<std::uint8_t>{5, 6});

    std::vector<std::string> order;
    while (auto item = q.pop_next_item(any_unit)) order.push_back(name_of(*item));
    // High: unit 6 (addresses sort before stations), then station 3. Normal: the turn
    // passes on from station 3 to station 5, wraps to unit 5, and so on, each key's items
    // in FIFO order. Low last.
    CHECK(order == std::vector<std::string>{"u6.1", "s3", "s5", "u5.1", "s5", "u5.2", "s2"});
    CHECK(q.empty());
    CHECK_FALSE(q.has_turns());
}

TEST_CASE("turns are always eligible; reads-only pops and take_unit leave them queued") {
    RtuRequestQueue q;
    q.push(read_for(1, 0));
    q.push(turn_for(1));
    const auto none = [](std::uint8_t) { return false; };
    CHECK_FALSE(q.pop_next(none));  // a guarded slave's read waits; pop_next never returns turns
    auto item = q.pop_next_item(none);
    REQUIRE(item);
    CHECK(name_of(*item) == "s1");
    q.push(turn_for(7));
    CHECK(q.take_unit(1).size() == 1);
    CHECK(q.size() == 1);
    CHECK(q.take_all().size() == 1);
    CHECK(q.empty());
    CHECK(to_priority(LinePriority::high) == Priority::high);
    CHECK(to_priority(LinePriority::low) == Priority::low);
}

TEST_CASE("the master lends the line only when idle and quiet, and waits for the silence after the release") {
    FakeClock clock;
    LendingIo io;
    RtuMaster master(master_options(), clock, io, null_logger());
    master.set_link(LinkState::up);

    // A read goes out first; a turn queued during its transaction waits for its reply.
    master.submit(ReadCall{1, holding(0, 1), 100ms, "m1", Priority::normal}, [](TransactionResult) {});
    REQUIRE(io.pending_tx.size() == 1);
    master.on_transmit_started();
    master.on_transmitted();
    master.acquire_line(LineRequest{"dnp3", LinePriority::high, 7}, nullptr);
    CHECK(io.answers.empty());
    clock.advance(5ms);
    std::vector<std::uint16_t> regs{1000};
    master.on_received(encode_rtu_adu(1, encode_register_response(FunctionCode::read_holding_registers, regs)));
    CHECK(io.completions.size() == 1);
    CHECK(io.answers.empty());  // the reply's last byte starts the silence

    // Lent once t3.5 + turnaround has passed since the reply.
    const auto silence = master_options().timing.t3_5 + master_options().turnaround_delay;
    REQUIRE(master.next_deadline());
    CHECK(*master.next_deadline() == clock.steady_now() + silence);
    clock.advance(silence - 1us);
    master.on_timer();
    CHECK(io.answers.empty());
    clock.advance(1us);
    master.on_timer();
    REQUIRE(io.answers.size() == 1);
    CHECK(io.answers[0] == LineError::none);
    CHECK(master.lent());
    CHECK_FALSE(master.idle());

    // A read submitted meanwhile waits for the release, and then for the silence again.
    master.submit(ReadCall{2, holding(0, 1), 100ms, "m2", Priority::high}, [](TransactionResult) {});
    clock.advance(50ms);
    master.on_timer();
    CHECK(io.pending_tx.size() == 1);
    CHECK_FALSE(master.next_deadline());  // nothing to time while lent
    master.on_line_released();
    CHECK(master.idle());
    CHECK(io.pending_tx.size() == 1);
    REQUIRE(master.next_deadline());
    CHECK(*master.next_deadline() == clock.steady_now() + silence);
    clock.advance(silence);
    master.on_timer();
    REQUIRE(io.pending_tx.size() == 2);
    CHECK(io.pending_tx[1] == encode_rtu_adu(2, encode_read_request(holding(0, 1))));

    const auto s = master.stats();
    CHECK(s.leases == 1);
    CHECK(s.lease_time == Duration(50ms));
    CHECK(s.busy_time >= s.lease_time + Duration(5ms));  // the read's time and the lease's
}

TEST_CASE("the master refuses turns with line_down while the line cannot open, cancelled at stop") {
    FakeClock clock;
    LendingIo io;
    RtuMaster master(master_options(), clock, io, null_logger());
    master.acquire_line(LineRequest{"a", LinePriority::normal, 1}, nullptr);  // queued while opening
    CHECK(io.answers.empty());
    master.set_link(LinkState::failed);
    REQUIRE(io.answers.size() == 1);
    CHECK(io.answers[0] == LineError::line_down);
    master.acquire_line(LineRequest{"b", LinePriority::normal, 1}, nullptr);
    REQUIRE(io.answers.size() == 2);
    CHECK(io.answers[1] == LineError::line_down);

    master.set_link(LinkState::opening);
    master.acquire_line(LineRequest{"c", LinePriority::normal, 1}, nullptr);
    master.stop();
    REQUIRE(io.answers.size() == 3);
    CHECK(io.answers[2] == LineError::cancelled);
    master.acquire_line(LineRequest{"d", LinePriority::normal, 1}, nullptr);
    REQUIRE(io.answers.size() == 4);
    CHECK(io.answers[3] == LineError::cancelled);
}

TEST_CASE("the bus lends its line between transactions; a read queued meanwhile waits for the release") {
    SharedBus m;
    auto first = m.submit(1);
    auto turn = m.acquire(7);
    auto second = m.submit(2);
    REQUIRE(run_until(m.io, [&] { return turn->error.has_value(); }));
    REQUIRE(turn->error == LineError::none);
    REQUIRE(turn->lease);
    // Lent with no Modbus transaction in flight.
    const auto& at_grant = turn->stats_at_grant;
    CHECK(at_grant.transactions == at_grant.replies + at_grant.timeouts);
    CHECK(at_grant.leases == 1);

    // While lent, no read goes out, whatever its priority.
    auto urgent = m.submit(3, Priority::high);
    run_for(m.io, 20ms);
    CHECK_FALSE(urgent->result.has_value());
    const auto sent_before = m.events;

    // The holder has the line: its frame goes out and the answer reaches its read, not the bus.
    auto& channel = turn->lease->channel();
    CHECK(channel.is_open());
    std::array<std::byte, 32> buffer{};
    std::optional<std::size_t> got;
    channel.async_read_some(buffer, [&](const error_code& ec, std::size_t n) {
        REQUIRE_FALSE(ec);
        got = n;
    });
    bool sent = false;
    channel.async_transmit(foreign_frame, nullptr, [&](const error_code& ec) { sent = !ec; });
    REQUIRE(run_until(m.io, [&] { return sent && got.has_value(); }));
    CHECK(std::vector<std::byte>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*got)) ==
          m.foreign_reply);
    CHECK(m.bus->stats().garbage_bytes == 0);  // the bus did not see the other protocol's bytes
    CHECK_FALSE(urgent->result.has_value());

    turn->lease->release();
    REQUIRE(run_until(m.io, [&] { return first->ok() && second->ok() && urgent->ok(); }));
    // Everything sent on the line, in order: the lease's frame between whole transactions,
    // and the urgent read only after the release.
    std::vector<std::string> expected = sent_before;
    expected.push_back("x");
    const auto after_x = std::find(m.events.begin(), m.events.end(), "x");
    REQUIRE(after_x != m.events.end());
    CHECK(std::vector<std::string>(m.events.begin(), after_x + 1) == expected);
    CHECK(std::find(after_x, m.events.end(), "u3") != m.events.end());
    CHECK(std::find(m.events.begin(), after_x, "u3") == after_x);
    const auto sends =
        std::count_if(m.events.begin(), m.events.end(), [](const std::string& e) { return e[0] != 's'; });
    CHECK(m.line->transmitted().size() == static_cast<std::size_t>(sends));

    const auto s = m.bus->stats();
    CHECK(s.leases == 1);
    CHECK(s.lease_time >= Duration(20ms));
    CHECK(s.busy_time >= s.lease_time);
    CHECK(s.transactions == 3);
    CHECK(s.replies == 3);
    m.stop();
}

TEST_CASE("on the bus, turns and reads take the line by priority, then round robin, then FIFO") {
    SharedBus m;
    auto holder = m.acquire(1);  // holds the line while everything else queues
    REQUIRE(run_until(m.io, [&] { return holder->lease != nullptr; }));
    m.events.clear();

    auto a = m.submit(5);
    auto t1 = m.acquire(2, LinePriority::low, true);
    auto b = m.submit(6, Priority::high);
    auto t2 = m.acquire(3, LinePriority::high, true);
    auto c = m.submit(5);
    auto t3 = m.acquire(5, LinePriority::normal, true);  // station 5 is not slave 5
    run_for(m.io, 10ms);
    CHECK(m.events.empty());
    CHECK(m.bus->stats().queued == 6);

    holder->lease->release();
    REQUIRE(run_until(m.io, [&] { return m.events.size() == 6; }));
    // High: after station 1 (served last) comes station 3, then unit 6 wrapping around.
    // Normal: after unit 6 comes station 5, then unit 5 twice. Low last.
    CHECK(m.events == std::vector<std::string>{"s3", "u6", "s5", "u5", "u5", "s2"});
    REQUIRE(run_until(m.io, [&] { return a->ok() && b->ok() && c->ok(); }));
    CHECK(m.bus->stats().leases == 4);
    m.stop();
}

TEST_CASE("a backed-off slave's address does not hold back a turn") {
    auto options = SharedBus::fast_options();
    options.health.timeouts_before_backoff = 1;
    options.health.backoff_initial = 10s;
    SharedBus m(options);
    m.silent_units.insert(9);
    auto dead = m.submit(9, Priority::normal, 20ms);
    REQUIRE(run_until(m.io, [&] { return dead->result.has_value(); }));
    CHECK(dead->error() == TransactionError::timeout);
    auto skipped = m.submit(9);
    REQUIRE(run_until(m.io, [&] { return skipped->result.has_value(); }));
    CHECK(skipped->error() == TransactionError::backed_off);

    // Station 9 is another master's outstation, not the dead slave: granted, guard or not.
    auto turn = m.acquire(9, LinePriority::normal, true);
    REQUIRE(run_until(m.io, [&] { return turn->error.has_value(); }));
    CHECK(turn->error == LineError::none);
    m.stop();
}

TEST_CASE("on the bus, line requests fail with line_down while the line cannot open, and work once it can") {
    SharedBus m(SharedBus::fast_options(), true);
    REQUIRE(run_until(m.io, [&] { return m.bus->stats().link_failures > 0; }));
    auto turn = m.acquire(4);
    REQUIRE(run_until(m.io, [&] { return turn->error.has_value(); }));
    // Either the failed state answered at once, or a retry was opening and failed it.
    CHECK(turn->error == LineError::line_down);
    CHECK_FALSE(turn->lease);

    asio::post(m.bus->executor(), [&] { m.line->fail_opens({}); });
    REQUIRE(run_until(m.io, [&] { return m.bus->stats().link_up; }));
    turn = m.acquire(4);
    REQUIRE(run_until(m.io, [&] { return turn->error.has_value(); }));
    CHECK(turn->error == LineError::none);
    turn->lease->release();
    m.stop();
}

TEST_CASE("stop cancels queued line requests and reads, and finishes once the lease is released") {
    SharedBus m;
    auto holder = m.acquire(1);
    REQUIRE(run_until(m.io, [&] { return holder->lease != nullptr; }));
    auto queued_turn = m.acquire(2);
    auto queued_read = m.submit(3);
    bool done = false;
    m.bus->stop([&] { done = true; });
    REQUIRE(run_until(m.io, [&] { return queued_turn->error.has_value() && queued_read->result.has_value(); }));
    CHECK(queued_turn->error == LineError::cancelled);
    CHECK(queued_read->error() == TransactionError::cancelled);
    run_for(m.io, 10ms);
    CHECK_FALSE(done);  // the holder is still on the line

    auto late = m.acquire(5);
    REQUIRE(run_until(m.io, [&] { return late->error.has_value(); }));
    CHECK(late->error == LineError::cancelled);

    holder->lease->release();
    REQUIRE(run_until(m.io, [&] { return done; }));
    CHECK_FALSE(m.line->is_open());
}

TEST_CASE("a lease released as failed makes the bus re-open the line; its pending read is aborted") {
    SharedBus m;
    auto before = m.submit(1);
    REQUIRE(run_until(m.io, [&] { return before->result.has_value(); }));
    auto turn = m.acquire(4);
    REQUIRE(run_until(m.io, [&] { return turn->lease != nullptr; }));
    std::array<std::byte, 8> buffer{};
    std::optional<error_code> read_error;
    turn->lease->channel().async_read_some(buffer, [&](const error_code& ec, std::size_t) { read_error = ec; });
    turn->lease->release(true);
    REQUIRE(run_until(m.io, [&] { return read_error.has_value(); }));
    CHECK(*read_error == asio::error::operation_aborted);
    REQUIRE(run_until(m.io, [&] { return m.bus->stats().link_opens == 2; }));
    CHECK(m.bus->stats().link_losses == 1);
    CHECK(m.line->opens() == 2);

    auto after = m.submit(2);
    REQUIRE(run_until(m.io, [&] { return after->result.has_value(); }));
    CHECK(after->ok());
    m.stop();
}

TEST_CASE("a lease dropped without release, or outliving the bus, is safe") {
    SharedBus m;
    auto turn = m.acquire(4);
    REQUIRE(run_until(m.io, [&] { return turn->lease != nullptr; }));
    auto waiting = m.submit(2);
    turn->lease.reset();  // destroyed unreleased: gives the line back
    REQUIRE(run_until(m.io, [&] { return waiting->result.has_value(); }));
    CHECK(waiting->ok());

    auto kept = m.acquire(5);
    REQUIRE(run_until(m.io, [&] { return kept->lease != nullptr; }));
    CHECK(m.bus->line_description() == "shared (memory)");
    m.bus.reset();
    run_for(m.io, 5ms);
    CHECK_FALSE(kept->lease->channel().is_open());
    std::optional<error_code> tx_error;
    kept->lease->channel().async_transmit(foreign_frame, nullptr, [&](const error_code& ec) { tx_error = ec; });
    REQUIRE(run_until(m.io, [&] { return tx_error.has_value(); }));
    CHECK(*tx_error);
    kept->lease->release();
    run_for(m.io, 5ms);
}
