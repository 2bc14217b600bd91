// Three metersim DNP3 outstations over TCP whose clocks start 3 s fast and gain 50,000 ppm
// (50 ms a second, so that drift shows within a test), each read by the gateway's Dnp3Meter
// with its clock policy, on the system clock:
//   dnp1: gateway synced, tolerance 40 ms: set at the first check, then again whenever the
//         drift takes it beyond tolerance, and the drift alarm after two such sets;
//   dnp2: the same, but the gateway unsynced: measured and audited, never set, although
//         the outstation asks (NEED_TIME);
//   dnp3: gateway synced, tolerance 5 s: within, never set.
// The offsets measured are checked against the simulator's own account of its clock (the
// step each set made) and its drift rate.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dnp3_meter.hpp"
#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"
#include "gridgate/transport/tcp_byte_channel.hpp"

using namespace gridgate;
using namespace std::chrono_literals;
using gateway::MeterConfig;
using json = nlohmann::json;
using meterclock::GatewayTimeQuality;

namespace {

constexpr double drift_ppm = 50'000;

struct NoReadings final : DurableSink {
    void submit(std::vector<Reading>) override {}
    void submit_durable(std::vector<Reading>, std::function<void(bool)> done) override { done(true); }
};

struct Audit {
    std::string kind;
    json detail;
    TimestampUs at = 0;  // when recorded: right after the measurement
};

// Runs on the io thread only (the test drives the io_context itself).
struct Events final : EventSink {
    explicit Events(const Clock& c) : clock(c) {}
    void record_event(std::string_view kind, std::string_view detail) override {
        all.push_back({std::string(kind), json::parse(detail), clock.now_utc_us()});
    }
    std::vector<Audit> of(const std::string& meter, const std::string& kind) const {
        std::vector<Audit> out;
        for (const auto& a : all)
            if (a.kind == kind && a.detail["meter"] == meter) out.push_back(a);
        return out;
    }
    const Clock& clock;
    std::vector<Audit> all;
};

MeterConfig clock_meter(const std::string& id, Duration tolerance) {
    MeterConfig m;
    m.id = id;
    m.protocol = "dnp3";
    m.connection = id;
    m.dnp3.address = 1;
    m.dnp3.response_timeout = 2s;
    m.dnp3.integrity_period = Duration::zero();
    m.dnp3.class0_period = Duration::zero();
    m.dnp3.class1_period = Duration::zero();
    m.dnp3.time_sync = "lan";
    m.clock.check_period = 1s;
    m.clock.tolerance = tolerance;
    m.clock.set = true;
    m.clock.max_step = std::chrono::minutes(5);
    m.clock.guard = Duration::zero();  // the guard window is a unit-test matter: wall time here is real
    m.clock.drift_alarm_after = 2;
    m.clock.protocols = {meterclock::ClockProtocol::dnp3};
    return m;
}

// "<meter> <host> <port>" lines metersim printed.
std::map<std::string, std::uint16_t> ports_printed(const std::filesystem::path& out) {
    std::map<std::string, std::uint16_t> ports;
    std::istringstream lines(testing::read_text_file(out));
    std::string id, host;
    unsigned port = 0;
    while (lines >> id >> host >> port) ports[id] = static_cast<std::uint16_t>(port);
    return ports;
}

// The simulator's account of the time sets: (meter, step_ms) in order.
std::vector<std::pair<std::string, std::int64_t>> sim_time_sets(const std::filesystem::path& log) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    std::istringstream lines(testing::read_text_file(log));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        const json j = json::parse(line);
        if (j.value("event", "") == "dnp3_time_set") out.emplace_back(j["meter"], j["step_ms"].get<std::int64_t>());
    }
    return out;
}

}  // namespace

TEST_CASE("metersim clocks off and drifting: offsets measured, sets only as the policy says, all audited") {
    testing::TempDir dir;
    const auto served = dir.file("served.jsonl");
    testing::ChildProcess sim({GG_METERSIM, "--meters", "0", "--dnp3-meters", "3", "--dnp3-base-port", "0",
                               "--host", "127.0.0.1", "--print-ports", "--dnp3-clock-offset", "3s",
                               "--dnp3-clock-drift", "50000", "--serve-log", served.string(), "--log-level", "warn"},
                              dir.file("metersim.out"), dir.file("metersim.log"));
    REQUIRE(testing::wait_until([&] { return ports_printed(dir.file("metersim.out")).size() == 3; }, 20s));
    const auto ports = ports_printed(dir.file("metersim.out"));

    boost::asio::io_context io;
    SystemClock clock;
    Logger logger{LogLevel::warn};
    NoReadings readings;
    Events events(clock);
    gateway::SharedDedup dedup;
    const std::map<std::string, std::pair<Duration, GatewayTimeQuality>> setups{
        {"dnp1", {40ms, GatewayTimeQuality::synced}},
        {"dnp2", {40ms, GatewayTimeQuality::unsynced}},
        {"dnp3", {5s, GatewayTimeQuality::synced}}};
    std::vector<std::unique_ptr<transport::OwnedLine>> lines;
    std::vector<std::unique_ptr<gateway::Dnp3Meter>> meters;
    for (const auto& [id, setup] : setups) {
        transport::TcpChannelOptions tcp;
        tcp.host = "127.0.0.1";
        tcp.port = ports.at(id);
        transport::OwnedLineOptions line_options;
        line_options.name = id;
        lines.push_back(std::make_unique<transport::OwnedLine>(
            io.get_executor(),
            [&logger, tcp](const boost::asio::any_io_executor& strand) {
                return std::make_unique<transport::TcpByteChannel>(strand, tcp, logger);
            },
            line_options, logger));
        const GatewayTimeQuality quality = setup.second;
        meters.push_back(std::make_unique<gateway::Dnp3Meter>(*lines.back(), clock, clock_meter(id, setup.first),
                                                              false, readings, events, nullptr, dedup, logger,
                                                              [quality] { return quality; }));
        meters.back()->start();
    }
    const auto run_until = [&](auto done, Duration guard) {
        const auto deadline = std::chrono::steady_clock::now() + guard;
        while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(10ms);
        return done();
    };
    const bool drifted = run_until(
        [&] {
            return !events.of("dnp1", "meter_clock_drift").empty() &&
                   events.of("dnp2", "meter_time_check").size() >= 3 && events.of("dnp3", "meter_time_check").size() >= 3;
        },
        20s);
    std::size_t stopped = 0;
    for (auto& m : meters) m->stop([&] { ++stopped; });
    REQUIRE(run_until([&] { return stopped == meters.size(); }, 10s));
    for (auto& l : lines) l->stop([&] { ++stopped; });
    REQUIRE(run_until([&] { return stopped == 2 * meters.size(); }, 10s));
    REQUIRE(drifted);

    // dnp1: set at the first check (3 s off), then each time drift took it past 40 ms.
    const auto sets = events.of("dnp1", "meter_time_set");
    REQUIRE(sets.size() >= 3);
    CHECK(sets[0].detail["offset_before_ms"].get<double>() == Approx(3000).margin(150));
    for (const auto& s : sets) {
        CHECK(s.detail["result"] == "ok");
        CHECK(s.detail["procedure"] == "lan");
        CHECK(std::abs(s.detail["offset_after_ms"].get<double>()) < 10);
    }
    for (std::size_t i = 1; i < sets.size(); ++i) CHECK(sets[i].detail["offset_before_ms"].get<double>() > 40);
    // The simulator stepped its clock by what we measured, in the other direction.
    // (Its log may reach the file a moment later.)
    testing::wait_until([&] { return sim_time_sets(served).size() >= sets.size(); }, 5s);
    std::vector<std::int64_t> steps;
    for (const auto& [meter, step] : sim_time_sets(served)) {
        CHECK(meter == "dnp1");  // nobody else was set
        steps.push_back(step);
    }
    REQUIRE(steps.size() == sets.size());
    for (std::size_t i = 0; i < steps.size(); ++i)
        CHECK(static_cast<double>(steps[i]) == Approx(-sets[i].detail["offset_before_ms"].get<double>()).margin(10));
    const auto drift = events.of("dnp1", "meter_clock_drift");
    REQUIRE(drift.size() == 1);
    CHECK(drift[0].detail["consecutive"] == 2);
    CHECK(drift[0].detail["drift_ppm"].get<double>() == Approx(drift_ppm).epsilon(0.15));
    for (const auto& c : events.of("dnp1", "meter_time_check")) CHECK(c.detail["gateway_time_quality"] == "synced");

    // dnp2: asked (NEED_TIME, the simulator's clock was never set), measured, refused.
    const auto unsynced = events.of("dnp2", "meter_time_check");
    CHECK(unsynced.front().detail["need_time"] == true);
    for (const auto& c : unsynced) {
        CHECK(c.detail["action"] == "refuse");
        CHECK(c.detail["reason"] == "gateway_unsynced");
        CHECK(c.detail["offset_before_ms"].get<double>() > 2990);  // 3 s fast, and gaining
    }
    CHECK(events.of("dnp2", "meter_time_set").empty());

    // dnp3: within 5 s, never set; its offset grows at the simulator's drift rate.
    const auto within = events.of("dnp3", "meter_time_check");
    for (const auto& c : within) CHECK(c.detail["reason"] == "within_tolerance");
    CHECK(events.of("dnp3", "meter_time_set").empty());
    const Audit& first = within.front();
    const Audit& last = within.back();
    const double gained_ms =
        last.detail["offset_before_ms"].get<double>() - first.detail["offset_before_ms"].get<double>();
    const double elapsed_ms = static_cast<double>(last.at - first.at) / 1000.0;
    REQUIRE(elapsed_ms > 1000);
    CHECK(gained_ms / elapsed_ms * 1e6 == Approx(drift_ppm).epsilon(0.1));
    CHECK(meters[2]->clock_status()["last_offset_ms"].get<double>() == Approx(last.detail["offset_before_ms"].get<double>()));
}
