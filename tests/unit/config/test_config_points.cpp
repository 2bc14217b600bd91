// Mistakes in point definitions, each with its exact message.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate::gateway;
using namespace gridgate::gateway::test;
using Issues = std::vector<std::string>;

namespace {

// A meter whose points list is `points` (each line indented for the list), starting at line 6.
std::string meter_with(const std::string& points) {
    return "gateway: {id: site-01}\nmeters:\n  - id: jem1\n    host: 10.0.0.11\n    points:\n" + points;
}

}  // namespace

TEST_CASE("unknown key in a point") {
    CHECK(issues_of(meter_with("      - {name: wh, table: holding, adress: 0}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].adress: unknown key (expected one of: name, table, address, ref, "
                 "type, scale, offset, full_scale, scale_factor, unit, priority)",
                 "site.yaml:6: meters[0].points[0].address: required key is missing (table needs an address)"});
}

TEST_CASE("duplicate point name within a meter") {
    CHECK(issues_of(meter_with("      - {name: wh, ref: 40001}\n      - {name: wh, ref: 40002}\n")) ==
          Issues{"site.yaml:7: meters[0].points[1].name: duplicate point name wh (first defined at line 6)"});
}

TEST_CASE("duplicate point name between a template and a meter") {
    CHECK(issues_of(R"(gateway: {id: site-01}
templates:
  - id: t
    points:
      - name: wh_del
        ref: 40001
      - {name: va, ref: 30001}
      - {name: va, ref: 30002}
meters:
  - id: jem1
    host: 10.0.0.11
    template: t
    points:
      - {name: wh_del, ref: 40003}
)") == Issues{"site.yaml:8: templates[0].points[2].name: duplicate point name va (first defined at line 7)",
              "site.yaml:14: meters[0].points[0].name: duplicate point name wh_del (already in template t, line 5)"});
}

TEST_CASE("ref together with table or address") {
    CHECK(issues_of(meter_with("      - {name: wh, ref: 40001, table: holding}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].ref: use either ref or table and address, not both"});
}

TEST_CASE("neither ref nor table and address, or only half of the latter") {
    CHECK(issues_of(meter_with("      - {name: wh}\n      - {name: va, table: input}\n      - {name: vb, address: 1}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0]: needs either ref (e.g. 40001) or table and address",
                 "site.yaml:7: meters[0].points[1].address: required key is missing (table needs an address)",
                 "site.yaml:8: meters[0].points[2].table: required key is missing (address needs a table: coil, "
                 "discrete_input, holding or input)"});
}

TEST_CASE("references that name no table") {
    const std::string refused =
        "must be a Modicon reference: 5 digits 00001-09999 (coil), 10001-19999 (discrete input), 30001-39999 (input "
        "register), 40001-49999 (holding register), or 6 digits such as 400001-465536, got ";
    CHECK(issues_of(meter_with("      - {name: a, ref: 1}\n      - {name: b, ref: 40000}\n      - {name: c, ref: 465537}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].ref: " + refused + "1",
                 "site.yaml:7: meters[0].points[1].ref: " + refused + "40000",
                 "site.yaml:8: meters[0].points[2].ref: " + refused + "465537"});
}

TEST_CASE("bad table name") {
    CHECK(issues_of(meter_with("      - {name: wh, table: holding_register, address: 0}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].table: must be one of coil, discrete_input, holding or input, got "
                 "holding_register"});
}

TEST_CASE("boolean type on a holding register") {
    CHECK(issues_of(meter_with("      - {name: flag, table: holding, address: 3, type: boolean}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].type: must be a register type (u16, s16, u32, s32, u32_le, s32_le or "
                 "f32) for a holding register, got boolean"});
}

TEST_CASE("register type on a coil or discrete input") {
    CHECK(issues_of(meter_with("      - {name: out1, ref: 00001, type: u16}\n      - {name: in1, ref: 10001, type: f32}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].type: must be boolean for a coil, got u16",
                 "site.yaml:7: meters[0].points[1].type: must be boolean for a discrete input, got f32"});
}

TEST_CASE("bad type name") {
    CHECK(issues_of(meter_with("      - {name: wh, ref: 40001, type: uint32}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].type: must be one of boolean, u16, s16, u32, s32, u32_le, s32_le or "
                 "f32, got uint32"});
}

TEST_CASE("a 32-bit point that would run past the last register") {
    CHECK(issues_of(meter_with("      - {name: wh, table: input, address: 65535, type: s32}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].address: type s32 needs 2 registers; starting at address 65535 it "
                 "would run past the last register (65535)"});
    CHECK(issues_of(meter_with("      - {name: wh, ref: 465536, type: f32}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].ref: type f32 needs 2 registers; starting at address 65535 it would "
                 "run past the last register (65535)"});
    CHECK(issues_of(meter_with("      - {name: wh, ref: 465535, type: f32}\n")).empty());
}

TEST_CASE("address out of range") {
    CHECK(issues_of(meter_with("      - {name: wh, table: holding, address: 65536}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].address: must be an integer between 0 and 65535, got 65536"});
}

TEST_CASE("scaling values") {
    CHECK(issues_of(meter_with("      - {name: a, ref: 30001, scale: 0, offset: .nan}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].scale: must be a finite, non-zero number, got 0",
                 "site.yaml:6: meters[0].points[0].offset: must be a finite number, got .nan"});
    CHECK(issues_of(meter_with("      - {name: a, ref: 30001, full_scale: -530, scale_factor: 1001}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].full_scale: must be a finite number greater than 0, got -530",
                 "site.yaml:6: meters[0].points[0].scale_factor: must be a number between 1 and 1000, got 1001"});
}

TEST_CASE("scale_factor only with full_scale, full_scale only on 16-bit registers") {
    CHECK(issues_of(meter_with("      - {name: a, ref: 30001, scale_factor: 10}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].scale_factor: only allowed together with full_scale"});
    CHECK(issues_of(meter_with("      - {name: a, ref: 40001, type: u32, full_scale: 100}\n")) ==
          Issues{"site.yaml:6: meters[0].points[0].full_scale: only allowed on a 16-bit register point (u16 or s16), "
                 "not on u32"});
}

TEST_CASE("two points over the same registers with different types are allowed") {
    const ConfigResult result =
        parse_config(meter_with("      - {name: raw_hi, ref: 40001, type: u16}\n      - {name: wh, ref: 40001, type: u32}\n"),
                     "site.yaml");
    CHECK(result.issues.empty());
    REQUIRE(result.config);
    CHECK(result.config->meters[0].points.size() == 2);
}
