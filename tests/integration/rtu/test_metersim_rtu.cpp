// Eight JEMStar II slaves of metersim on one RTU line (a socat pty pair), one of them
// dead: the seven healthy meters are polled on their period and every value read is one
// metersim served. Driver level (MeterPoller on RtuBus); the gateway-level version runs
// gridgated itself.
#include <catch2/catch.hpp>

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "gridgate/core/clock.hpp"
#include "gridgate/modbus/meter_poller.hpp"
#include "gridgate/testing/child_process.hpp"
#include "rtu_fixture.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace gridgate::rtu_test;
using namespace std::chrono_literals;

namespace {

struct MeterLoop {
    std::unique_ptr<MeterPoller> poller;
    std::unique_ptr<boost::asio::steady_timer> timer;
    unsigned polls = 0, ok = 0, failed = 0;
    std::vector<PollOutcome> outcomes;
};

std::vector<PointDef> jemstar_points() {
    std::vector<PointDef> points{
        {"wh_del", Table::holding_register, 0, DataType::u32, 1, 0, "Wh"},
        {"wh_rec", Table::holding_register, 2, DataType::u32, 1, 0, "Wh"},
        {"varh_del", Table::holding_register, 4, DataType::u32, 1, 0, "varh"},
    };
    for (std::uint16_t a = 0; a < 19; ++a) points.push_back({"a" + std::to_string(a), Table::input_register, a, DataType::u16, 1, 0, ""});
    return points;
}

// (meter, fc, address) -> every register list metersim served for it.
std::map<std::tuple<std::string, int, int>, std::set<std::vector<std::uint16_t>>> served(const std::filesystem::path& log) {
    std::map<std::tuple<std::string, int, int>, std::set<std::vector<std::uint16_t>>> out;
    std::istringstream lines(testing::read_text_file(log));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        out[{j.at("meter").get<std::string>(), j.at("fc").get<int>(), j.at("addr").get<int>()}].insert(
            j.at("values").get<std::vector<std::uint16_t>>());
    }
    return out;
}

}  // namespace

TEST_CASE("8 metersim slaves on one line, one dead: the healthy ones keep their period, values are what was served") {
    RtuBusOptions options;
    options.health.timeouts_before_backoff = 2;
    options.health.backoff_initial = 2s;
    BusOnPty b(19200, options);
    const auto served_log = b.dir.file("served.jsonl");
    testing::ChildProcess sim({GG_RTU_METERSIM, "--rtu", b.line.slave_end(), "--slaves", "1-8", "--baud", "19200",
                               "--seed", "7", "--fault", "jem8=off", "--serve-log", served_log.string()},
                              b.dir.file("metersim.out"), b.dir.file("metersim.log"));
    REQUIRE(wait_for_output(b.dir.file("metersim.out"), "bus "));

    constexpr auto period = 1500ms;
    constexpr unsigned rounds = 4;
    SystemClock clock;
    std::map<int, MeterLoop> meters;
    for (int unit = 1; unit <= 8; ++unit) {
        MeterOptions m;
        m.meter_id = "jem" + std::to_string(unit);
        m.unit_id = static_cast<std::uint8_t>(unit);
        m.response_timeout = 200ms;
        m.source = Source::modbus_rtu;
        auto& loop = meters[unit];
        loop.poller = std::make_unique<MeterPoller>(*b.bus, clock, m, jemstar_points());
        loop.timer = std::make_unique<boost::asio::steady_timer>(b.io);
    }
    // Every meter polls at the same instants (worst case for the line): start, start + P, ...
    const auto start = std::chrono::steady_clock::now() + 100ms;
    std::function<void(int, unsigned)> schedule = [&](int unit, unsigned round) {
        auto& loop = meters[unit];
        loop.timer->expires_at(start + period * round);
        loop.timer->async_wait([&, unit, round](const boost::system::error_code& ec) {
            if (ec) return;
            ++loop.polls;
            const auto slot_end = start + period * (round + 1);
            loop.poller->poll([&, unit, round, slot_end](PollOutcome o) {
                // A healthy meter's poll must end within its own period.
                const bool on_time = std::chrono::steady_clock::now() < slot_end;
                if (o.blocks_failed == 0 && on_time) ++loop.ok;
                else ++loop.failed;
                loop.outcomes.push_back(std::move(o));
                if (round + 1 < rounds) schedule(unit, round + 1);
            });
        });
    };
    for (int unit = 1; unit <= 8; ++unit) schedule(unit, 0);
    REQUIRE(run_until(b.io, [&] {
        for (const auto& [unit, loop] : meters)
            if (loop.outcomes.size() < rounds) return false;
        return true;
    }, 30s));

    for (int unit = 1; unit <= 7; ++unit) {
        INFO("jem" << unit);
        CHECK(meters[unit].ok == rounds);
    }
    CHECK(meters[8].ok == 0);
    CHECK(meters[8].failed == rounds);

    const auto s = b.bus->stats();
    const auto dead = std::find_if(s.slaves.begin(), s.slaves.end(), [](const auto& sl) { return sl.unit_id == 8; });
    REQUIRE(dead != s.slaves.end());
    // Two timeouts back it off; at most one probe per backoff period follows; the rest
    // of its polls fail fast without touching the line.
    CHECK(dead->timeouts >= 2);
    CHECK(dead->timeouts <= 3);
    CHECK(dead->backed_off_skips >= 1);
    CHECK(s.crc_errors == 0);
    CHECK(s.garbage_bytes == 0);

    // Stop metersim so its served log is complete, then check every value read.
    b.stop();
    sim.stop();
    const auto log = served(served_log);
    std::size_t checked = 0;
    for (int unit = 1; unit <= 7; ++unit) {
        const std::string id = "jem" + std::to_string(unit);
        for (const auto& outcome : meters[unit].outcomes) {
            // Rebuild each block's registers from the readings: u32 counters (hi, lo), u16 analogs.
            std::vector<std::uint16_t> counters, analogs;
            for (const auto& r : outcome.readings) {
                if (r.point.rfind("a", 0) == 0 && r.point != "a") {
                    analogs.push_back(static_cast<std::uint16_t>(r.value));
                } else {
                    const auto raw = static_cast<std::uint32_t>(r.value);
                    counters.push_back(static_cast<std::uint16_t>(raw >> 16));
                    counters.push_back(static_cast<std::uint16_t>(raw & 0xFFFF));
                }
            }
            INFO(id);
            CHECK(log.at({id, 3, 0}).count(counters) == 1);
            CHECK(log.at({id, 4, 0}).count(analogs) == 1);
            checked += 2;
        }
    }
    CHECK(checked == 7 * rounds * 2);
}
