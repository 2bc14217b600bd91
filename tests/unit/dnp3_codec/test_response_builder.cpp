// The outstation's response builder: exact octets, filling to the size limit, and round
// trips through the parser for every variation it writes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "codec_test.hpp"

using namespace gridgate::dnp3;
using gridgate::dnp3::test::hex;
using gridgate::dnp3::test::response;
using gridgate::dnp3::test::to_text;

namespace {

constexpr DnpTime t0 = 0x017EF81E1ABDull;
const std::string T = "BD 1A 1E F8 7E 01";
const AppControl fir_fin{true, true, false, false, 2};

PointValue value(std::uint32_t index, double v, std::uint8_t f = flags::online, std::optional<DnpTime> t = {}) {
    PointValue p;
    p.index = index;
    p.value = v;
    p.flags = f;
    p.time = t;
    return p;
}

std::vector<PointValue> counting(std::size_t n) {
    std::vector<PointValue> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(value(static_cast<std::uint32_t>(i), static_cast<double>(i)));
    return v;
}

std::string tail(const ResponseBuilder& b, std::size_t from) {
    const auto& f = b.fragment();
    return to_text(std::vector<std::uint8_t>(f.begin() + static_cast<std::ptrdiff_t>(from), f.end()));
}

}  // namespace

TEST_CASE("the builder writes the response header and can rewrite it") {
    ResponseBuilder b;
    b.begin(fir_fin, Iin{Iin::need_time});
    CHECK(to_text(b.fragment()) == "C2 81 10 00");
    b.set_control(AppControl{true, false, true, false, 2});
    b.set_iin(Iin{Iin::device_restart | Iin::object_unknown});
    CHECK(to_text(b.fragment()) == "A2 81 80 02");
    b.begin(AppControl{true, true, false, true, 0}, Iin{}, FunctionCode::unsolicited_response);
    CHECK(to_text(b.fragment()) == "D0 82 00 00");
    CHECK(b.size() == 4);
    CHECK(b.room() == 2044);
}

TEST_CASE("add_range writes start-stop headers") {
    ResponseBuilder b;
    b.begin(fir_fin, Iin{});
    SECTION("8-bit range") {
        const std::vector<PointValue> v = {value(0, 1000), value(1, -2), value(2, 0)};
        CHECK(b.add_range(30, 3, 0, v) == 3);
        CHECK(tail(b, 4) == "1E 03 00 00 02 E8 03 00 00 FE FF FF FF 00 00 00 00");
    }
    SECTION("a stop index over 255 takes the 16-bit range") {
        CHECK(b.add_range(20, 5, 250, counting(10)) == 10);
        CHECK(tail(b, 4).substr(0, 20) == "14 05 01 FA 00 03 01");
    }
    SECTION("packed binaries") {
        std::vector<PointValue> v;
        for (std::uint32_t i = 0; i < 20; ++i) v.push_back(value(i, i % 2 == 0 ? 1 : 0));
        CHECK(b.add_range(1, 1, 0, v) == 20);
        CHECK(tail(b, 4) == "01 01 00 00 13 55 55 05");
    }
    SECTION("binaries with flags carry the state in bit 7") {
        const std::vector<PointValue> v = {value(0, 1, 0x01), value(1, 0, 0x81), value(2, 1, 0x05)};
        CHECK(b.add_range(10, 2, 1, v) == 3);
        CHECK(tail(b, 4) == "0A 02 00 01 03 81 01 85");
    }
    SECTION("values saturate at the variation's range") {
        const std::vector<PointValue> c = {value(0, 70000), value(1, -5), value(2, std::nan(""))};
        CHECK(b.add_range(20, 6, 0, c) == 3);
        CHECK(tail(b, 4) == "14 06 00 00 02 FF FF 00 00 00 00");
        const std::vector<PointValue> a = {value(0, 40000), value(1, -40000), value(2, 2.5)};
        b.begin(fir_fin, Iin{});
        CHECK(b.add_range(30, 4, 0, a) == 3);
        CHECK(tail(b, 4) == "1E 04 00 00 02 FF 7F 00 80 03 00");  // 2.5 rounds away from zero
        b.begin(fir_fin, Iin{});
        CHECK(b.add_range(30, 5, 0, std::vector<PointValue>{value(0, 1e300)}) == 1);
        const auto r = response(to_text(b.fragment()));
        CHECK(r.points[0].value == static_cast<double>(std::numeric_limits<float>::max()));
    }
}

TEST_CASE("add_range fills to the limit and no further") {
    SECTION("fixed-size objects") {
        ResponseBuilder b(4 + 5 + 4 * 10);
        b.begin(fir_fin, Iin{});
        CHECK(b.add_range(20, 5, 0, counting(20)) == 10);
        CHECK(b.size() == 49);
        CHECK(b.room() == 0);
        const auto before = b.fragment();
        CHECK(b.add_range(20, 5, 10, counting(10)) == 0);
        CHECK_FALSE(b.add_time(t0));
        CHECK_FALSE(b.add_delay_fine(1));
        CHECK(b.fragment() == before);
        const auto r = response(to_text(b.fragment()));
        CHECK(r.points.size() == 10);
        CHECK(r.points.back().index == 9);
    }
    SECTION("packed objects: eight per octet") {
        ResponseBuilder b(4 + 5 + 2);
        b.begin(fir_fin, Iin{});
        CHECK(b.add_range(1, 1, 0, counting(40)) == 16);
        CHECK(b.room() == 0);
    }
    SECTION("when the 16-bit header costs a value") {
        ResponseBuilder b(4 + 5 + 4 * 8);  // 8 values with q00, 7 with q01
        b.begin(fir_fin, Iin{});
        CHECK(b.add_range(20, 5, 250, counting(8)) == 7);
        CHECK(b.fragment()[6] == 0x01);
        CHECK(response(to_text(b.fragment())).headers[0] == ObjectHeader{20, 5, Qualifier::start_stop_16, 250, 256, 7});
    }
    SECTION("a range that would go past index 65535 stops there") {
        ResponseBuilder b;
        b.begin(fir_fin, Iin{});
        CHECK(b.add_range(20, 5, 65534, counting(5)) == 2);
        CHECK(b.add_range(20, 5, 65536, counting(5)) == 0);
    }
    SECTION("an empty fragment never fits anything") {
        ResponseBuilder b(2);
        b.begin(fir_fin, Iin{});
        CHECK(b.size() == 4);
        CHECK(b.add_range(20, 5, 0, counting(1)) == 0);
    }
}

TEST_CASE("add_indexed writes index prefixes") {
    ResponseBuilder b;
    b.begin(fir_fin, Iin{});
    SECTION("frozen counter events as the reference meter sends them") {
        const std::vector<PointValue> ev = {value(1, 100000, 0x01, t0), value(2, 110000, 0x21, t0)};
        CHECK(b.add_indexed(23, 5, Qualifier::index_16, ev) == 2);
        CHECK(tail(b, 4) == "17 05 28 02 00 01 00 01 A0 86 01 00 " + T + " 02 00 21 B0 AD 01 00 " + T);
    }
    SECTION("8-bit indices") {
        const std::vector<PointValue> v = {value(3, 1.5)};
        CHECK(b.add_indexed(30, 5, Qualifier::index_8, v) == 1);
        CHECK(tail(b, 4) == "1E 05 17 01 03 01 00 00 C0 3F");
    }
    SECTION("an index too big for the prefix ends the batch") {
        const std::vector<PointValue> v = {value(5, 1), value(300, 2), value(6, 3)};
        CHECK(b.add_indexed(20, 5, Qualifier::index_8, v) == 1);
        CHECK(b.add_indexed(20, 5, Qualifier::index_16, std::vector<PointValue>{value(70000, 1)}) == 0);
    }
    SECTION("an 8-bit count holds 255 objects") {
        std::vector<PointValue> v(300, value(1, 1));
        CHECK(b.add_indexed(20, 6, Qualifier::index_8, v) == 255);
    }
    SECTION("relative-time events get a CTO") {
        const std::vector<PointValue> v = {value(1, 1, 0x01, t0), value(2, 0, 0x01, t0 + 10),
                                           value(3, 1, 0x01, t0 + 70000)};
        CHECK(b.add_indexed(2, 3, Qualifier::index_8, v) == 2);  // the third is too far from the CTO
        CHECK(tail(b, 4) == "33 01 07 01 " + T + " 02 03 17 02 01 81 00 00 02 01 0A 00");
        const auto r = response(to_text(b.fragment()));
        REQUIRE(r.points.size() == 2);
        CHECK(r.points[1].time == t0 + 10);
    }
    SECTION("what cannot be written is refused") {
        CHECK(b.add_indexed(1, 1, Qualifier::index_8, counting(1)) == 0);   // packed
        CHECK(b.add_indexed(20, 5, Qualifier::start_stop_8, counting(1)) == 0);
        CHECK(b.add_indexed(12, 1, Qualifier::index_8, counting(1)) == 0);  // unknown object
        CHECK(b.add_range(2, 3, 0, counting(1)) == 0);                      // relative time needs indices
        CHECK(b.add_range(60, 1, 0, counting(1)) == 0);
        CHECK(b.add_indexed(20, 5, Qualifier::index_8, {}) == 0);
        CHECK(b.size() == 4);
    }
    SECTION("fill to the limit") {
        ResponseBuilder small(4 + 5 + 3 * (2 + 11));
        small.begin(fir_fin, Iin{});
        std::vector<PointValue> ev(10, value(7, 5, 0x01, t0));
        CHECK(small.add_indexed(23, 5, Qualifier::index_16, ev) == 3);
        CHECK(small.room() == 0);
        CHECK(small.add_indexed(23, 5, Qualifier::index_16, ev) == 0);
    }
}

TEST_CASE("time and delay objects") {
    ResponseBuilder b;
    b.begin(fir_fin, Iin{});
    CHECK(b.add_time(t0));
    CHECK(b.add_delay_fine(300));
    CHECK(tail(b, 4) == "32 01 07 01 " + T + " 34 02 07 01 2C 01");
    const auto r = response(to_text(b.fragment()));
    CHECK(r.time == t0);
    CHECK(r.delay_ms == 300u);
    ResponseBuilder tight(4 + 9);
    tight.begin(fir_fin, Iin{});
    CHECK_FALSE(tight.add_time(t0));
    CHECK(tight.add_delay_fine(1));
}

TEST_CASE("everything the builder writes parses back to the same values") {
    struct Var {
        std::uint8_t g, v;
    };
    const Var vars[] = {{1, 1},  {1, 2},  {2, 1},  {2, 2},  {10, 1}, {10, 2}, {20, 1}, {20, 2}, {20, 5}, {20, 6},
                        {21, 1}, {21, 2}, {21, 5}, {21, 6}, {21, 9}, {21, 10}, {22, 1}, {22, 2}, {22, 5}, {22, 6},
                        {23, 1}, {23, 2}, {23, 5}, {23, 6}, {30, 1}, {30, 2}, {30, 3}, {30, 4}, {30, 5}, {30, 6},
                        {32, 1}, {32, 2}, {32, 3}, {32, 4}, {32, 5}, {32, 6}, {32, 7}, {32, 8}, {2, 3}};
    for (const Var var : vars) {
        for (const Qualifier q : {Qualifier::start_stop_8, Qualifier::index_8, Qualifier::index_16}) {
            CAPTURE(int(var.g), int(var.v), int(q));
            const bool packed = object_size(var.g, var.v) == 0;
            const bool relative = var.g == 2 && var.v == 3;
            if (packed && q != Qualifier::start_stop_8) continue;
            if (relative && q == Qualifier::start_stop_8) continue;
            const bool binary = var.g == 1 || var.g == 2 || var.g == 10;
            const bool analog = var.g == 30 || var.g == 32;
            std::vector<PointValue> in;
            for (std::uint32_t i = 0; i < 12; ++i) {
                const double v = binary   ? (i % 3 == 0 ? 1 : 0)
                                 : analog ? (static_cast<double>(i) - 6) * 100
                                          : i * 1000.0;
                in.push_back(value(q == Qualifier::start_stop_8 ? 40 + i : 40 + 17 * i, v,
                                   static_cast<std::uint8_t>(0x01 | (i % 2 ? 0x20 : 0)), t0 + i * 500));
            }
            ResponseBuilder b;
            b.begin(fir_fin, Iin{});
            const std::size_t n = q == Qualifier::start_stop_8 ? b.add_range(var.g, var.v, 40, in)
                                                                 : b.add_indexed(var.g, var.v, q, in);
            REQUIRE(n == in.size());
            const auto r = response(to_text(b.fragment()));
            REQUIRE(r.points.size() == in.size());
            const bool has_flags = !packed && !(var.g == 20 && var.v >= 5) && !(var.g == 21 && var.v >= 9) &&
                                   !(var.g == 30 && (var.v == 3 || var.v == 4));
            const bool has_time = (var.g == 2 && var.v >= 2) ||
                                  (var.g >= 21 && var.g <= 23 && (var.v == 5 || var.v == 6)) ||
                                  (var.g == 32 && var.v != 1 && var.v != 2 && var.v != 5 && var.v != 6);
            for (std::size_t i = 0; i < in.size(); ++i) {
                const auto& p = r.points[i];
                CHECK(p.group == var.g);
                CHECK(p.variation == var.v);
                CHECK(p.index == in[i].index);
                CHECK(p.value == in[i].value);
                CHECK(p.has_flags == has_flags);
                if (has_flags && !binary) CHECK(p.flags == in[i].flags);
                if (has_flags && binary) CHECK(p.flags == ((in[i].flags & 0x7F) | (in[i].value != 0 ? 0x80 : 0)));
                CHECK(p.time == (has_time ? in[i].time : std::nullopt));
            }
        }
    }
}
