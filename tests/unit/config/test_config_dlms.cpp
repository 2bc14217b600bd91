// DLMS/COSEM meters in the configuration: links, defaults, registers, profiles,
// templates, the secrets file, and the per-port association limit.
#include <catch2/catch.hpp>

#include "config_dlms.hpp"
#include "config_test_support.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace gridgate::gateway::test;

namespace {
const MeterConfig& meter(const GatewayConfig& c, const std::string& id) {
    for (const auto& m : c.meters)
        if (m.id == id) return m;
    FAIL("no meter " << id);
    return c.meters.front();
}
const ConnectionConfig& connection(const GatewayConfig& c, const std::string& id) {
    for (const auto& x : c.connections)
        if (x.id == id) return x;
    FAIL("no connection " << id);
    return c.connections.front();
}
}  // namespace

TEST_CASE("the DLMS example fixture loads with TCP and bus meters", "[config][dlms]") {
    const auto r = load_config(fixture("good/dlms.yaml"));
    INFO((r.issues.empty() ? std::string() : r.issues.front().to_string()));
    REQUIRE(r.config);
    const auto& c = *r.config;

    const auto& f7 = meter(c, "feeder7");
    CHECK(f7.protocol == "dlms");
    CHECK(connection(c, "feeder7").protocol == "dlms_tcp");
    CHECK(connection(c, "feeder7").port == 4059);  // the reference meter's DLMS port
    CHECK(f7.dlms.client == 1);
    CHECK(f7.dlms.authentication == "low");
    CHECK(f7.dlms.password_key == "feeder7");  // defaults to the meter id
    CHECK(f7.dlms.password == "ClientId1");    // from the secrets file
    CHECK(f7.dlms.clock_set);
    CHECK(f7.dlms.clock_tolerance == std::chrono::seconds(5));
    REQUIRE(f7.dlms_registers.size() == 2);  // from the template
    CHECK(f7.dlms_registers[1].obis == "1.0.1.8.0.255");  // 1-0:1.8.0*255 made canonical
    CHECK(f7.dlms_registers[1].scale == Approx(0.001));
    REQUIRE(f7.dlms_profiles.size() == 1);
    CHECK(f7.dlms_profiles[0].obis == "1.0.99.1.0.255");  // load profile group 1 by default
    CHECK(f7.dlms_profiles[0].status_point == "lp1_status");
    CHECK(f7.dlms_profiles[0].history == std::chrono::hours(24));
    REQUIRE(f7.dlms_identity.size() == 1);
    CHECK(f7.dlms_identity[0].expect == "JS2-000007");

    const auto& f8 = meter(c, "feeder8");
    CHECK(f8.connection == "feeder8-eth");
    CHECK(connection(c, "feeder8-eth").port == 4059);
    CHECK(f8.dlms.client == 16);
    CHECK(f8.dlms.authentication == "none");
    CHECK(f8.dlms.password.empty());

    const auto& b1 = meter(c, "bus1");
    CHECK(b1.bus == "rs485");
    CHECK(b1.dlms.client == 2);
    CHECK(b1.dlms.password == "ClientId2");
    CHECK(b1.dlms.physical_id == 100);
    CHECK(b1.dlms.utc_offset_minutes == 60);
    CHECK(b1.dlms.dst == "eu");
    CHECK(b1.dlms_profiles.empty());

    const auto& b2 = meter(c, "bus2");
    CHECK(b2.dlms.physical_id == 101);
    CHECK(b2.dlms.priority == "low");
    REQUIRE(b2.dlms_profiles.size() == 1);
    CHECK(b2.dlms_profiles[0].obis == "1.0.98.1.0.255");
    CHECK(b2.dlms_profiles[0].history == std::chrono::hours(24 * 7));
    CHECK(b2.dlms_profiles[0].max_entries_per_read == 48);
}

TEST_CASE("OBIS codes are accepted in the usual spellings and refused otherwise", "[config][dlms]") {
    using config_detail::canonical_obis;
    CHECK(canonical_obis("1.0.1.8.0.255") == "1.0.1.8.0.255");
    CHECK(canonical_obis("1-0:1.8.0*255") == "1.0.1.8.0.255");
    CHECK(canonical_obis("1-0:1.8.0.255") == "1.0.1.8.0.255");
    CHECK(canonical_obis("1.0.99.1.0") == "1.0.99.1.0.255");
    CHECK_FALSE(canonical_obis("1.0.1.8.0.256"));
    CHECK_FALSE(canonical_obis("1.0.1.8"));
    CHECK_FALSE(canonical_obis("1.0.1.8.0.255.1"));
    CHECK_FALSE(canonical_obis("1.0.1.8.0."));
    CHECK_FALSE(canonical_obis("a.b.c.d.e.f"));
    CHECK_FALSE(canonical_obis("1:0-1.8.0.255"));
    CHECK_FALSE(canonical_obis(""));
}

TEST_CASE("a password is never echoed in a configuration message", "[config][dlms]") {
    const std::string yaml = R"(gateway:
  id: g
meters:
  - id: m1
    protocol: dlms
    host: 10.0.0.1
    dlms:
      client: 1
      password: VerySecret-42
    registers: [{name: w, obis: 1.0.1.7.0.255}]
)";
    const auto r = parse_config(yaml, "inline.yaml");
    REQUIRE_FALSE(r.config);
    for (const auto& issue : r.issues) CHECK(issue.to_string().find("VerySecret-42") == std::string::npos);
}

TEST_CASE("the JEMStar II DLMS example in docs/examples loads", "[config][dlms]") {
    const auto r = load_config(source_dir() + "/docs/examples/jemstar2-dlms.yaml");
    for (const auto& issue : r.issues) UNSCOPED_INFO(issue.to_string());
    REQUIRE(r.config);
    const auto& c = *r.config;
    REQUIRE(c.meters.size() == 3);
    CHECK(c.meters[0].dlms.password == "ClientId1");
    CHECK(c.meters[1].dlms.password == "ClientId2");
    CHECK(c.meters[1].dlms.physical_id == 100);
    CHECK(c.meters[2].dlms_profiles.at(0).channels.size() == 4);
    CHECK(c.meters[0].dlms_registers.size() == 14);
}
