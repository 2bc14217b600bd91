// The meter clock policy in the configuration: clock: on meters and templates, defaults,
// the per-key template merge, the old dnp3:/dlms: keys as fallback, and the refusals.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "config_clock.hpp"
#include "config_test_support.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace gridgate::gateway::test;
using namespace std::chrono_literals;
using meterclock::ClockProtocol;

namespace {

const std::string head = "gateway: {id: s}\n";
const std::string dnp3_meter = R"(  - id: feeder-7
    protocol: dnp3
    host: 10.0.0.7
    points: [{name: c, type: counter, index: 0}]
)";
const std::string dlms_meter = R"(  - id: lp-1
    protocol: dlms
    host: 10.0.0.8
    registers: [{name: w, obis: 1.0.1.7.0.255}]
)";
const std::string modbus_meter = R"(  - id: mb-1
    host: 10.0.0.9
    points: [{name: wh, ref: 40001, type: u32}]
)";

GatewayConfig parsed(const std::string& yaml) {
    const auto r = parse_config(yaml, "site.yaml");
    for (const auto& issue : r.issues) UNSCOPED_INFO(issue.to_string());
    REQUIRE(r.config);
    return *r.config;
}

// True if some issue, as printed, contains every one of `parts`.
bool has_issue(const std::vector<std::string>& issues, std::initializer_list<std::string> parts) {
    for (const auto& issue : issues) {
        bool all = true;
        for (const auto& part : parts) all = all && issue.find(part) != std::string::npos;
        if (all) return true;
    }
    for (const auto& issue : issues) UNSCOPED_INFO(issue);
    return false;
}

}  // namespace

TEST_CASE("clock: with nothing in it gives the documented defaults", "[config][clock]") {
    const auto c = parsed(head + "meters:\n" + dnp3_meter + "    clock: {}\n");
    const MeterConfig& m = c.meters[0];
    CHECK_FALSE(m.clock_from_legacy);
    CHECK(m.clock.check_period == 15min);
    CHECK(m.clock.tolerance == 500ms);
    CHECK_FALSE(m.clock.set);
    CHECK(m.clock.max_step == 5min);
    CHECK_FALSE(m.clock.allow_large_step);
    CHECK(m.clock.guard == 30s);
    CHECK(m.clock.interval == 15min);
    CHECK(m.clock.drift_alarm_after == 2);
    CHECK(m.clock.time_zone == "UTC");
    CHECK(m.clock.protocols == std::vector<ClockProtocol>{ClockProtocol::dnp3});
    // The old fields follow: check only, so the DNP3 session never sets.
    CHECK(m.dnp3.time_sync == "none");
    CHECK(m.dnp3.time_tolerance == 500ms);
    CHECK(m.dnp3.time_check_period == 15min);
}

TEST_CASE("every clock key is read", "[config][clock]") {
    const auto c = parsed(head + "meters:\n" + dnp3_meter + R"(    dnp3: {time_sync: non_lan}
    clock:
      check_period: 1h
      tolerance: 250ms
      set: true
      max_step: 2min
      allow_large_step: true
      guard: 10s
      interval: 5min
      drift_alarm_after: 3
      time_zone: America/New_York
      protocols: [dnp3]
)");
    const auto& k = c.meters[0].clock;
    CHECK(k.check_period == 1h);
    CHECK(k.tolerance == 250ms);
    CHECK(k.set);
    CHECK(k.max_step == 2min);
    CHECK(k.allow_large_step);
    CHECK(k.guard == 10s);
    CHECK(k.interval == 5min);
    CHECK(k.drift_alarm_after == 3);
    CHECK(k.time_zone == "America/New_York");
    CHECK(c.meters[0].dnp3.time_sync == "non_lan");  // the procedure is still the DNP3 key's
    CHECK(c.meters[0].dnp3.time_tolerance == 250ms);
    // check_period 0: checked only when asked.
    CHECK(parsed(head + "meters:\n" + dnp3_meter + "    clock: {check_period: 0s}\n").meters[0].clock.check_period ==
          Duration::zero());
}

TEST_CASE("a template's clock keys apply to its meters, whose own keys win one by one", "[config][clock]") {
    const auto c = parsed(head + R"(templates:
  - id: jemstar
    protocol: dnp3
    points: [{name: c, type: counter, index: 0}]
    clock: {set: true, tolerance: 1s, interval: 5min, time_zone: Europe/Berlin}
meters:
  - {id: a, protocol: dnp3, host: 10.0.0.1, template: jemstar}
  - {id: b, protocol: dnp3, host: 10.0.0.2, template: jemstar, clock: {tolerance: 200ms, set: false}}
  - {id: c, protocol: dnp3, host: 10.0.0.3, dnp3: {time_tolerance: 3s}, points: [{name: x, type: counter, index: 1}]}
)");
    const auto& a = c.meters[0];
    CHECK_FALSE(a.clock_from_legacy);
    CHECK(a.clock.set);
    CHECK(a.clock.tolerance == 1s);
    CHECK(a.clock.interval == 5min);
    CHECK(a.clock.time_zone == "Europe/Berlin");
    CHECK(a.clock.max_step == 5min);  // default
    const auto& b = c.meters[1];
    CHECK_FALSE(b.clock.set);
    CHECK(b.clock.tolerance == 200ms);
    CHECK(b.clock.interval == 5min);  // still the template's
    CHECK(b.clock.time_zone == "Europe/Berlin");
    // A meter without the template keeps the old keys.
    CHECK(c.meters[2].clock_from_legacy);
    CHECK(c.meters[2].clock.tolerance == 3s);
}

TEST_CASE("without clock: the old protocol keys make the policy", "[config][clock]") {
    SECTION("DNP3: time_sync other than none sets, as before") {
        const auto c = parsed(head + "meters:\n" + dnp3_meter + "    dnp3: {time_tolerance: 2s, time_check_period: 30m}\n");
        const auto& m = c.meters[0];
        CHECK(m.clock_from_legacy);
        CHECK(m.clock.set);
        CHECK(m.clock.tolerance == 2s);
        CHECK(m.clock.check_period == 30min);
        CHECK(m.clock.max_step == 5min);
        CHECK(m.clock.guard == 0s);  // the old DNP3 keys had no guard window
        CHECK(m.clock.protocols == std::vector<ClockProtocol>{ClockProtocol::dnp3});
        CHECK(m.dnp3.time_sync == "auto");
    }
    SECTION("DNP3 time_sync: none checks only; a large old tolerance lifts max_step") {
        const auto c = parsed(head + "meters:\n" + dnp3_meter + "    dnp3: {time_sync: none, time_tolerance: 10m}\n");
        CHECK_FALSE(c.meters[0].clock.set);
        CHECK(c.meters[0].clock.max_step == 20min);
    }
    SECTION("DLMS") {
        const auto c = parsed(head + "meters:\n" + dlms_meter +
                              "    dlms: {clock_check_period: 5m, clock_tolerance: 3s, clock_guard: 10s}\n");
        const auto& m = c.meters[0];
        CHECK(m.clock_from_legacy);
        CHECK_FALSE(m.clock.set);
        CHECK(m.clock.check_period == 5min);
        CHECK(m.clock.tolerance == 3s);
        CHECK(m.clock.guard == 10s);
        CHECK(m.clock.protocols == std::vector<ClockProtocol>{ClockProtocol::dlms});
    }
    SECTION("Modbus: check only") {
        const auto c = parsed(head + "meters:\n" + modbus_meter);
        CHECK(c.meters[0].clock_from_legacy);
        CHECK_FALSE(c.meters[0].clock.set);
        CHECK(c.meters[0].clock.protocols == std::vector<ClockProtocol>{ClockProtocol::modbus});
    }
}

TEST_CASE("old clock keys beside a clock: section are refused, naming both", "[config][clock]") {
    const auto own = issues_of(head + "meters:\n" + dnp3_meter + R"(    dnp3: {time_tolerance: 2s}
    clock: {tolerance: 1s}
)");
    CHECK(has_issue(own, {"site.yaml:7: meters[0].dnp3.time_tolerance: an old clock key",
                          "clock: section (line 8)", "clock.tolerance"}));
    const auto dlms = issues_of(head + "meters:\n" + dlms_meter + R"(    dlms: {clock_guard: 5s, clock_set: false}
    clock: {guard: 10s}
)");
    CHECK(has_issue(dlms, {"meters[0].dlms.clock_guard: an old clock key", "clock.guard"}));
    CHECK(has_issue(dlms, {"meters[0].dlms.clock_set: an old clock key", "clock.set"}));
    const auto via_template = issues_of(head + R"(templates:
  - {id: t, protocol: dnp3, points: [{name: c, type: counter, index: 0}], clock: {set: false}}
meters:
  - {id: a, protocol: dnp3, host: 10.0.0.1, template: t, dnp3: {time_check_period: 1h}}
)");
    CHECK(has_issue(via_template, {"site.yaml:5: meters[0].dnp3.time_check_period", "from template t, line 3",
                                   "clock.check_period"}));
    // Keys that are no policy (the DNP3 procedure, NEED_TIME) stay allowed.
    CHECK(issues_of(head + "meters:\n" + dnp3_meter + "    dnp3: {time_sync: lan, sync_on_need_time: false}\n" +
                    "    clock: {set: true}\n")
              .empty());
}

TEST_CASE("clock values out of range are refused with file:line", "[config][clock]") {
    auto issues_with = [](const std::string& clock) {
        return issues_of(head + "meters:\n" + dnp3_meter + "    clock: " + clock + "\n");
    };
    CHECK(has_issue(issues_with("{check_period: 30s}"),
                    {"site.yaml:7: meters[0].clock.check_period: must be 0 (checked only when asked) or 1m to 24h"}));
    CHECK(has_issue(issues_with("{check_period: 25h}"), {"meters[0].clock.check_period: must be a duration between"}));
    CHECK(has_issue(issues_with("{tolerance: 20s}"), {"clock.tolerance: must be a duration between 10ms and 10s"}));
    CHECK(has_issue(issues_with("{tolerance: 5ms}"), {"clock.tolerance: must be a duration between 10ms and 10s"}));
    CHECK(has_issue(issues_with("{interval: 7min}"), {"clock.interval: must divide an hour in whole minutes"}));
    CHECK(has_issue(issues_with("{interval: 90s}"), {"clock.interval: must divide an hour"}));
    CHECK(has_issue(issues_with("{interval: 2h}"), {"clock.interval: must be a duration between 1m and 1h"}));
    CHECK(has_issue(issues_with("{drift_alarm_after: 0}"), {"clock.drift_alarm_after: must be an integer between 1 and 100"}));
    CHECK(has_issue(issues_with("{set: yes}"), {"clock.set: must be true or false"}));
    CHECK(has_issue(issues_with("{protocols: []}"), {"clock.protocols: must be a non-empty list"}));
    CHECK(has_issue(issues_with("{protocols: [dnp3, dnp3]}"), {"clock.protocols[1]: protocol dnp3 is listed twice"}));
    CHECK(has_issue(issues_with("{protocols: [iec104]}"), {"clock.protocols[0]: must be one of modbus, dnp3 or dlms"}));
    CHECK(has_issue(issues_with("{tolerence: 1s}"), {"clock.tolerence: unknown key"}));
}

TEST_CASE("clock combinations that make no sense are refused", "[config][clock]") {
    auto issues_with = [](const std::string& clock) {
        return issues_of(head + "meters:\n" + dnp3_meter + "    clock: " + clock + "\n");
    };
    CHECK(has_issue(issues_with("{tolerance: 2s, max_step: 2s}"),
                    {"site.yaml:7: meters[0].clock.max_step: max_step (2s) must be larger than tolerance (2s)"}));
    CHECK(has_issue(issues_with("{interval: 1min}"),
                    {"meters[0].clock.interval: guard (30s) must be less than half the interval (1m)"}));
    CHECK(has_issue(issues_with("{guard: 8min}"), {"meters[0].clock.guard: guard (8m) must be less than half"}));
    CHECK(has_issue(issues_with("{protocols: [dlms]}"),
                    {"meters[0].clock.protocols: the meter is read over dnp3 only; the gateway has no dlms session"}));
    CHECK(issues_with("{guard: 0s, interval: 1min}").empty());
}

TEST_CASE("setting the clock over a protocol that cannot is refused", "[config][clock]") {
    SECTION("Modbus has no time write") {
        const auto issues = issues_of(head + "meters:\n" + modbus_meter + "    clock: {set: true}\n");
        CHECK(has_issue(issues, {"site.yaml:6: meters[0].clock.set: a Modbus meter's clock cannot be set",
                                 "no time write"}));
        // Checking only (and a zone) is fine.
        CHECK(issues_of(head + "meters:\n" + modbus_meter + "    clock: {time_zone: America/Chicago}\n").empty());
    }
    SECTION("DLMS needs client 1") {
        const auto issues = issues_of(head + "meters:\n" + dlms_meter + "    clock: {set: true}\n");
        CHECK(has_issue(issues, {"meters[0].clock.set: setting the clock needs DLMS client 1", "client 16"}));
    }
    SECTION("DNP3 time_sync: none contradicts set: true") {
        const auto issues =
            issues_of(head + "meters:\n" + dnp3_meter + "    dnp3: {time_sync: none}\n    clock: {set: true}\n");
        CHECK(has_issue(issues, {"site.yaml:8: meters[0].clock.set: contradicts dnp3.time_sync: none (line 7)"}));
    }
}

TEST_CASE("a template's clock problem is reported once, at the template", "[config][clock]") {
    const auto issues = issues_of(head + R"(templates:
  - {id: t, points: [{name: wh, ref: 40001, type: u32}], clock: {set: true}}
meters:
  - {id: a, host: 10.0.0.1, template: t}
  - {id: b, host: 10.0.0.2, template: t}
)");
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].find("site.yaml:3: templates[0].clock.set: a Modbus meter's clock cannot be set") == 0);
}

TEST_CASE("time zones: UTC or an IANA name with a TZif file", "[config][clock]") {
    using config_detail::time_zone_problem;
    CHECK_FALSE(time_zone_problem("UTC"));
    CHECK_FALSE(time_zone_problem("America/New_York"));
    CHECK_FALSE(time_zone_problem("Asia/Kathmandu"));
    CHECK_FALSE(time_zone_problem("Etc/GMT-5"));
    CHECK(time_zone_problem("UTC+05:30")->find("a fixed UTC offset is not accepted") == 0);
    CHECK(time_zone_problem("GMT-3")->find("a fixed UTC offset") == 0);
    CHECK(time_zone_problem("Mars/Olympus_Mons")->find("unknown time zone Mars/Olympus_Mons") == 0);
    CHECK(time_zone_problem("America")->find("is a group of zones") != std::string::npos);
    CHECK(time_zone_problem("../../etc/passwd")->find("is not a time zone name") == 0);
    CHECK(time_zone_problem("Europe/../Europe/Paris")->find("is not a time zone name") == 0);
    CHECK(time_zone_problem("localtime")->find("whatever this machine is set to") != std::string::npos);
    CHECK(time_zone_problem("")->find("is not a time zone name") == 0);

    const auto issues = issues_of(head + "meters:\n" + dnp3_meter + "    clock: {time_zone: America/New_Yrok}\n");
    CHECK(has_issue(issues, {"site.yaml:7: meters[0].clock.time_zone: unknown time zone America/New_Yrok"}));
}

TEST_CASE("a zone file without the TZif header is refused", "[config][clock]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("gg-tzdir-" + std::to_string(::getpid()));
    fs::create_directories(dir / "Test");
    std::ofstream(dir / "Test" / "Fake") << "not a zone\n";
    std::ofstream(dir / "Test" / "Real", std::ios::binary) << "TZif2 and the rest";
    const char* before = std::getenv("TZDIR");
    const std::string saved = before ? before : "";
    ::setenv("TZDIR", dir.c_str(), 1);
    const auto fake = config_detail::time_zone_problem("Test/Fake");
    const auto real = config_detail::time_zone_problem("Test/Real");
    if (before) ::setenv("TZDIR", saved.c_str(), 1);
    else ::unsetenv("TZDIR");
    fs::remove_all(dir);
    REQUIRE(fake);
    CHECK(fake->find("is not a time zone file (no TZif header)") != std::string::npos);
    CHECK_FALSE(real);
}

TEST_CASE("the clock fixture: template policy, an override, old keys and a check-only Modbus meter",
          "[config][clock]") {
    const auto r = load_config(fixture("good/clock.yaml"));
    for (const auto& issue : r.issues) UNSCOPED_INFO(issue.to_string());
    REQUIRE(r.config);
    const auto& meters = r.config->meters;
    REQUIRE(meters.size() == 4);
    CHECK(meters[0].clock.tolerance == 200ms);
    CHECK(meters[0].clock.set);
    CHECK(meters[0].clock.time_zone == "America/New_York");
    CHECK(meters[0].dnp3.time_sync == "lan");
    CHECK(meters[1].clock.tolerance == 500ms);
    CHECK(meters[1].clock.set);
    CHECK(meters[2].clock_from_legacy);
    CHECK(meters[2].clock.check_period == 1h);
    CHECK(meters[3].clock.time_zone == "Europe/Paris");
    CHECK(meters[3].clock.check_period == Duration::zero());
    CHECK_FALSE(meters[3].clock.set);
}
