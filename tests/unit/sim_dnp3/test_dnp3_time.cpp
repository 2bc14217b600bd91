// Time: NEED_TIME after the write time interval, WRITE g50v1, the LAN procedure
// (RECORD_CURRENT_TIME + WRITE g50v3), DELAY_MEASURE, the Global Time Set switch, the
// meter clock's offset and drift; DEVICE_RESTART and its clearing.
#include <nlohmann/json.hpp>

#include "dnp3_harness.hpp"

using namespace dnp3_test;
using Q = d::Qualifier;

namespace {
std::uint64_t read_time(Harness& h) {
    const d::Response r = h.read(50, 1, Q::count_8);
    REQUIRE(r.time);
    return *r.time;
}
}  // namespace

TEST_CASE("dnp3: NEED_TIME until a time set, and again after the write time interval", "[sim][dnp3][time]") {
    Harness h;
    CHECK(h.read(20, 5).iin.has(d::Iin::need_time));
    const std::uint64_t set_to = 1'800'000'000'000;
    const d::Response w = h.request(d::encode_write_time(h.next_control(), set_to));
    CHECK(w.headers.empty());
    CHECK_FALSE(w.iin.has(d::Iin::need_time));
    CHECK(h.o->meter_time_ms(h.now.utc_us) == set_to);
    REQUIRE(h.log.size() == 1);
    const auto line = nlohmann::json::parse(h.log[0]);
    CHECK(line.at("event") == "dnp3_time_set");
    CHECK(line.at("procedure") == "write");
    CHECK(line.at("after_ms") == set_to);
    CHECK(line.at("step_ms") == static_cast<std::int64_t>(set_to) - utc0 / 1000);

    h.advance(std::chrono::milliseconds(1500));
    CHECK(read_time(h) == set_to + 1500);
    h.advance(std::chrono::seconds(58));
    CHECK_FALSE(h.read(20, 5).iin.has(d::Iin::need_time));
    h.advance(std::chrono::milliseconds(500));  // one minute after the set
    CHECK(h.read(20, 5).iin.has(d::Iin::need_time));
    CHECK(h.o->stats().time_sets == 1);
}

TEST_CASE("dnp3: a write time interval of 0 never asks for the time", "[sim][dnp3][time]") {
    Dnp3Options options;
    options.write_time_interval = Duration::zero();
    Harness h(options);
    CHECK_FALSE(h.read(20, 5).iin.has(d::Iin::need_time));
}

TEST_CASE("dnp3: the LAN procedure sets the clock to the master's time at the recorded moment", "[sim][dnp3][time]") {
    Dnp3Options options;
    options.clock_offset = -std::chrono::seconds(5);
    Harness h(options);
    CHECK(read_time(h) == static_cast<std::uint64_t>(utc0 / 1000 - 5000));

    // WRITE g50v3 without a recorded time is refused.
    CHECK(h.request(d::encode_write_last_recorded_time(h.next_control(), 1)).iin.has(d::Iin::parameter_error));

    const d::Response recorded =
        h.request(d::encode_function_only(h.next_control(), d::FunctionCode::record_current_time));
    CHECK(recorded.headers.empty());
    h.advance(std::chrono::milliseconds(300));
    // The master says: when you recorded, it was utc0 (ms).
    const std::uint64_t master_then = utc0 / 1000;
    const d::Response set = h.request(d::encode_write_last_recorded_time(h.next_control(), master_then));
    CHECK_FALSE(set.iin.has(d::Iin::need_time));
    CHECK_FALSE(set.iin.has(d::Iin::parameter_error));
    CHECK(h.o->meter_time_ms(h.now.utc_us) == master_then + 300);  // now exactly on the system clock
    CHECK(nlohmann::json::parse(h.log.back()).at("procedure") == "lan");
    CHECK(nlohmann::json::parse(h.log.back()).at("step_ms") == 5000);
}

TEST_CASE("dnp3: DELAY_MEASURE reports the outstation's turnaround", "[sim][dnp3][time]") {
    Harness h;
    const d::Response r = h.request(d::encode_function_only(h.next_control(), d::FunctionCode::delay_measure));
    REQUIRE(r.delay_ms);
    CHECK(*r.delay_ms == 0);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].group == 52);
    CHECK(r.headers[0].variation == 2);
    h.o->set_fault(Fault{FaultKind::slow, std::chrono::milliseconds(250), 0});
    const d::Response slow = h.request(d::encode_function_only(h.next_control(), d::FunctionCode::delay_measure));
    CHECK(slow.delay_ms == 250u);
}

TEST_CASE("dnp3: without Global Time Set, time writes are answered and ignored", "[sim][dnp3][time]") {
    Dnp3Options options;
    options.global_time_set = false;
    Harness h(options);
    const d::Response w = h.request(d::encode_write_time(h.next_control(), 1'800'000'000'000));
    CHECK(w.iin.has(d::Iin::need_time));
    CHECK(h.o->meter_time_ms(h.now.utc_us) == static_cast<std::uint64_t>(utc0 / 1000));
    CHECK(h.o->stats().time_sets_ignored == 1);
    CHECK(h.log.empty());
}

TEST_CASE("dnp3: the meter clock drifts from the system clock", "[sim][dnp3][time]") {
    Dnp3Options options;
    options.clock_drift_ppm = 100.0;
    Harness h(options);
    h.advance(std::chrono::seconds(1000));
    CHECK(h.o->meter_time_ms(h.now.utc_us) == static_cast<std::uint64_t>(utc0 / 1000 + 1'000'000 + 100));

    MeterClock clock(0, Duration::zero(), -50.0);
    CHECK(clock.read_us(1'000'000'000) == 1'000'000'000 - 50'000);
    CHECK(clock.system_time_when(clock.read_us(123'456'789)) == 123'456'789);
    clock.set(10, 5'000);
    CHECK(clock.read_us(10) == 5'000);
}

TEST_CASE("dnp3: DEVICE_RESTART until cleared by WRITE g80v1 index 7, set again by a restart", "[sim][dnp3][time]") {
    Harness h;
    CHECK(h.read(20, 5).iin.has(d::Iin::device_restart));
    const d::Response cleared = h.request(d::encode_clear_restart(h.next_control()));
    CHECK_FALSE(cleared.iin.has(d::Iin::device_restart));
    CHECK_FALSE(cleared.iin.has(d::Iin::parameter_error));
    CHECK_FALSE(h.read(20, 5).iin.has(d::Iin::device_restart));

    // Only DEVICE_RESTART may be written, and only to 0.
    const std::uint8_t set_restart[] = {h.next_control().encode(), 2, 80, 1, 0x00, 7, 7, 0x01};
    CHECK(h.request({std::begin(set_restart), std::end(set_restart)}).iin.has(d::Iin::parameter_error));
    const std::uint8_t clear_need_time[] = {h.next_control().encode(), 2, 80, 1, 0x00, 4, 4, 0x00};
    const d::Response refused = h.request({std::begin(clear_need_time), std::end(clear_need_time)});
    CHECK(refused.iin.has(d::Iin::parameter_error));
    CHECK(refused.iin.has(d::Iin::need_time));

    h.request(d::encode_write_time(h.next_control(), 1'800'000'000'000));
    for (const auto fc : {d::FunctionCode::cold_restart, d::FunctionCode::warm_restart}) {
        const d::Response r = h.request(d::encode_function_only(h.next_control(), fc));
        CHECK(r.iin.has(d::Iin::device_restart));
        CHECK(r.iin.has(d::Iin::need_time));  // the restarted DNP process wants the time again
        CHECK(r.delay_ms == 0u);
        h.request(d::encode_clear_restart(h.next_control()));
    }
    h.o->restart(h.now);
    CHECK(h.read(20, 5).iin.has(d::Iin::device_restart));
    CHECK(h.o->stats().restarts == 3);
}
