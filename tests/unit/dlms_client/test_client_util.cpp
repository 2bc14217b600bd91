// The client's pure helpers: the password's place in an AARQ (masked traces), unit names,
// date-times sent the meter's way, capture-boundary and guard arithmetic, identity text.
#include <catch2/catch.hpp>

#include "client_util.hpp"
#include "gridgate/dlms/apdu.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::detail;

namespace {

std::vector<std::uint8_t> bytes_of(std::initializer_list<int> v) {
    std::vector<std::uint8_t> out;
    for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

constexpr TimestampUs minute = 60'000'000;

}  // namespace

TEST_CASE("aarq_password_mask finds the LLS password in a published AARQ", "[dlms][client][trace]") {
    // The LN-referencing AARQ with low-level security and password "12345678" that the
    // DLMS UA examples and Gurux traces show (client proposes conformance 00 7E 1F, PDU 0x04B0).
    const auto aarq = bytes_of({0x60, 0x36, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0x8A,
                                0x02, 0x07, 0x80, 0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01, 0xAC, 0x0A,
                                0x80, 0x08, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0xBE, 0x10, 0x04, 0x0E,
                                0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x00, 0x7E, 0x1F, 0x04, 0xB0});
    const TraceMask m = aarq_password_mask(aarq);
    REQUIRE(m.begin == 30);
    REQUIRE(m.end == 38);
    const auto shown = masked(aarq, m);
    REQUIRE(std::string(shown.begin() + 30, shown.begin() + 38) == "********");
    REQUIRE(std::equal(shown.begin(), shown.begin() + 30, aarq.begin()));
    REQUIRE(std::equal(shown.begin() + 38, shown.end(), aarq.begin() + 38));
}

TEST_CASE("aarq_password_mask on the codec's own AARQ and on other APDUs", "[dlms][client][trace]") {
    Aarq a;
    a.authentication = Authentication::low;
    const std::string secret = "ClientId1";
    a.password.assign(secret.begin(), secret.end());
    const auto apdu = encode_aarq(a);
    const TraceMask m = aarq_password_mask(apdu);
    REQUIRE(m.end - m.begin == secret.size());
    REQUIRE(std::string(apdu.begin() + static_cast<std::ptrdiff_t>(m.begin),
                        apdu.begin() + static_cast<std::ptrdiff_t>(m.end)) == secret);

    SECTION("no password, no mask") {
        REQUIRE(aarq_password_mask(encode_aarq(Aarq{})).empty());
    }
    SECTION("other APDUs and garbage are left alone") {
        REQUIRE(aarq_password_mask(encode_rlrq()).empty());
        REQUIRE(aarq_password_mask(bytes_of({0xC0, 0x01, 0xC1})).empty());
        REQUIRE(aarq_password_mask({}).empty());
    }
    SECTION("a truncated AARQ never reaches past its end") {
        for (std::size_t n = 0; n < apdu.size(); ++n) {
            const std::span<const std::uint8_t> cut(apdu.data(), n);
            const TraceMask t = aarq_password_mask(cut);
            REQUIRE(t.end <= n);
        }
    }
    SECTION("a hostile length does not overrun") {
        auto bad = apdu;
        bad[1] = 0x84;  // a 4-octet length that claims far more than there is
        const TraceMask t = aarq_password_mask(bad);
        REQUIRE(t.end <= bad.size());
    }
}

TEST_CASE("unit names from the DLMS unit enumeration", "[dlms][client]") {
    REQUIRE(unit_name(27) == "W");
    REQUIRE(unit_name(28) == "VA");
    REQUIRE(unit_name(29) == "var");
    REQUIRE(unit_name(30) == "Wh");
    REQUIRE(unit_name(31) == "VAh");
    REQUIRE(unit_name(32) == "varh");
    REQUIRE(unit_name(33) == "A");
    REQUIRE(unit_name(35) == "V");
    REQUIRE(unit_name(44) == "Hz");
    REQUIRE(unit_name(8) == "\u00B0");
    REQUIRE(unit_name(56) == "%");
    REQUIRE(unit_name(255).empty());
    REQUIRE(unit_name(200) == "unit200");
}

TEST_CASE("meter_time_at sends the meter's local time with its deviation", "[dlms][client][time]") {
    const TimestampUs utc = 1'772'445'600'000'000;  // 2026-03-02 10:00:00 UTC
    SECTION("deviation reported (Blue Book sign: CET is -60)") {
        const CosemDateTime t = meter_time_at(utc, MeterTimeBasis{-60, 0x00, true}, TimeInterpretation{});
        REQUIRE(t.hour == 11);
        REQUIRE(t.deviation == -60);
        REQUIRE(t.status == 0x00);
        REQUIRE(to_utc_us(t) == utc);
    }
    SECTION("ISO sign") {
        TimeInterpretation how;
        how.sign = DeviationSign::iso;
        const CosemDateTime t = meter_time_at(utc, MeterTimeBasis{60, 0x80, true}, how);
        REQUIRE(t.hour == 11);
        REQUIRE(t.deviation == 60);
        REQUIRE(t.status == 0x80);
        REQUIRE(to_utc_us(t, how) == utc);
    }
    SECTION("unknown: UTC with deviation 0") {
        const CosemDateTime t = meter_time_at(utc, MeterTimeBasis{}, TimeInterpretation{});
        REQUIRE(t.hour == 10);
        REQUIRE(t.deviation == 0);
    }
    SECTION("no deviation from the meter: its configured zone") {
        TimeInterpretation how;
        how.zone = LocalZone{60, DstRule::eu, 60};
        const CosemDateTime t =
            meter_time_at(utc, MeterTimeBasis{CosemDateTime::deviation_not_specified, 0xFF, true}, how);
        REQUIRE(t.hour == 11);
        REQUIRE(to_utc_us(t, how) == utc);
    }
}

TEST_CASE("capture boundaries and the clock-set guard", "[dlms][client][time]") {
    const Duration quarter = std::chrono::minutes(15);
    const TimestampUs b = 1'772'445'600'000'000;  // a quarter-hour boundary
    REQUIRE(floor_to(b + 7 * minute, quarter) == b);
    REQUIRE(floor_to(b, quarter) == b);
    REQUIRE(floor_to(-1, quarter) == -15 * minute);
    // Next read: 10 s after the next boundary, or after this one when still ahead.
    REQUIRE(next_after_boundary(b + minute, quarter, std::chrono::seconds(10)) == b + 15 * minute + 10'000'000);
    REQUIRE(next_after_boundary(b + 5'000'000, quarter, std::chrono::seconds(10)) == b + 10'000'000);
    REQUIRE(next_after_boundary(b + 10'000'000, quarter, std::chrono::seconds(10)) == b + 15 * minute + 10'000'000);

    const std::vector<Duration> periods{quarter};
    const Duration guard = std::chrono::seconds(30);
    SECTION("far from a boundary: now") {
        REQUIRE(guard_clear_at(b + 5 * minute, periods, guard, 0) == b + 5 * minute);
    }
    SECTION("just before a boundary: guard after it") {
        REQUIRE(guard_clear_at(b - 10'000'000, periods, guard, 0) == b + 30'000'000);
    }
    SECTION("just after a boundary: guard after it") {
        REQUIRE(guard_clear_at(b + 10'000'000, periods, guard, 0) == b + 30'000'000);
    }
    SECTION("the meter's boundary counts too (its clock 5 min fast)") {
        const TimestampUs t = b + 10 * minute - 10'000'000;  // meter: b + 15 min - 10 s
        REQUIRE(guard_clear_at(t, periods, guard, 5 * minute) == b + 10 * minute + 30'000'000);
    }
    SECTION("no profile: no guard") { REQUIRE(guard_clear_at(b, {}, guard, 0) == b); }
}

TEST_CASE("identity text and scaler_unit", "[dlms][client]") {
    REQUIRE(identity_text(Data::visible_string("  JS2-0042 \t")) == std::optional<std::string>("JS2-0042"));
    REQUIRE(identity_text(Data::octet_string({'A', 'B', ' '})) == std::optional<std::string>("AB"));
    REQUIRE(identity_text(Data::double_long_unsigned(400)) == std::optional<std::string>("400"));
    REQUIRE(identity_text(Data::octet_string({0x0A, 0x1B, 0xFF})) == std::optional<std::string>("0A1BFF"));
    REQUIRE(!identity_text(Data::array({})));

    const auto su = parse_scaler_unit(Data::structure({Data::integer8(-3), Data::enumeration(30)}));
    REQUIRE(su);
    REQUIRE(su->scaler == -3);
    REQUIRE(su->unit == 30);
    REQUIRE(!parse_scaler_unit(Data::structure({Data::integer8(-3)})));
    REQUIRE(!parse_scaler_unit(Data::double_long(5)));
}

TEST_CASE("json_quote, as the DLMS session uses it", "[dlms][client]") {
    REQUIRE(json_quote("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
    REQUIRE(json_quote(std::string(1, '\x01')) == "\"\\u0001\"");
}
