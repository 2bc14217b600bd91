// TimeMonitor with a scripted chronyd answer: first poll at once, transitions reported,
// flags for the hot path, prompt stop even in the middle of a query.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "gridgate/core/reading.hpp"
#include "gridgate/testing/wait.hpp"
#include "gridgate/time/time_monitor.hpp"

using namespace gridgate;
using namespace gridgate::timesync;
using namespace std::chrono_literals;
using gridgate::testing::wait_until;

namespace {

struct ScriptedChronyd {
    std::mutex mutex;
    std::optional<ChronyTracking> answer;  // nullopt: "not answering"
    bool hang = false;                     // block until cancelled

    TimeMonitor::TrackingSource source() {
        return [this](std::stop_token stop, std::string& failure) -> std::optional<ChronyTracking> {
            while (true) {
                {
                    std::lock_guard lock(mutex);
                    if (!hang) {
                        if (!answer) failure = "scripted silence";
                        return answer;
                    }
                }
                if (stop.stop_requested()) return std::nullopt;
                std::this_thread::sleep_for(1ms);
            }
        };
    }
    void set(std::optional<ChronyTracking> a) {
        std::lock_guard lock(mutex);
        answer = std::move(a);
    }
};

ChronyTracking synced_to_gps(const FakeClock& clock) {
    ChronyTracking t;
    t.ref_id = 0x47505300;  // "GPS"
    t.stratum = 1;
    t.leap_status = chrony::leap_normal;
    t.ref_time_us = clock.now_utc_us() - 1'000'000;
    t.root_delay_s = 0.2;
    t.root_dispersion_s = 0.01;
    t.last_update_interval_s = 16;
    return t;
}

struct Transition {
    TimeQuality before, after;
};

}  // namespace

TEST_CASE("the monitor polls at once, reports level changes and keeps the flags", "[time][monitor]") {
    FakeClock clock;
    ScriptedChronyd chronyd;
    TimeSourceConfig config;
    config.poll_interval = 1h;  // only start() and poll_now() poll in this test
    config.max_error = 500ms;
    config.holdover = 10min;

    std::mutex seen_mutex;
    std::vector<Transition> seen;
    TimeMonitor monitor(config, clock, chronyd.source(),
                        [&](const GatewayTimeStatus& before, const GatewayTimeStatus& after) {
                            std::lock_guard lock(seen_mutex);
                            seen.push_back({before.level, after.level});
                        });
    auto transitions = [&] {
        std::lock_guard lock(seen_mutex);
        return seen.size();
    };

    CHECK(monitor.quality_flags() == quality::time_unsynced);
    CHECK(monitor.status().reason == "chronyd not asked yet");

    chronyd.set(synced_to_gps(clock));
    monitor.start();
    REQUIRE(wait_until([&] { return monitor.polls() >= 1; }, 5s));
    CHECK(monitor.status().level == TimeQuality::synced);
    CHECK(monitor.status().source == "GPS");
    CHECK(monitor.quality_flags() == 0);
    REQUIRE(transitions() == 1);

    // Sources lost: chronyd keeps its last update, which ages.
    clock.advance(5min);
    monitor.poll_now();
    REQUIRE(wait_until([&] { return monitor.polls() >= 2; }, 5s));
    CHECK(monitor.status().level == TimeQuality::holdover);
    CHECK(monitor.quality_flags() == quality::time_holdover);

    clock.advance(11min);
    monitor.poll_now();
    REQUIRE(wait_until([&] { return monitor.polls() >= 3; }, 5s));
    CHECK(monitor.status().level == TimeQuality::unsynced);
    CHECK(monitor.quality_flags() == quality::time_unsynced);

    chronyd.set(std::nullopt);  // chronyd gone: still unsynced, no transition
    monitor.poll_now();
    REQUIRE(wait_until([&] { return monitor.polls() >= 4; }, 5s));
    CHECK(monitor.status().reason == "chronyd not answering: scripted silence");

    chronyd.set(synced_to_gps(clock));
    monitor.poll_now();
    REQUIRE(wait_until([&] { return monitor.polls() >= 5; }, 5s));
    CHECK(monitor.quality_flags() == 0);
    monitor.stop();

    std::lock_guard lock(seen_mutex);
    REQUIRE(seen.size() == 4);
    CHECK((seen[0].before == TimeQuality::unsynced && seen[0].after == TimeQuality::synced));
    CHECK((seen[1].before == TimeQuality::synced && seen[1].after == TimeQuality::holdover));
    CHECK((seen[2].before == TimeQuality::holdover && seen[2].after == TimeQuality::unsynced));
    CHECK((seen[3].before == TimeQuality::unsynced && seen[3].after == TimeQuality::synced));
}

TEST_CASE("the monitor polls again after poll_interval on its own", "[time][monitor]") {
    FakeClock clock;
    ScriptedChronyd chronyd;
    chronyd.set(synced_to_gps(clock));
    TimeSourceConfig config;
    config.poll_interval = 20ms;
    TimeMonitor monitor(config, clock, chronyd.source(), {});
    monitor.start();
    CHECK(wait_until([&] { return monitor.polls() >= 3; }, 5s));
}

TEST_CASE("stop() is prompt even while a query hangs", "[time][monitor]") {
    FakeClock clock;
    ScriptedChronyd chronyd;
    chronyd.hang = true;
    TimeSourceConfig config;
    TimeMonitor monitor(config, clock, chronyd.source(), {});
    monitor.start();
    std::this_thread::sleep_for(20ms);  // let the thread enter the query
    const auto t0 = std::chrono::steady_clock::now();
    monitor.stop();
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);  // a safety net, not a benchmark
    CHECK(monitor.polls() == 0);  // a cancelled query is not a verdict on chronyd
    CHECK(monitor.quality_flags() == quality::time_unsynced);
}

TEST_CASE("a disabled monitor never polls and flags readings", "[time][monitor]") {
    FakeClock clock;
    ScriptedChronyd chronyd;
    chronyd.set(synced_to_gps(clock));
    TimeSourceConfig config;
    config.enabled = false;
    TimeMonitor monitor(config, clock, chronyd.source(), {});
    monitor.start();
    monitor.poll_now();
    CHECK(monitor.polls() == 0);
    CHECK(monitor.quality_flags() == quality::time_unsynced);
    CHECK(monitor.status().reason == "time source monitoring disabled in the configuration");
}
