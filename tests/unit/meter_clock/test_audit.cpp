// The audit details of checks, sets and alarms.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/meterclock/audit.hpp"
#include "policy_test_support.hpp"

using namespace gridgate;
using namespace gridgate::meterclock;
using namespace gridgate::meterclock::test;
using nlohmann::json;

TEST_CASE("a check's detail names the meter, offsets, quality and decision", "[meter_clock][audit]") {
    const auto config = settable();
    MeterClockPolicy p(config);
    auto check = check_at(mid, 1234567us, 20ms, GatewayTimeQuality::holdover);
    const auto decision = p.decide(check);
    const auto record = audit_record("feeder-7", check, decision, config);
    REQUIRE(audit_kinds(decision) == std::vector<std::string_view>{"meter_time_check"});
    const json j = json::parse(audit_detail(audit_kind::time_check, record));
    CHECK(j.at("meter") == "feeder-7");
    CHECK(j.at("protocol") == "dnp3");
    CHECK(j.at("offset_before_ms").get<double>() == Approx(1234.567));
    CHECK(j.at("offset_after_ms").is_null());
    CHECK(j.at("uncertainty_ms").get<double>() == Approx(20.0));
    CHECK(j.at("tolerance_ms").get<double>() == Approx(500.0));
    CHECK(j.at("gateway_time_quality") == "holdover");
    CHECK(j.at("action") == "set");
    CHECK(j.at("reason") == "out_of_tolerance");
    CHECK(j.at("result") == "ok");
    CHECK(j.at("retry_at").is_null());
}

TEST_CASE("a set's detail carries the offset after it and its result", "[meter_clock][audit]") {
    const auto config = settable();
    MeterClockPolicy p(config);
    const auto check = check_at(mid, -2s);
    auto record = audit_record("m1", check, p.decide(check), config);
    record.offset_after = -3ms;
    record.result = "rejected";
    const json j = json::parse(audit_detail(audit_kind::time_set, record));
    CHECK(j.at("offset_before_ms").get<double>() == Approx(-2000.0));
    CHECK(j.at("offset_after_ms").get<double>() == Approx(-3.0));
    CHECK(j.at("result") == "rejected");
    CHECK_FALSE(j.contains("retry_at"));
}

TEST_CASE("a postponed check says until when", "[meter_clock][audit]") {
    const auto config = settable();
    MeterClockPolicy p(config);
    const auto check = check_at(ten_oclock, 2s);
    const json j = json::parse(audit_detail(audit_kind::time_check, audit_record("m1", check, p.decide(check), config)));
    CHECK(j.at("action") == "postpone");
    CHECK(j.at("reason") == "guard_window");
    CHECK(j.at("retry_at") == "2025-01-06T10:00:30.000000Z");
}

TEST_CASE("alarms add their own events and fields", "[meter_clock][audit]") {
    const auto config = settable();
    MeterClockPolicy p(config);
    const auto big = check_at(mid, 10min);
    const auto decision = p.decide(big);
    REQUIRE(audit_kinds(decision) == std::vector<std::string_view>{"meter_time_check", "meter_clock_large_offset"});
    const auto record = audit_record("m1", big, decision, config);
    const json large = json::parse(audit_detail(audit_kind::clock_large_offset, record));
    CHECK(large.at("max_step_ms").get<double>() == Approx(300'000.0));
    CHECK(large.at("reason") == "too_large");

    ClockDecision drifting;
    drifting.action = ClockAction::set;
    drifting.drift = DriftAlarm{2, 200.5};
    CHECK(audit_kinds(drifting) == std::vector<std::string_view>{"meter_time_check", "meter_clock_drift"});
    const json drift = json::parse(audit_detail(audit_kind::clock_drift, audit_record("m1", big, drifting, config)));
    CHECK(drift.at("consecutive") == 2);
    CHECK(drift.at("drift_ppm").get<double>() == Approx(200.5));
}

TEST_CASE("a failed time read is a check with nulls", "[meter_clock][audit]") {
    ClockAuditRecord r;
    r.meter = "m1";
    r.protocol = ClockProtocol::dlms;
    r.gateway_time_quality = GatewayTimeQuality::synced;
    r.result = "failed";
    const json j = json::parse(audit_detail(audit_kind::time_check, r));
    CHECK(j.at("protocol") == "dlms");
    CHECK(j.at("offset_before_ms").is_null());
    CHECK(j.at("action").is_null());
    CHECK(j.at("reason").is_null());
    CHECK(j.at("result") == "failed");
}
