#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "gridgate/notify/notification.hpp"

using namespace gridgate::notify;

namespace {
// The keys of the manual's sample body (meter-features.md 14), values made up.
const std::string manual_sample = R"json({
  "Account Number": "ACC-1",
  "Administrator": "ops",
  "Configuration ID": "CFG-7",
  "EventTime": "2019-08-23T21:00:00Z",
  "EventType": "SS",
  "Location": "Substation 4",
  "Location(Lat)": 40.4406,
  "Location(Long)": -79.9959,
  "MV 90 Meter ID": "MV90-0042",
  "Owner": "Utility",
  "Properties": {"Voltage Sag Phase A": "87.5"},
  "Source": "JEMStar II 123456",
  "User defined": "feeder 12"
})json";
}  // namespace

TEST_CASE("notification: the manual's sample keys, device from MV 90 Meter ID, unknown keys kept", "[notify][notification]") {
    const auto r = parse_notification(manual_sample);
    REQUIRE(r.ok);
    const auto& n = r.notification;
    CHECK(n.event_type == "SS");
    CHECK(n.device_id == "MV90-0042");  // before "Account Number"
    CHECK(n.event_id.empty());
    CHECK(n.event_time == "2019-08-23T21:00:00Z");
    REQUIRE(n.event_time_us);
    CHECK(*n.event_time_us == 1566594000LL * 1000000);
    // Kept whole and compact, in the order sent.
    const auto doc = nlohmann::ordered_json::parse(n.json);
    CHECK(doc == nlohmann::ordered_json::parse(manual_sample));
    CHECK(doc.begin().key() == "Account Number");
    CHECK(doc["User defined"] == "feeder 12");
    CHECK(doc["Properties"]["Voltage Sag Phase A"] == "87.5");
    CHECK(n.json.find('\n') == std::string::npos);
}

TEST_CASE("notification: the spec table's DeviceId and EventId come first", "[notify][notification]") {
    const auto r = parse_notification(
        R"({"EventType":"OU","DeviceId":"dev-1","MV 90 Meter ID":"mv","EventId":"e-77","EventTime":"2019-08-23T17:00:00-04:00",
            "Source":"s","Owner":"o","Location":{"Lat":1.5,"Long":2.5},"Properties":{"Outage":"1"}})");
    REQUIRE(r.ok);
    CHECK(r.notification.device_id == "dev-1");
    CHECK(r.notification.event_id == "e-77");
    REQUIRE(r.notification.event_time_us);
    CHECK(*r.notification.event_time_us == 1566594000LL * 1000000);  // 17:00-04:00 is 21:00Z
}

TEST_CASE("notification: other device id fields in order, numbers accepted", "[notify][notification]") {
    CHECK(parse_notification(R"({"EventType":"TS","Meter ID":"m","Meter ID#1":"m1"})").notification.device_id == "m1");
    CHECK(parse_notification(R"({"EventType":"TS","Meter ID":"m","Account Number":"a"})").notification.device_id == "m");
    CHECK(parse_notification(R"({"EventType":"TS","MV90 Meter ID":"x"})").notification.device_id == "x");
    CHECK(parse_notification(R"({"EventType":"TS","DeviceId":12345})").notification.device_id == "12345");
    CHECK(parse_notification(R"({"EventType":"TS","DeviceId":"","Meter ID":"m"})").notification.device_id == "m");
    const auto none = parse_notification(R"({"EventType":"BAT"})");
    REQUIRE(none.ok);
    CHECK(none.notification.device_id.empty());
    CHECK(none.notification.event_time.empty());
    CHECK_FALSE(none.notification.event_time_us);
}

TEST_CASE("notification: EventTime forms", "[notify][notification]") {
    auto at = [](std::string_view time) {
        return parse_notification(R"({"EventType":"PQ","EventTime":")" + std::string(time) + "\"}").notification.event_time_us;
    };
    const std::int64_t t0 = 1566594000LL * 1000000;  // 2019-08-23T21:00:00Z
    CHECK(at("2019-08-23T21:00:00Z") == t0);
    CHECK(at("2019-08-23T21:00:00z") == t0);
    CHECK(at("2019-08-23 21:00:00Z") == t0);
    CHECK(at("2019-08-23T17:00:00-04:00") == t0);
    CHECK(at("2019-08-23T17:00:00-0400") == t0);
    CHECK(at("2019-08-24T02:30:00+05:30") == t0);
    CHECK(at("2019-08-23T21:00:00.25Z") == t0 + 250000);
    CHECK(at("2019-08-23T21:00:00.1234567Z") == t0 + 123456);
    CHECK(at("2020-02-29T00:00:00Z") == 1582934400LL * 1000000);  // a leap day
    CHECK(at("1969-12-31T23:59:59Z") == -1000000);

    // Kept as text but not turned into a time.
    CHECK_FALSE(at("2019-08-23T21:00:00"));  // local time of an unknown zone
    CHECK_FALSE(at("2019-02-29T00:00:00Z"));
    CHECK_FALSE(at("2019-13-01T00:00:00Z"));
    CHECK_FALSE(at("2019-08-23T24:00:00Z"));
    CHECK_FALSE(at("2019-08-23T21:00Z"));
    CHECK_FALSE(at("2019-08-23T21:00:00.Z"));
    CHECK_FALSE(at("2019-08-23T21:00:00+4:00"));
    CHECK_FALSE(at("2019-08-23T21:00:00Z trailing"));
    CHECK_FALSE(at(""));
    const auto kept = parse_notification(R"({"EventType":"PQ","EventTime":"yesterday"})");
    REQUIRE(kept.ok);
    CHECK(kept.notification.event_time == "yesterday");
}

TEST_CASE("notification: refusals", "[notify][notification]") {
    auto refused = [](std::string_view text, NotificationLimits limits = {}) {
        const auto r = parse_notification(text, limits);
        CHECK_FALSE(r.ok);
        return r.error;
    };
    CHECK(refused("[1,2]") == "JSON is not an object");
    CHECK(refused("\"OU\"") == "JSON is not an object");
    CHECK(refused("{}") == "no EventType");
    CHECK(refused(R"({"EventType":5})") == "EventType is not a non-empty string");
    CHECK(refused(R"({"EventType":""})") == "EventType is not a non-empty string");
    CHECK(refused(R"({"EventType":"OU",})").rfind("malformed JSON at byte", 0) == 0);
    CHECK(refused(R"({"EventType":"OU")").rfind("malformed JSON at byte", 0) == 0);
    CHECK(refused("").rfind("malformed JSON", 0) == 0);
    CHECK(refused("{\"EventType\":\"\xff\"}").rfind("malformed JSON", 0) == 0);  // not UTF-8

    std::string deep = R"({"EventType":"OU","x":)";
    for (int i = 0; i < 16; ++i) deep += "[";
    for (int i = 0; i < 16; ++i) deep += "]";
    deep += "}";
    CHECK(refused(deep) == "JSON nested deeper than 16 levels");
    CHECK(parse_notification(deep, NotificationLimits{64 * 1024, 17}).ok);
    // Brackets inside strings do not count.
    CHECK(parse_notification(R"({"EventType":"OU","s":"[[[[[[[[[[[[[[[[[[[[[[[["})").ok);

    const std::string big = R"({"EventType":"OU","pad":")" + std::string(70000, 'p') + "\"}";
    CHECK(refused(big) == "JSON larger than 65536 bytes");
    CHECK(parse_notification(big, NotificationLimits{100000, 16}).ok);
}

TEST_CASE("notification_event_kind", "[notify][notification]") {
    for (const char* t : {"OU", "SS", "PQ", "RE", "BAT", "TS", "CFG"}) CHECK(notification_event_kind(t) == "meter_alarm");
    CHECK(notification_event_kind("PQD") == "meter_pqdif");
    CHECK(notification_event_kind("XYZ") == "meter_notification");
    CHECK(notification_event_kind("ou") == "meter_notification");
}

TEST_CASE("notification: a number too large for a double is refused, not thrown", "[notify][notification]") {
    const auto r = parse_notification(R"json({"EventType":"OU","Location(Long)":-7555555555555555555500001341e7186})json");
    CHECK_FALSE(r.ok);
    CHECK(r.error == "malformed JSON: number out of range");
}
