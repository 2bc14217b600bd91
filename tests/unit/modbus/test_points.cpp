// Block planning over a point list, and decoding of each data type.
#include <catch2/catch.hpp>

#include "gridgate/modbus/points.hpp"

using namespace gridgate::modbus;

namespace {
PointDef hr(std::string name, std::uint16_t address, DataType type = DataType::u16) {
    return PointDef{std::move(name), Table::holding_register, address, type, 1.0, 0.0, ""};
}
PointDef ir(std::string name, std::uint16_t address, DataType type = DataType::u16) {
    return PointDef{std::move(name), Table::input_register, address, type, 1.0, 0.0, ""};
}
PointDef di(std::string name, std::uint16_t address) {
    return PointDef{std::move(name), Table::discrete_input, address, DataType::boolean, 1.0, 0.0, ""};
}
ReadRequest req(FunctionCode fc, std::uint16_t address, std::uint16_t count) { return ReadRequest{fc, address, count}; }
constexpr auto fc03 = FunctionCode::read_holding_registers;
constexpr auto fc04 = FunctionCode::read_input_registers;
}  // namespace

TEST_CASE("adjacent points coalesce into one block, in address order") {
    const std::vector<PointDef> points{hr("c", 4, DataType::u32), hr("a", 0, DataType::u32), hr("b", 2, DataType::u32)};
    const auto plan = plan_reads(points);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].request == req(fc03, 0, 6));
    CHECK(plan[0].points == std::vector<std::size_t>{1, 2, 0});
}

TEST_CASE("a gap splits blocks unless max_gap allows it") {
    const std::vector<PointDef> points{hr("a", 0), hr("b", 5)};
    const auto strict = plan_reads(points);
    REQUIRE(strict.size() == 2);
    CHECK(strict[0].request == req(fc03, 0, 1));
    CHECK(strict[1].request == req(fc03, 5, 1));

    const auto loose = plan_reads(points, PlanOptions{125, 2000, 4});
    REQUIRE(loose.size() == 1);
    CHECK(loose[0].request == req(fc03, 0, 6));

    const auto too_small = plan_reads(points, PlanOptions{125, 2000, 3});
    CHECK(too_small.size() == 2);
}

TEST_CASE("blocks stop at 125 registers") {
    std::vector<PointDef> points;
    for (std::uint16_t a = 0; a < 130; ++a) points.push_back(ir("p" + std::to_string(a), a));
    const auto plan = plan_reads(points);
    REQUIRE(plan.size() == 2);
    CHECK(plan[0].request == req(fc04, 0, 125));
    CHECK(plan[0].points.size() == 125);
    CHECK(plan[1].request == req(fc04, 125, 5));
}

TEST_CASE("a 32-bit counter at the block boundary is never split") {
    // 62 u32 counters fill registers 0..123; the 63rd would need 124 and 125.
    std::vector<PointDef> points;
    for (std::uint16_t i = 0; i < 63; ++i) points.push_back(hr("c" + std::to_string(i), 2 * i, DataType::u32));
    const auto plan = plan_reads(points);
    REQUIRE(plan.size() == 2);
    CHECK(plan[0].request == req(fc03, 0, 124));
    CHECK(plan[1].request == req(fc03, 124, 2));
    CHECK(plan[1].points == std::vector<std::size_t>{62});
}

TEST_CASE("smaller limits from the options are honoured") {
    const std::vector<PointDef> points{hr("a", 0, DataType::u32), hr("b", 2, DataType::u32), hr("c", 4)};
    const auto plan = plan_reads(points, PlanOptions{4, 2000, 0});
    REQUIRE(plan.size() == 2);
    CHECK(plan[0].request == req(fc03, 0, 4));
    CHECK(plan[1].request == req(fc03, 4, 1));
}

TEST_CASE("tables are planned separately, in table order") {
    const std::vector<PointDef> points{ir("v", 0), hr("kwh", 0, DataType::u32), di("alarm", 3), di("door", 0),
                                       ir("a", 1)};
    const auto plan = plan_reads(points, PlanOptions{125, 2000, 10});
    REQUIRE(plan.size() == 3);
    CHECK(plan[0].request == req(FunctionCode::read_discrete_inputs, 0, 4));
    CHECK(plan[0].points == std::vector<std::size_t>{3, 2});
    CHECK(plan[1].request == req(fc03, 0, 2));
    CHECK(plan[2].request == req(fc04, 0, 2));
}

TEST_CASE("overlapping points share a block") {
    const std::vector<PointDef> points{hr("whole", 10, DataType::u32), hr("high_word", 10), hr("low_word", 11)};
    const auto plan = plan_reads(points);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].request == req(fc03, 10, 2));
    CHECK(plan[0].points.size() == 3);
}

TEST_CASE("points past the end of the address space are left out") {
    const std::vector<PointDef> points{hr("ok", 0xFFFF), hr("too_far", 0xFFFF, DataType::u32)};
    const auto plan = plan_reads(points);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].points == std::vector<std::size_t>{0});
}

TEST_CASE("an empty point list plans nothing") { CHECK(plan_reads({}).empty()); }

TEST_CASE("decode_point handles every data type") {
    const ReadRequest block = req(fc03, 100, 8);
    ReadResponse r;
    r.registers = {0xFFFE, 0x0001, 0x86A0, 0x86A0, 0x0001, 0x4049, 0x0FDB, 0xFFFF};

    CHECK(decode_point(hr("u16", 100), block, r) == 65534.0);
    CHECK(decode_point(hr("s16", 100, DataType::s16), block, r) == -2.0);
    CHECK(decode_point(hr("u32", 101, DataType::u32), block, r) == 100000.0);          // 0x000186A0
    CHECK(decode_point(hr("u32_le", 103, DataType::u32_le), block, r) == 100000.0);    // low word first
    CHECK(decode_point(hr("s32", 106, DataType::s32), block, r) == double{0x0FDBFFFF});
    CHECK(decode_point(hr("bool", 101, DataType::boolean), block, r) == 1.0);

    ReadResponse neg;
    neg.registers = {0xFFFF, 0xFFF6, 0xFFF6, 0xFFFF};
    CHECK(decode_point(hr("s32", 100, DataType::s32), block, neg) == -10.0);
    CHECK(decode_point(hr("s32_le", 102, DataType::s32_le), block, neg) == -10.0);

    const auto pi = decode_point(hr("f32", 105, DataType::f32), block, r);
    REQUIRE(pi);
    CHECK(*pi == Approx(3.14159265).epsilon(1e-7));
}

TEST_CASE("decode_point applies scale and offset") {
    const ReadRequest block = req(fc04, 0, 1);
    ReadResponse r;
    r.registers = {20578};
    PointDef amps = ir("amps", 0);
    amps.scale = 20.0 / 32767.0;  // JEMStar II auto-scaled analog, range 0..20 A
    amps.offset = 0.5;
    const auto v = decode_point(amps, block, r);
    REQUIRE(v);
    CHECK(*v == Approx(12.56 + 0.5).epsilon(1e-4));
}

TEST_CASE("decode_point reads bits") {
    const ReadRequest block = req(FunctionCode::read_discrete_inputs, 10, 3);
    ReadResponse r;
    r.bits = {false, true, false};
    CHECK(decode_point(di("a", 10), block, r) == 0.0);
    CHECK(decode_point(di("b", 11), block, r) == 1.0);
}

TEST_CASE("decode_point refuses points the response does not cover") {
    const ReadRequest block = req(fc03, 10, 3);
    ReadResponse r;
    r.registers = {1, 2, 3};
    CHECK_FALSE(decode_point(hr("before", 9), block, r));
    CHECK_FALSE(decode_point(hr("after", 13), block, r));
    CHECK_FALSE(decode_point(hr("straddles", 12, DataType::u32), block, r));
    CHECK_FALSE(decode_point(ir("other_table", 10), block, r));
    ReadResponse short_reply;
    short_reply.registers = {1};
    CHECK_FALSE(decode_point(hr("short", 11), block, short_reply));
}
