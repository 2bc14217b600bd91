// Application responses as the master parses them. Every fragment here is written by hand
// from the object layouts of IEEE 1815 Annex A, not produced by our encoder.
#include <catch2/catch.hpp>

#include <random>

#include "codec_test.hpp"

using namespace gridgate::dnp3;
using gridgate::dnp3::test::hex;
using gridgate::dnp3::test::response;

namespace {

// 2022-02-14 12:03:49.565 UTC, and its six octets.
constexpr DnpTime t0 = 0x017EF81E1ABDull;
const std::string T = " BD 1A 1E F8 7E 01 ";
const std::string H = "C0 81 00 00 ";  // FIR FIN seq 0, RESPONSE, no IIN

PointValue pv(PointKind kind, std::uint8_t g, std::uint8_t v, std::uint32_t index, double value,
              std::optional<std::uint8_t> flag_octet = std::nullopt, std::optional<DnpTime> time = std::nullopt) {
    PointValue p;
    p.kind = kind;
    p.group = g;
    p.variation = v;
    p.index = index;
    p.value = value;
    p.flags = flag_octet.value_or(flags::online);
    p.has_flags = flag_octet.has_value();
    p.time = time;
    return p;
}

using PK = PointKind;

struct Case {
    std::string objects;  // after the response header
    std::vector<PointValue> points;
};

}  // namespace

TEST_CASE("responses decode every supported point object") {
    const std::vector<Case> cases = {
        // g1v1 packed, 10 points from 0: A5 02 = 1 0 1 0 0 1 0 1 | 0 1
        {"01 01 00 00 09 A5 02",
         {pv(PK::binary_input, 1, 1, 0, 1), pv(PK::binary_input, 1, 1, 1, 0), pv(PK::binary_input, 1, 1, 2, 1),
          pv(PK::binary_input, 1, 1, 3, 0), pv(PK::binary_input, 1, 1, 4, 0), pv(PK::binary_input, 1, 1, 5, 1),
          pv(PK::binary_input, 1, 1, 6, 0), pv(PK::binary_input, 1, 1, 7, 1), pv(PK::binary_input, 1, 1, 8, 0),
          pv(PK::binary_input, 1, 1, 9, 1)}},
        {"01 02 01 2C 01 2D 01 81 01",
         {pv(PK::binary_input, 1, 2, 300, 1, 0x81), pv(PK::binary_input, 1, 2, 301, 0, 0x01)}},
        {"02 01 17 02 03 81 07 01",
         {pv(PK::binary_input_event, 2, 1, 3, 1, 0x81), pv(PK::binary_input_event, 2, 1, 7, 0, 0x01)}},
        {"02 02 28 01 00 05 00 81" + T, {pv(PK::binary_input_event, 2, 2, 5, 1, 0x81, t0)}},
        // CTO then relative-time events: 16 ms and 1000 ms after it.
        {"33 01 07 01" + T + "02 03 17 02 01 81 10 00 02 01 E8 03",
         {pv(PK::binary_input_event, 2, 3, 1, 1, 0x81, t0 + 16),
          pv(PK::binary_input_event, 2, 3, 2, 0, 0x01, t0 + 1000)}},
        {"33 02 07 01" + T + "02 03 28 01 00 09 00 01 FF FF",
         {pv(PK::binary_input_event, 2, 3, 9, 0, 0x01, t0 + 65535)}},
        {"0A 01 00 00 03 05",
         {pv(PK::binary_output, 10, 1, 0, 1), pv(PK::binary_output, 10, 1, 1, 0), pv(PK::binary_output, 10, 1, 2, 1),
          pv(PK::binary_output, 10, 1, 3, 0)}},
        {"0A 02 00 01 02 81 01", {pv(PK::binary_output, 10, 2, 1, 1, 0x81), pv(PK::binary_output, 10, 2, 2, 0, 0x01)}},
        {"14 01 00 00 01 01 40 E2 01 00 21 FF FF FF FF",
         {pv(PK::counter, 20, 1, 0, 123456, 0x01), pv(PK::counter, 20, 1, 1, 4294967295.0, 0x21)}},
        {"14 02 07 01 01 34 12", {pv(PK::counter, 20, 2, 0, 0x1234, 0x01)}},
        {"14 05 01 2C 01 2D 01 FF C9 9A 3B 00 00 00 00",
         {pv(PK::counter, 20, 5, 300, 999999999), pv(PK::counter, 20, 5, 301, 0)}},
        {"14 06 17 01 09 FF FF", {pv(PK::counter, 20, 6, 9, 65535)}},
        {"15 01 00 00 00 01 0A 00 00 00", {pv(PK::frozen_counter, 21, 1, 0, 10, 0x01)}},
        {"15 02 28 01 00 03 01 01 0B 00", {pv(PK::frozen_counter, 21, 2, 259, 11, 0x01)}},
        {"15 05 00 04 04 01 0C 00 00 00" + T, {pv(PK::frozen_counter, 21, 5, 4, 12, 0x01, t0)}},
        {"15 06 00 05 05 01 0D 00" + T, {pv(PK::frozen_counter, 21, 6, 5, 13, 0x01, t0)}},
        {"15 09 00 00 01 0E 00 00 00 0F 00 00 00",
         {pv(PK::frozen_counter, 21, 9, 0, 14), pv(PK::frozen_counter, 21, 9, 1, 15)}},
        {"15 0A 08 01 00 10 00", {pv(PK::frozen_counter, 21, 10, 0, 16)}},
        {"16 01 17 01 02 01 11 00 00 00", {pv(PK::counter_event, 22, 1, 2, 17, 0x01)}},
        {"16 02 17 01 02 01 12 00", {pv(PK::counter_event, 22, 2, 2, 18, 0x01)}},
        {"16 05 28 01 00 02 00 01 13 00 00 00" + T, {pv(PK::counter_event, 22, 5, 2, 19, 0x01, t0)}},
        {"16 06 28 01 00 02 00 01 14 00" + T, {pv(PK::counter_event, 22, 6, 2, 20, 0x01, t0)}},
        {"17 01 17 01 04 01 15 00 00 00", {pv(PK::frozen_counter_event, 23, 1, 4, 21, 0x01)}},
        {"17 02 17 01 04 01 16 00", {pv(PK::frozen_counter_event, 23, 2, 4, 22, 0x01)}},
        {"17 05 28 02 00 01 00 01 A0 86 01 00" + T + "02 00 21 B0 AD 01 00" + T,
         {pv(PK::frozen_counter_event, 23, 5, 1, 100000, 0x01, t0),
          pv(PK::frozen_counter_event, 23, 5, 2, 110000, 0x21, t0)}},
        {"17 06 28 01 00 01 00 01 17 00" + T, {pv(PK::frozen_counter_event, 23, 6, 1, 23, 0x01, t0)}},
        {"1E 01 00 00 01 01 18 FC FF FF 01 E8 03 00 00",
         {pv(PK::analog_input, 30, 1, 0, -1000, 0x01), pv(PK::analog_input, 30, 1, 1, 1000, 0x01)}},
        {"1E 02 00 02 02 01 00 80", {pv(PK::analog_input, 30, 2, 2, -32768, 0x01)}},
        {"1E 03 00 00 01 E8 03 00 00 FE FF FF FF",
         {pv(PK::analog_input, 30, 3, 0, 1000), pv(PK::analog_input, 30, 3, 1, -2)}},
        {"1E 04 01 00 01 00 01 FF 7F", {pv(PK::analog_input, 30, 4, 256, 32767)}},
        {"1E 05 17 01 03 01 00 00 C0 3F", {pv(PK::analog_input, 30, 5, 3, 1.5, 0x01)}},
        {"1E 06 28 01 00 04 00 01 00 00 00 00 00 00 02 C0", {pv(PK::analog_input, 30, 6, 4, -2.25, 0x01)}},
        {"20 01 17 01 00 01 9C FF FF FF", {pv(PK::analog_input_event, 32, 1, 0, -100, 0x01)}},
        {"20 02 17 01 01 41 64 00", {pv(PK::analog_input_event, 32, 2, 1, 100, 0x41)}},
        {"20 03 17 01 02 01 F4 01 00 00" + T, {pv(PK::analog_input_event, 32, 3, 2, 500, 0x01, t0)}},
        {"20 04 17 01 03 01 0C FE" + T, {pv(PK::analog_input_event, 32, 4, 3, -500, 0x01, t0)}},
        {"20 05 17 01 04 01 00 00 80 BE", {pv(PK::analog_input_event, 32, 5, 4, -0.25, 0x01)}},
        {"20 06 17 01 05 01 00 00 00 20 5F A0 02 42", {pv(PK::analog_input_event, 32, 6, 5, 1e10, 0x01)}},
        {"20 07 17 01 06 01 00 00 C0 3F" + T, {pv(PK::analog_input_event, 32, 7, 6, 1.5, 0x01, t0)}},
        {"20 08 28 01 00 07 00 01 00 00 00 00 00 00 02 C0" + T,
         {pv(PK::analog_input_event, 32, 8, 7, -2.25, 0x01, t0)}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.objects);
        const auto r = response(H + c.objects);
        CHECK(r.points == c.points);
        REQUIRE_FALSE(r.headers.empty());
        for (const auto& p : r.points) {
            CHECK(is_supported(p.group, p.variation));
            CHECK(is_event(p.kind) == (p.group == 2 || p.group == 22 || p.group == 23 || p.group == 32));
        }
    }

    SECTION("all of them in one fragment, in order") {
        std::string all = H;
        std::vector<PointValue> expected;
        for (const auto& c : cases) {
            all += c.objects + " ";
            expected.insert(expected.end(), c.points.begin(), c.points.end());
        }
        const auto r = response(all);
        CHECK(r.points == expected);
        CHECK(r.headers.size() == cases.size() + 2);  // the two CTOs have headers too
    }
}

TEST_CASE("object sizes follow Annex A") {
    CHECK(object_size(1, 1) == 0);  // packed
    CHECK(object_size(10, 1) == 0);
    CHECK(object_size(80, 1) == 0);
    CHECK(object_size(1, 2) == 1);
    CHECK(object_size(2, 2) == 7);
    CHECK(object_size(2, 3) == 3);
    CHECK(object_size(20, 1) == 5);
    CHECK(object_size(20, 6) == 2);
    CHECK(object_size(21, 5) == 11);
    CHECK(object_size(21, 6) == 9);
    CHECK(object_size(23, 5) == 11);
    CHECK(object_size(30, 6) == 9);
    CHECK(object_size(32, 7) == 11);
    CHECK(object_size(32, 8) == 15);
    CHECK(object_size(50, 1) == 6);
    CHECK(object_size(51, 2) == 6);
    CHECK(object_size(52, 2) == 2);
    CHECK(object_size(60, 1) == 0);
    CHECK(object_size(30, 7) == 0);
    CHECK(is_supported(1, 1));
    CHECK(is_supported(60, 4));
    CHECK(is_supported(80, 1));
    CHECK_FALSE(is_supported(60, 5));
    CHECK_FALSE(is_supported(12, 1));
    CHECK_FALSE(is_supported(20, 3));
    CHECK_FALSE(is_supported(1, 0));
}

TEST_CASE("packed binaries across octet boundaries") {
    // 15 points from index 6: FF = 6..13 on, 41 = 14 on, 15..19 off, 20 on.
    const auto r = response(H + "01 01 01 06 00 14 00 FF 41");
    REQUIRE(r.points.size() == 15);
    for (const auto& p : r.points) {
        CAPTURE(p.index);
        CHECK(p.value == ((p.index <= 14 || p.index == 20) ? 1.0 : 0.0));
        CHECK_FALSE(p.has_flags);
        CHECK(p.flags == flags::online);
    }
    CHECK(r.points.front().index == 6);
    CHECK(r.points.back().index == 20);
    CHECK(r.headers[0] == ObjectHeader{1, 1, Qualifier::start_stop_16, 6, 20, 15});
}

TEST_CASE("response header fields") {
    const auto r = response("E3 81 92 04");
    CHECK(r.control == AppControl{true, true, true, false, 3});
    CHECK(r.function == FunctionCode::response);
    CHECK(r.iin.bits == 0x0492);
    CHECK(r.iin.has(Iin::device_restart));
    CHECK(r.iin.has(Iin::need_time));
    CHECK(r.iin.has(Iin::class1_events));
    CHECK(r.iin.has(Iin::parameter_error));
    CHECK_FALSE(r.iin.has(Iin::object_unknown));
    CHECK(r.iin.describe() == "CLASS1_EVENTS|NEED_TIME|DEVICE_RESTART|PARAMETER_ERROR");
    CHECK(r.points.empty());

    const auto u = response("F0 82 00 00");
    CHECK(u.function == FunctionCode::unsolicited_response);
    CHECK(u.control.uns);
}

TEST_CASE("time, delay and IIN objects") {
    CHECK(response(H + "32 01 07 01" + T).time == t0);
    CHECK(response(H + "34 02 07 01 2C 01").delay_ms == 300u);
    CHECK(response(H + "34 01 07 01 02 00").delay_ms == 2000u);
    const auto iin = response(H + "50 01 00 00 0F 90 00");
    CHECK(iin.points.empty());
    CHECK(iin.headers.size() == 1);
    // A relative time past the top of the 48-bit range wraps like the wire field would.
    const auto wrapped = response(H + "33 01 07 01 FF FF FF FF FF FF 02 03 17 01 01 81 0A 00");
    CHECK(wrapped.points.at(0).time == 9u);
    const auto none = response(H + "1E 03 00 00 00 01 00 00 00");
    CHECK_FALSE(none.time);
    CHECK_FALSE(none.delay_ms);
}

TEST_CASE("malformed responses are parse errors") {
    struct Bad {
        std::string text;
        std::string mentions;
    };
    const std::vector<Bad> bad = {
        {"", "shorter"},
        {"C0 81 00", "shorter"},
        {"C0 01 00 00", "not a response"},
        {H + "1E", "truncated object header"},
        {H + "1E 03", "truncated object header"},
        {H + "1E 03 00 00", "truncated range"},
        {H + "1E 03 00 00 01 E8 03 00 00", "truncated objects of g30v3"},
        {H + "1E 03 06", "qualifier 0x06"},
        {H + "1E 03 5B 00", "qualifier 0x5b"},
        {H + "0C 01 00 00 00 00", "g12v1 not supported"},
        {H + "1E 07 00 00 00 00", "g30v7 not supported"},
        {H + "02 03 17 01 01 81 10 00", "without a preceding CTO"},
        {H + "01 01 17 01 00 01", "index qualifier"},
        {H + "01 01 01 00 00 FF FF 00", "truncated bits"},
        {H + "14 05 28 FF FF 00 00", "truncated objects"},
        {H + "1E 03 00 05 04", "stop before start"},
        {H + "3C 01 06", "qualifier 0x06"},
        {H + "3C 02 07 01", "g60v2 not supported"},
        {H + "32 01 07 01 00 00", "truncated objects of g50v1"},
        {H + "17 05 28 01 00 01 00 01 A0 86 01 00 BD 1A", "truncated objects of g23v5"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.text);
        const auto r = parse_response(hex(b.text));
        REQUIRE(std::holds_alternative<ParseError>(r));
        const auto& e = std::get<ParseError>(r);
        CHECK_THAT(e.message, Catch::Contains(b.mentions));
        CHECK(e.offset <= hex(b.text).size());
    }
    const auto e = std::get<ParseError>(parse_response(hex(H + "1E 03 00 00 00 01 00 00 00 1E 07 00 00 00")));
    CHECK(e.offset == 13);
    CHECK_THAT(e.message, Catch::Contains("at offset 13"));
}

TEST_CASE("every truncation of a valid response parses or fails cleanly") {
    const auto whole = hex(H + "33 01 07 01" + T + "02 03 17 02 01 81 10 00 02 01 E8 03 01 01 00 00 09 A5 02 " +
                           "17 05 28 02 00 01 00 01 A0 86 01 00" + T + "02 00 21 B0 AD 01 00" + T +
                           "20 08 28 01 00 07 00 01 00 00 00 00 00 00 02 C0" + T + "34 02 07 01 2C 01");
    REQUIRE(std::holds_alternative<Response>(parse_response(whole)));
    std::size_t ok = 0;
    for (std::size_t n = 0; n < whole.size(); ++n) {
        // A copy of exactly n octets, so a read past the end is a sanitizer error.
        const std::vector<std::uint8_t> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
        const auto r = parse_response(cut);
        if (std::holds_alternative<Response>(r)) ++ok;
        else CHECK(std::get<ParseError>(r).offset <= n);
    }
    CHECK(ok == 6);  // the header alone and after each complete object header's objects

    std::mt19937 rng(3);
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> junk(rng() % 40);
        for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
        if (junk.size() > 1) junk[1] = 0x81;
        (void)parse_response(junk);
        (void)parse_request(junk);
    }
}
