// The `events` payload contract (docs/northbound.md): one JSON object per event.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/northbound/encoding.hpp"

using namespace gridgate;
using gridgate::northbound::encode_event;

namespace {
// 2026-11-21T10:15:02.120456Z
constexpr TimestampUs t0 = 1'795'256'102'120'456;

GatewayEvent event(std::uint64_t id, std::string kind, std::string detail, TimestampUs ts = t0) {
    return GatewayEvent{id, ts, std::move(kind), std::move(detail)};
}
}  // namespace

TEST_CASE("an event is one JSON object: gateway, id, ts in milliseconds, kind, meter, detail") {
    const auto payload = encode_event(
        "site-7", event(42, "dnp3_time_set",
                        R"({"meter":"feeder-1","procedure":"lan","offset_before_ms":-1250,"offset_after_ms":3,)"
                        R"("reason":"drift","result":"ok"})"));
    CHECK(payload ==
          R"({"gateway":"site-7","id":42,"ts":"2026-11-21T10:15:02.120Z","kind":"dnp3_time_set","meter":"feeder-1",)"
          R"("detail":{"meter":"feeder-1","procedure":"lan","offset_before_ms":-1250,"offset_after_ms":3,)"
          R"("reason":"drift","result":"ok"}})");
}

TEST_CASE("an event without a string meter in its detail has no meter field") {
    const auto store_event = nlohmann::json::parse(encode_event(
        "gw", event(7, "quota_dropped", R"({"first_seq":1,"last_seq":10,"count":10,"reason":"size"})")));
    CHECK_FALSE(store_event.contains("meter"));
    CHECK(store_event["detail"]["count"] == 10);
    CHECK(store_event["kind"] == "quota_dropped");

    const auto numeric_meter = nlohmann::json::parse(encode_event("gw", event(8, "x", R"({"meter":17})")));
    CHECK_FALSE(numeric_meter.contains("meter"));
    CHECK(numeric_meter["detail"]["meter"] == 17);

    const auto empty = encode_event("gw", event(9, "dnp3_comm_restored", "{}"));
    CHECK(empty ==
          R"({"gateway":"gw","id":9,"ts":"2026-11-21T10:15:02.120Z","kind":"dnp3_comm_restored","detail":{}})");
}

TEST_CASE("the detail object is carried as it is, nested values and key order included") {
    const std::string detail = R"({"z":1,"a":{"list":[1,2.5,null,true],"s":"x\"y"},"meter":"m-1"})";
    const auto json = nlohmann::ordered_json::parse(encode_event("gw", event(1, "k", detail)));
    CHECK(json["detail"].dump() == nlohmann::ordered_json::parse(detail).dump());
    CHECK(json["meter"] == "m-1");
    std::vector<std::string> keys;
    for (const auto& [key, value] : json.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"gateway", "id", "ts", "kind", "meter", "detail"});
}

TEST_CASE("milliseconds are floored, before 1970 too, and ids use the full 64 bits") {
    auto at = [](TimestampUs ts) {
        return nlohmann::json::parse(encode_event("gw", event(1, "k", "{}", ts)))["ts"].get<std::string>();
    };
    CHECK(at(0) == "1970-01-01T00:00:00.000Z");
    CHECK(at(999) == "1970-01-01T00:00:00.000Z");
    CHECK(at(1'999) == "1970-01-01T00:00:00.001Z");
    CHECK(at(-1) == "1969-12-31T23:59:59.999Z");
    const auto big = nlohmann::json::parse(encode_event("gw", event(UINT64_MAX, "k", "{}")));
    CHECK(big["id"].get<std::uint64_t>() == UINT64_MAX);
}

TEST_CASE("a detail that is not a JSON object is carried as raw text, and the payload stays valid JSON") {
    const auto array = nlohmann::json::parse(encode_event("gw", event(1, "k", "[1,2]")));
    CHECK(array["detail"] == nlohmann::json{{"raw", "[1,2]"}});
    const auto garbage = nlohmann::json::parse(encode_event("gw", event(2, "k", "not json {")));
    CHECK(garbage["detail"]["raw"] == "not json {");
    CHECK_FALSE(garbage.contains("meter"));

    // Invalid UTF-8 from a meter or a config file becomes U+FFFD.
    const auto bad_utf8 = encode_event("gw\xff", event(3, "k\xfe", "{\"meter\":\"m\xc3\"}"));
    const auto parsed = nlohmann::json::parse(bad_utf8);  // throws if it were invalid
    CHECK(parsed["gateway"] == "gw\xEF\xBF\xBD");
    CHECK(parsed["meter"] == "m\xEF\xBF\xBD");
}

TEST_CASE("a file_forwarded event is a files notice with the notice's own fields", "[encoding][files]") {
    GatewayEvent event;
    event.id = 42;
    event.ts_us = 1'763'719'502'120'000;  // 2025-11-21T10:05:02.120Z
    event.kind = "file_forwarded";
    event.detail_json = R"({"meter":"pq7","name":"142300003_1454408745_133724_07.pqd","size":1234,)"
                        R"("sha256":"ab","remote_path":"/in/site-01/pq7/142300003_1454408745_133724_07.pqd",)"
                        R"("sink":"sftp.headend","id":7})";
    REQUIRE(northbound::is_file_notice(event));
    const auto json = nlohmann::json::parse(northbound::encode_file_notice("site-01", event));
    CHECK(json["gateway"] == "site-01");
    CHECK(json["id"] == 42);  // the event id, never the detail's
    CHECK(json["ts"] == "2025-11-21T10:05:02.120Z");
    CHECK(json["meter"] == "pq7");
    CHECK(json["size"] == 1234);
    CHECK(json["sha256"] == "ab");
    CHECK(json["sink"] == "sftp.headend");
    CHECK_FALSE(json.contains("kind"));
    event.kind = "meter_alarm";
    CHECK_FALSE(northbound::is_file_notice(event));
}
