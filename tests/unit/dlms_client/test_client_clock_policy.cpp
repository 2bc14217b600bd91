// The clock under an outside policy (ClockPolicyHooks): every read goes to on_check with
// the times of the exchange, a SET happens only when the answer says so, on_set hears how
// it went, the next check comes when the answer says, and the session's own rules and
// events step aside. Meters in local time: the value written is local time in the tz zone.
#include <catch2/catch.hpp>

#include "client_harness.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::testing;

namespace {

const LocalZone new_york{-300, DstRule::us, 60};

// A policy script: answers each check with `set` and a next check `next_in` later.
struct ScriptedPolicy {
    bool set = false;
    Duration next_in = std::chrono::seconds(30);
    std::vector<std::optional<ClockReading>> checks;
    std::vector<ClockSetOutcome> sets;
};

ClientOptions with_policy(const Harness& h, ScriptedPolicy& policy, bool writer = true) {
    auto o = h.fast_options();
    o.clock_check_period = std::chrono::minutes(15);  // only says "check at start"
    o.clock_tolerance = std::chrono::hours(1);         // the session's own rules would never set
    if (writer) {
        o.client_sap = 1;
        o.password = "ClientId1";
    }
    const FakeClock* clock = &h.clock;
    o.clock_policy.on_check = [&policy, clock](const std::optional<ClockReading>& r) {
        policy.checks.push_back(r);
        return ClockCheckAnswer{policy.set, clock->now_utc_us() + policy.next_in.count()};
    };
    o.clock_policy.on_set = [&policy](const ClockSetOutcome& s) { policy.sets.push_back(s); };
    return o;
}

std::int64_t offset_us(const ClockReading& r) { return r.meter_us - (r.sent_us + (r.received_us - r.sent_us) / 2); }

}  // namespace

TEST_CASE("policy: each check reports the exchange's times; no set unless answered", "[dlms][client][clock][policy]") {
    Harness h;
    h.meter.clock_offset_us = 5'000'000;
    h.meter.answer_delay = 40ms;
    ScriptedPolicy policy;
    h.start(with_policy(h, policy));
    REQUIRE(h.run_until([&] { return policy.checks.size() == 1; }));
    const auto& r = policy.checks[0];
    REQUIRE(r);
    REQUIRE(r->received_us - r->sent_us == 40'000);
    // The meter read its clock when the request arrived: 5 s ahead of the send, 20 ms
    // before the midpoint.
    REQUIRE(offset_us(*r) == 4'980'000);
    REQUIRE(r->resolution == 10ms);  // hundredths in the date-time
    REQUIRE(r->utc_offset == 0min);
    h.run_for(50ms);
    REQUIRE(h.meter.count("SET") == 0);
    REQUIRE(policy.sets.empty());
    REQUIRE(h.count_events("dlms_time_checked") == 0);  // the policy's owner audits
    REQUIRE(h.stats().last_offset_ms == 4980);

    SECTION("the next check when the answer said, not before") {
        h.clock.advance(20s);
        h.run_for(40ms);
        REQUIRE(policy.checks.size() == 1);
        h.clock.advance(11s);
        REQUIRE(h.run_until([&] { return policy.checks.size() == 2; }));
    }
    SECTION("request_clock_set() is a check the policy decides on") {
        h.session->request_clock_set();
        REQUIRE(h.run_until([&] { return policy.checks.size() == 2; }));
        h.run_for(30ms);
        REQUIRE(h.meter.count("SET") == 0);
    }
}

TEST_CASE("policy: a set it asks for, read back", "[dlms][client][clock][policy]") {
    Harness h;
    h.meter.zone = LocalZone{60, DstRule::eu, 60};
    h.meter.clock_offset_us = -250'000;  // far inside the session's own (1 h) tolerance
    h.meter.answer_delay = 10ms;
    ScriptedPolicy policy;
    policy.set = true;
    h.start(with_policy(h, policy));
    REQUIRE(h.run_until([&] { return policy.sets.size() == 1; }));
    REQUIRE(h.meter.count("SET 8/0.0.1.0.0.255/2") == 1);
    const auto& s = policy.sets[0];
    REQUIRE(s.result == "ok");
    REQUIRE(s.after);
    REQUIRE(std::llabs(offset_us(*s.after)) <= 10'000);  // the date-time's resolution
    REQUIRE(s.at_us >= policy.checks[0]->received_us);  // sent right after the check
    REQUIRE(policy.checks[0]->utc_offset == 60min);  // CET
    REQUIRE(h.meter.last_set_time->deviation == -60);
    REQUIRE(h.stats().time_sets == 1);
    REQUIRE(h.count_events("dlms_time_set") == 0);
}

TEST_CASE("policy: refusals reach on_set, and the policy may try again", "[dlms][client][clock][policy]") {
    Harness h;
    h.meter.clock_offset_us = 9'000'000;
    ScriptedPolicy policy;
    policy.set = true;
    SECTION("a client the meter does not let write the clock") {
        auto o = with_policy(h, policy, false);
        o.client_sap = 2;
        o.password = "ClientId2";
        h.start(o);
        REQUIRE(h.run_until([&] { return policy.sets.size() == 1; }));
        REQUIRE(policy.sets[0].result == "rejected");
        REQUIRE(policy.sets[0].detail == "read-write-denied");
        REQUIRE_FALSE(policy.sets[0].after);
        h.clock.advance(31s);
        REQUIRE(h.run_until([&] { return policy.sets.size() == 2; }));
        REQUIRE(h.meter.count("SET") == 2);
        REQUIRE(h.count_events("dlms_time_set_failed") == 0);
    }
    SECTION("SET not in the conformance granted: not sent") {
        h.meter.conformance &= ~conformance::set;
        h.start(with_policy(h, policy));
        REQUIRE(h.run_until([&] { return policy.sets.size() == 1; }));
        REQUIRE(policy.sets[0].result == "rejected");
        REQUIRE(policy.sets[0].detail == "set-not-granted");
        REQUIRE(h.meter.count("SET") == 0);
    }
    SECTION("the answer to the SET is lost: failed") {
        h.start(with_policy(h, policy));
        REQUIRE(h.run_until([&] { return policy.checks.size() == 1; }));
        // Lose every answer from now on: the SET's, and those of the retries.
        h.meter.lose_answers = 1000;
        REQUIRE(h.run_until([&] { return policy.sets.size() == 1; }));
        REQUIRE(policy.sets[0].result == "failed");
    }
}

TEST_CASE("policy: a meter keeping local time in a tz zone is set in local time", "[dlms][client][clock][policy]") {
    Harness h;
    h.meter.zone = new_york;
    h.meter.clock_offset_us = -20'000'000;
    ScriptedPolicy policy;
    policy.set = true;
    auto o = with_policy(h, policy);
    o.time.ignore_deviation = true;  // the zone decides, not the date-time's deviation
    o.time.time_zone = TimeZone::load("America/New_York");
    SECTION("first pass of the repeated hour: EDT") {
        h.clock.set_wall(1'793'512'200'000'000);  // 2026-11-01T05:50:00Z = 01:50 EDT
        h.start(o);
        REQUIRE(h.run_until([&] { return policy.sets.size() == 1; }));
        const CosemDateTime& t = *h.meter.last_set_time;
        REQUIRE(t.hour == 1);
        REQUIRE(t.minute == 50);
        REQUIRE(t.deviation == 240);
        REQUIRE(t.status == clock_status::daylight_saving_active);
        REQUIRE(policy.checks[0]->utc_offset == -240min);
    }
    SECTION("second pass: EST") {
        h.clock.set_wall(1'793'515'800'000'000);  // 2026-11-01T06:50:00Z = 01:50 EST
        h.start(o);
        REQUIRE(h.run_until([&] { return policy.sets.size() == 1; }));
        const CosemDateTime& t = *h.meter.last_set_time;
        REQUIRE(t.hour == 1);
        REQUIRE(t.minute == 50);
        REQUIRE(t.deviation == 300);
        REQUIRE(t.status == 0x00);
        REQUIRE(policy.checks[0]->utc_offset == -300min);
    }
    // Read as local time with the DST bit, the offset before the set was the meter's 20 s.
    REQUIRE(std::llabs(offset_us(*policy.checks[0]) + 20'000'000) <= 10'000);
    REQUIRE(std::llabs(h.meter.clock_offset_us) <= 10'000);
}
