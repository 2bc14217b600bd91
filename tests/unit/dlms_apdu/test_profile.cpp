// Profile generic buffers: capture objects, column layout, the reference meter's worked
// example (meter-dlms.md 6.3) decoded into entries, null clocks, bad rows, and the
// interval status word mapped to reading quality flags.
#include <catch2/catch.hpp>

#include "apdu_test.hpp"
#include "gridgate/core/reading.hpp"
#include "gridgate/dlms/profile.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::must;

namespace {

constexpr Obis operating_status{{0, 0, 96, 5, 0, 255}};  // the manual gives no OBIS; any class-1 object
constexpr Obis system_bit{{1, 0, 192, 27, 0, 255}};

// The worked example's capture objects: clock, status, then six channels (Whr del, Whr
// rec, VARhr del, VARhr rec, status word trigger bit, status word system bit).
std::vector<CaptureObject> example_columns() {
    return {
        {8, obis::clock, 2, 0},
        {1, operating_status, 2, 0},
        {3, Obis{{1, 0, 1, 29, 0, 255}}, 2, 0},
        {3, Obis{{1, 0, 2, 29, 0, 255}}, 2, 0},
        {3, Obis{{1, 0, 3, 29, 0, 255}}, 2, 0},
        {3, Obis{{1, 0, 4, 29, 0, 255}}, 2, 0},
        {3, Obis{{1, 0, 191, 27, 0, 255}}, 2, 0},
        {3, system_bit, 2, 0},
    };
}

// 2019-06-26 (a Wednesday) local time, as the meter sends it.
CosemDateTime meter_time(std::uint8_t hour, std::uint8_t minute, std::int16_t deviation, std::uint8_t status) {
    CosemDateTime t;
    t.year = 2019;
    t.month = 6;
    t.day = 26;
    t.day_of_week = 3;
    t.hour = hour;
    t.minute = minute;
    t.second = 0;
    t.hundredths = 0;
    t.deviation = deviation;
    t.status = status;
    return t;
}

Data octets(const CosemDateTime& t) {
    const auto o = encode_date_time(t);
    return Data::octet_string(std::vector<std::uint8_t>(o.begin(), o.end()));
}

Data row(Data clock, std::uint32_t status, std::initializer_list<float> channels) {
    std::vector<Data> items{std::move(clock), Data::double_long_unsigned(status)};
    for (const float c : channels) items.push_back(Data::float32(c));
    return Data::structure(std::move(items));
}

// Records 0 and 1 of the manual's example.
Data example_buffer(std::int16_t deviation, std::uint8_t clock_status_octet) {
    return Data::array({
        row(octets(meter_time(13, 18, deviation, clock_status_octet)), 64, {0.01f, 0.0f, 0.018f, 0.0f, 0.0f, 1280.0f}),
        row(octets(meter_time(13, 20, deviation, clock_status_octet)), 1, {2.231f, 0.0f, 3.861f, 0.0f, 0.0f, 1280.0f}),
    });
}

constexpr TimestampUs utc_13_18_edt = 1561569480LL * 1000000;  // 2019-06-26T17:18:00Z
constexpr TimestampUs utc_13_20_edt = 1561569600LL * 1000000;  // 2019-06-26T17:20:00Z
constexpr Duration five_minutes{300LL * 1000000};

void check_example(const ProfileDecode& d) {
    CHECK(d.error.empty());
    CHECK(d.skipped == 0);
    REQUIRE(d.entries.size() == 2);
    const ProfileEntry& r0 = d.entries[0];
    CHECK(r0.end_us == utc_13_18_edt);
    CHECK_FALSE(r0.time_derived);
    CHECK(r0.time.hour == 13);
    CHECK(r0.time.minute == 18);
    REQUIRE(r0.status);
    CHECK(*r0.status == 64);
    CHECK(interval_status_quality(*r0.status) == quality::config_change);
    REQUIRE(r0.values.size() == 8);
    CHECK_FALSE(r0.values[0]);  // the clock column is no number
    CHECK(r0.values[1] == 64.0);
    CHECK(*r0.values[2] == Approx(0.01).margin(1e-8));
    CHECK(*r0.values[3] == 0.0);
    CHECK(*r0.values[4] == Approx(0.017999999).margin(1e-8));
    CHECK(*r0.values[5] == 0.0);
    CHECK(*r0.values[6] == 0.0);
    CHECK(*r0.values[7] == 1280.0);

    const ProfileEntry& r1 = d.entries[1];
    CHECK(r1.end_us == utc_13_20_edt);
    REQUIRE(r1.status);
    CHECK(*r1.status == 1);
    CHECK(interval_status_quality(*r1.status) == quality::good);
    CHECK(*r1.values[2] == Approx(2.230999947).margin(1e-8));
    CHECK(*r1.values[4] == Approx(3.861000061).margin(1e-8));
    CHECK(*r1.values[7] == 1280.0);
}

}  // namespace

TEST_CASE("capture objects parse, encode and give the layout") {
    // The clock column as the meter sends it.
    const auto clock_column = decode_data(hex("02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00"));
    REQUIRE(clock_column.data);
    const auto one = must(parse_capture_objects(Data::array({*clock_column.data})));
    REQUIRE(one.size() == 1);
    CHECK(one[0] == CaptureObject{8, obis::clock, 2, 0});

    const auto columns = example_columns();
    const Data attribute3 = encode_capture_objects(columns);
    CHECK(attribute3.items[0] == *clock_column.data);
    CHECK(must(parse_capture_objects(attribute3)) == columns);

    const ProfileLayout layout = find_layout(columns);
    CHECK(layout.clock_column == 0u);
    CHECK(layout.status_column == 1u);
    CHECK(find_layout(columns, system_bit).status_column == 7u);
    CHECK_FALSE(find_layout(columns, Obis{{9, 9, 9, 9, 9, 9}}).status_column);
    const ProfileLayout none = find_layout({{3, Obis{{1, 0, 1, 29, 0, 255}}, 2, 0}});
    CHECK_FALSE(none.clock_column);
    CHECK_FALSE(none.status_column);
}

TEST_CASE("malformed capture objects are refused") {
    CHECK_FALSE(parse_capture_objects(Data::null()));
    CHECK(must(parse_capture_objects(Data::array({}))).empty());
    const auto bad = [](Data element) { return static_cast<bool>(parse_capture_objects(Data::array({element}))); };
    const Data name = Data::octet_string({0, 0, 1, 0, 0, 255});
    CHECK(bad(Data::structure({Data::long_unsigned(8), name, Data::integer8(2), Data::long_unsigned(0)})));
    CHECK_FALSE(bad(Data::structure({Data::long_unsigned(8), name, Data::integer8(2)})));
    CHECK_FALSE(bad(Data::structure({Data::long_unsigned(8), Data::octet_string({0, 0, 1}), Data::integer8(2),
                                     Data::long_unsigned(0)})));
    CHECK_FALSE(bad(Data::structure({Data::double_long(-8), name, Data::integer8(2), Data::long_unsigned(0)})));
    CHECK_FALSE(bad(Data::structure({Data::long_unsigned(8), name, Data::long_unsigned(300), Data::long_unsigned(0)})));
    CHECK_FALSE(bad(Data::structure({Data::long_unsigned(8), name, Data::integer8(2), Data::visible_string("0")})));
    CHECK_FALSE(bad(Data::long_unsigned(8)));
}

TEST_CASE("the reference meter's worked example, deviation not specified, US Eastern zone") {
    TimeInterpretation how;
    how.zone = LocalZone{-300, DstRule::us, 60};
    const auto columns = example_columns();
    // Deviation 0x8000, clock status DST active: local time in the zone.
    check_example(decode_profile_buffer(example_buffer(CosemDateTime::deviation_not_specified,
                                                       clock_status::daylight_saving_active),
                                        columns.size(), find_layout(columns), five_minutes, how));
}

TEST_CASE("the reference meter's worked example with a deviation") {
    const auto columns = example_columns();
    // Blue Book sign: UTC = local + 240 min in EDT.
    check_example(decode_profile_buffer(example_buffer(240, 0x80), columns.size(), find_layout(columns), five_minutes,
                                        TimeInterpretation{}));
    // The same buffer once through A-XDR, as it arrives in the GET response.
    const Data wire = must(decode_block_result(encode_data(example_buffer(240, 0x80))));
    check_example(
        decode_profile_buffer(wire, columns.size(), find_layout(columns), five_minutes, TimeInterpretation{}));
}

TEST_CASE("null clocks continue from the previous entry; bad rows are skipped") {
    const auto columns = example_columns();
    const auto layout = find_layout(columns);
    const Data t0 = octets(meter_time(13, 20, 240, 0x80));
    const Data buffer = Data::array({
        row(Data::null(), 1, {1, 2, 3, 4, 5, 6}),        // no previous entry: skipped
        row(t0, 1, {1, 2, 3, 4, 5, 6}),                  // 13:20
        row(Data::null(), 0, {1, 2, 3, 4, 5, 6}),        // 13:25 derived
        row(Data::null(), 4, {1, 2, 3, 4, 5, 6}),        // 13:30 derived
        Data::structure({t0, Data::null()}),             // wrong size: skipped, breaks the chain
        row(Data::null(), 1, {1, 2, 3, 4, 5, 6}),        // skipped: no usable previous time
        row(Data::visible_string("13:45"), 1, {1, 2, 3, 4, 5, 6}),  // not a date-time: skipped
        row(octets(meter_time(13, 50, 240, 0x80)), 8, {1, 2, 3, 4, 5, 6}),
        Data::long_unsigned(5),                          // not a structure: skipped
    });
    const ProfileDecode d = decode_profile_buffer(buffer, columns.size(), layout, five_minutes, TimeInterpretation{});
    CHECK(d.skipped == 5);
    REQUIRE(d.entries.size() == 4);
    CHECK(d.entries[0].end_us == utc_13_20_edt);
    CHECK_FALSE(d.entries[0].time_derived);
    CHECK(d.entries[1].end_us == utc_13_20_edt + five_minutes.count());
    CHECK(d.entries[1].time_derived);
    CHECK(d.entries[2].end_us == utc_13_20_edt + 2 * five_minutes.count());
    CHECK(interval_status_quality(*d.entries[2].status) == quality::power_outage);
    CHECK(d.entries[3].end_us == utc_13_20_edt + 30LL * 60 * 1000000);
    CHECK(interval_status_quality(*d.entries[3].status) == quality::clock_step);

    // Without a capture period a null clock has no time.
    const ProfileDecode no_period =
        decode_profile_buffer(buffer, columns.size(), layout, Duration{0}, TimeInterpretation{});
    CHECK(no_period.entries.size() == 2);
}

TEST_CASE("buffers that cannot be decoded") {
    const auto columns = example_columns();
    const ProfileDecode not_array =
        decode_profile_buffer(Data::null(), columns.size(), find_layout(columns), five_minutes, {});
    CHECK_FALSE(not_array.error.empty());
    CHECK(not_array.entries.empty());
    // No clock column: every entry lacks a time.
    const ProfileDecode no_clock =
        decode_profile_buffer(example_buffer(240, 0x80), columns.size(), ProfileLayout{}, five_minutes, {});
    CHECK(no_clock.entries.empty());
    CHECK(no_clock.skipped == 2);
    // An incomplete date-time (hour not specified).
    const ProfileDecode incomplete = decode_profile_buffer(
        Data::array({row(octets(meter_time(0xFF, 0, 240, 0x80)), 1, {1, 2, 3, 4, 5, 6})}), columns.size(),
        find_layout(columns), five_minutes, {});
    CHECK(incomplete.skipped == 1);
    // A status that is not an unsigned 32-bit integer is left out, the entry kept.
    ProfileLayout layout = find_layout(columns);
    layout.status_column = 2;  // a float32 column
    const ProfileDecode float_status =
        decode_profile_buffer(example_buffer(240, 0x80), columns.size(), layout, five_minutes, {});
    REQUIRE(float_status.entries.size() == 2);
    CHECK_FALSE(float_status.entries[0].status);
}

TEST_CASE("interval status to quality, per the reference meter's table") {
    const std::pair<std::uint32_t, std::uint32_t> table[] = {
        {0, quality::good},       {1, quality::good},
        {2, quality::good},       {3, quality::good},
        {128, quality::good},     {130, quality::good},
        {64, quality::config_change},
        {4, quality::power_outage}, {6, quality::power_outage},
        {8, quality::clock_step},   {10, quality::clock_step},
        {16, quality::dst_change},
        {256, quality::billing_reset}, {258, quality::billing_reset},
        {2048, quality::meter_diagnostic}, {2050, quality::meter_diagnostic},
        {32, quality::test_mode},
        {512, quality::config_change}, {514, quality::config_change},
        {1024, quality::config_change}, {1026, quality::config_change},
    };
    for (const auto& [status, flags] : table) {
        INFO("status " << status);
        CHECK(interval_status_quality(status) == flags);
    }
    CHECK(interval_status_quality(0x0104) == (quality::billing_reset | quality::power_outage));
    CHECK(interval_status_quality(0xF000) == quality::good);  // undefined bits carry nothing
}

TEST_CASE("interval status text") {
    CHECK(describe_interval_status(0) == "none");
    CHECK(describe_interval_status(1) == "normal");
    CHECK(describe_interval_status(3) == "normal|midnight");
    CHECK(describe_interval_status(0x0106) == "midnight|power_outage|billing_reset");
    CHECK(describe_interval_status(0x1040) == "configuration|0x1000");
    CHECK(describe_interval_status(0x8000) == "0x8000");
}
