// PointMap: DNP3 point values to readings (scale, unit, timestamps, quality, rollover).
#include <catch2/catch.hpp>

#include "gridgate/dnp3/point_map.hpp"

using namespace gridgate;
using namespace gridgate::dnp3;

namespace {

constexpr TimestampUs received = 1'700'000'000'000'000;

PointValue value(PointKind kind, std::uint8_t group, std::uint8_t variation, std::uint32_t index, double v) {
    PointValue p;
    p.kind = kind;
    p.group = group;
    p.variation = variation;
    p.index = index;
    p.value = v;
    return p;
}

PointValue counter(std::uint32_t index, double v) { return value(PointKind::counter, 20, 5, index, v); }

PointValue counter_event(std::uint32_t index, double v, DnpTime time_ms) {
    auto p = value(PointKind::counter_event, 22, 5, index, v);
    p.has_flags = true;
    p.flags = flags::online;
    p.time = time_ms;
    return p;
}

PointMapping mapping(std::string name, PointType type, std::uint32_t index, Rollover rollover = Rollover::none) {
    PointMapping m;
    m.name = std::move(name);
    m.type = type;
    m.index = index;
    m.rollover = rollover;
    return m;
}

}  // namespace

TEST_CASE("names of point types and rollovers") {
    CHECK(parse_point_type("frozen_counter") == PointType::frozen_counter);
    CHECK(parse_point_type("analog_input") == PointType::analog_input);
    CHECK_FALSE(parse_point_type("analog").has_value());
    CHECK(std::string(to_string(PointType::binary_output)) == "binary_output");
    CHECK(parse_rollover("32bit") == Rollover::bits32);
    CHECK(parse_rollover("999999999") == Rollover::decimal9);
    CHECK(parse_rollover("none") == Rollover::none);
    CHECK_FALSE(parse_rollover("16bit").has_value());
    CHECK(static_type(PointKind::frozen_counter_event) == PointType::frozen_counter);
    CHECK(static_type(PointKind::counter_event) == PointType::counter);
    CHECK(static_type(PointKind::analog_input_event) == PointType::analog_input);
    CHECK(static_type(PointKind::binary_input_event) == PointType::binary_input);
    CHECK(static_type(PointKind::binary_output) == PointType::binary_output);
}

TEST_CASE("scale, offset, unit, source and timestamps") {
    auto energy = mapping("wh_del", PointType::counter, 1);
    energy.scale = 0.001;
    energy.unit = "kWh";
    auto amps = mapping("amps_a", PointType::analog_input, 16);
    amps.scale = 20.0 / 32767.0;
    amps.offset = 0.5;
    amps.unit = "A";
    PointMap map("jem1", {energy, amps});

    std::vector<bool> meter_time;
    const auto readings = map.map({counter(1, 123456), value(PointKind::analog_input, 30, 4, 16, 20578),
                                   counter_event(1, 123999, 1'699'999'000'123), counter(7, 1)},
                                  received, quality::good, meter_time);
    REQUIRE(readings.size() == 3);
    CHECK(map.unmapped() == 1);
    CHECK(readings[0].meter == "jem1");
    CHECK(readings[0].point == "wh_del");
    CHECK(readings[0].value == Approx(123.456));
    CHECK(readings[0].unit == "kWh");
    CHECK(readings[0].source == Source::dnp3);
    CHECK(readings[0].ts_us == received);
    CHECK(readings[0].quality == quality::good);
    CHECK(readings[1].point == "amps_a");
    CHECK(readings[1].value == Approx(20578 * 20.0 / 32767.0 + 0.5));
    // An event goes to the point of its static type, at its own time.
    CHECK(readings[2].point == "wh_del");
    CHECK(readings[2].ts_us == 1'699'999'000'123'000);
    CHECK(meter_time == std::vector<bool>{false, false, true});
}

TEST_CASE("quality: invalid without ONLINE, extra quality on all") {
    PointMap map("m", {mapping("v", PointType::analog_input, 0), mapping("w", PointType::analog_input, 1)});
    auto offline = value(PointKind::analog_input, 30, 1, 0, 5);
    offline.has_flags = true;
    offline.flags = flags::comm_lost;
    auto online = value(PointKind::analog_input, 30, 1, 1, 6);
    online.has_flags = true;
    online.flags = flags::online;
    auto no_flags = value(PointKind::analog_input, 30, 3, 1, 7);
    no_flags.flags = 0;  // a variation without flags: nothing to judge by
    const auto r = map.map({offline, online, no_flags}, received, quality::meter_clock_suspect);
    REQUIRE(r.size() == 3);
    CHECK(r[0].quality == (quality::invalid | quality::meter_clock_suspect));
    CHECK(r[1].quality == quality::meter_clock_suspect);
    CHECK(r[2].quality == quality::meter_clock_suspect);
}

TEST_CASE("counter rollover and reset are both flagged overflow") {
    PointMap map("m", {mapping("c32", PointType::counter, 0, Rollover::bits32),
                       mapping("c9", PointType::counter, 1, Rollover::decimal9),
                       mapping("plain", PointType::counter, 2)});

    SECTION("a wrap from the top 10 % of the 32-bit range") {
        map.map({counter(0, 4'200'000'000.0)}, received);
        const auto r = map.map({counter(0, 5'000)}, received + 1);
        CHECK(r.at(0).quality == quality::overflow);
        CHECK(map.rollovers() == 1);
        CHECK(map.resets() == 0);
        // and from there it counts on normally
        CHECK(map.map({counter(0, 6'000)}, received + 2).at(0).quality == quality::good);
    }
    SECTION("a wrap at 999,999,999") {
        map.map({counter(1, 999'999'000.0)}, received);
        CHECK(map.map({counter(1, 12)}, received + 1).at(0).quality == quality::overflow);
        CHECK(map.rollovers() == 1);
    }
    SECTION("a drop from lower down is a reset") {
        map.map({counter(1, 500'000'000.0)}, received);
        CHECK(map.map({counter(1, 12)}, received + 1).at(0).quality == quality::overflow);
        CHECK(map.rollovers() == 0);
        CHECK(map.resets() == 1);
    }
    SECTION("a counter that never wraps: any drop is a reset") {
        map.map({counter(2, 4'200'000'000.0)}, received);
        CHECK(map.map({counter(2, 1)}, received + 1).at(0).quality == quality::overflow);
        CHECK(map.resets() == 1);
    }
    SECTION("the ROLLOVER flag") {
        auto flagged = value(PointKind::counter, 20, 1, 0, 10);
        flagged.has_flags = true;
        flagged.flags = flags::online | flags::rollover;
        CHECK(map.map({flagged}, received).at(0).quality == quality::overflow);
    }
    SECTION("values are compared in time order: an older event says nothing") {
        map.map({counter_event(0, 1000, 2'000'000)}, received);
        const auto r = map.map({counter_event(0, 900, 1'999'000), counter_event(0, 1100, 2'001'000)}, received);
        CHECK(r.at(0).quality == quality::good);
        CHECK(r.at(1).quality == quality::good);
        CHECK(map.map({counter_event(0, 1000, 2'002'000)}, received).at(0).quality == quality::overflow);
    }
    SECTION("an increase or a repeat is not a rollover") {
        map.map({counter(0, 10)}, received);
        CHECK(map.map({counter(0, 10)}, received + 1).at(0).quality == quality::good);
        CHECK(map.map({counter(0, 11)}, received + 2).at(0).quality == quality::good);
        CHECK(map.rollovers() + map.resets() == 0);
    }
}

TEST_CASE("16-bit counter variations wrap at 65,535") {
    PointMap map("m", {mapping("c", PointType::counter, 0, Rollover::bits32)});
    map.map({value(PointKind::counter, 20, 6, 0, 65'000)}, received);
    CHECK(map.map({value(PointKind::counter, 20, 6, 0, 3)}, received + 1).at(0).quality == quality::overflow);
    CHECK(map.rollovers() == 1);
}

TEST_CASE("analogs are never taken for counters") {
    PointMap map("m", {mapping("p", PointType::analog_input, 0)});
    map.map({value(PointKind::analog_input, 30, 3, 0, 1000)}, received);
    CHECK(map.map({value(PointKind::analog_input, 30, 3, 0, -5)}, received + 1).at(0).quality == quality::good);
}

TEST_CASE("events of an outstation keeping local time are converted with its zone") {
    PointMap map("m1", {mapping("wh", PointType::counter, 0)});
    // 2026-07-01T12:00:00 as a New York clock shows it (EDT, UTC-4) is 16:00Z.
    constexpr TimestampUs noon_z = 1'782'907'200'000'000;  // 2026-07-01T12:00:00Z
    constexpr DnpTime noon_local_ms = 1'782'907'200'000;
    const auto utc_readings = map.map({counter_event(0, 5, noon_local_ms)}, noon_z);
    REQUIRE(utc_readings.size() == 1);
    CHECK(utc_readings[0].ts_us == noon_z);  // no zone: the time is UTC

    map.set_time_zone(TimeZone::load("America/New_York"));
    const auto local_readings = map.map({counter_event(0, 6, noon_local_ms)}, noon_z + 4 * 3'600'000'000LL);
    REQUIRE(local_readings.size() == 1);
    CHECK(local_readings[0].ts_us == noon_z + 4 * 3'600'000'000LL);

    // 01:30 on the fall-back night happens twice: the instant nearest the exchange wins.
    constexpr DnpTime repeated_local_ms = 1'793'496'600'000;   // 2026-11-01T01:30:00 local
    constexpr TimestampUs first_pass = 1'793'511'000'000'000;  // 05:30Z (EDT)
    constexpr TimestampUs second_pass = 1'793'514'600'000'000; // 06:30Z (EST)
    CHECK(map.map({counter_event(0, 7, repeated_local_ms)}, first_pass + 1'000'000)[0].ts_us == first_pass);
    CHECK(map.map({counter_event(0, 8, repeated_local_ms)}, second_pass + 1'000'000)[0].ts_us == second_pass);
}
