#include <catch2/catch.hpp>
#include <string>

#include "gridgate/notify/alarm_request.hpp"

using namespace gridgate::notify;

namespace {
AlarmRequestRules rules() {
    AlarmRequestRules r;
    r.path = "/alarms";
    r.max_body_bytes = 1000;
    r.max_json_bytes = 100;
    return r;
}
AlarmHeadVerdict head(std::string_view method, std::string_view target, std::string_view type,
                      std::optional<std::uint64_t> length = std::nullopt) {
    return check_alarm_request_head(AlarmRequestHead{method, target, type, length}, rules());
}
}  // namespace

TEST_CASE("alarm request head: path, method, content type, length", "[notify][request]") {
    CHECK(head("POST", "/alarms", "application/json", 10).status == 0);
    CHECK(head("POST", "/alarms?meter=1", "application/json; charset=UTF-8").status == 0);
    CHECK(head("POST", "/alarms", "application/json; charset=iso-8859-1").status == 415);
    CHECK(head("POST", "/other", "application/json").status == 404);
    CHECK(head("GET", "/other", "").status == 404);
    CHECK(head("GET", "/alarms", "").status == 405);
    CHECK(head("PUT", "/alarms", "application/json").status == 405);
    CHECK(head("POST", "/alarms", "text/plain").status == 415);
    CHECK(head("POST", "/alarms", "").status == 415);
    CHECK(head("POST", "/alarms", "multipart/form-data").status == 415);  // no boundary
    CHECK(head("POST", "/alarms", "multipart/mixed; boundary=x").status == 415);

    const auto mp = head("POST", "/alarms", "multipart/form-data; boundary=\"q b\"", 1000);
    CHECK(mp.status == 0);
    CHECK(mp.kind == AlarmBodyKind::multipart);
    CHECK(mp.boundary == "q b");
    CHECK(head("POST", "/alarms", "multipart/form-data; boundary=x", 1001).status == 413);
    CHECK(head("POST", "/alarms", "application/json", 100).status == 0);
    CHECK(head("POST", "/alarms", "application/json", 101).status == 413);  // JSON has its own limit
}

TEST_CASE("alarm request body: JSON", "[notify][request]") {
    const auto h = head("POST", "/alarms", "application/json");
    const auto good = decode_alarm_body(R"({"EventType":"OU","X":1})", h, rules());
    CHECK(good.status == 0);
    CHECK(good.notification.event_type == "OU");
    CHECK_FALSE(good.has_file);
    CHECK(decode_alarm_body("{oops", h, rules()).status == 400);
    CHECK(decode_alarm_body(R"({"EventType":"OU","pad":")" + std::string(100, 'p') + "\"}", h, rules()).status == 413);
}

TEST_CASE("alarm request body: multipart with json_msg and pqdif_file", "[notify][request]") {
    const auto h = head("POST", "/alarms", "multipart/form-data; boundary=b");
    const std::string json_part = "--b\r\nContent-Disposition: form-data; name=\"json_msg\"\r\n\r\n{\"EventType\":\"PQD\"}\r\n";
    const std::string file_part = "--b\r\nContent-Disposition: form-data; name=\"pqdif_file\"; filename=\"a.pqd\"\r\n\r\n\x01\r\n\x02\r\n";
    const auto good = decode_alarm_body(json_part + file_part + "--b--\r\n", h, rules());
    REQUIRE(good.status == 0);
    CHECK(good.notification.event_type == "PQD");
    CHECK(good.has_file);
    CHECK(good.filename == "a.pqd");
    CHECK(good.file_bytes == "\x01\r\n\x02");

    const auto json_only = decode_alarm_body(json_part + "--b--\r\n", h, rules());
    CHECK(json_only.status == 0);
    CHECK_FALSE(json_only.has_file);

    // A typed json_msg part: application/json (with a charset) is fine, anything else is not.
    const std::string typed = "--b\r\nContent-Disposition: form-data; name=\"json_msg\"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{\"EventType\":\"OU\"}\r\n--b--";
    CHECK(decode_alarm_body(typed, h, rules()).status == 0);
    const std::string text = "--b\r\nContent-Disposition: form-data; name=\"json_msg\"\r\nContent-Type: text/html\r\n\r\n{\"EventType\":\"OU\"}\r\n--b--";
    CHECK(decode_alarm_body(text, h, rules()).status == 415);

    const auto no_json = decode_alarm_body(file_part + "--b--\r\n", h, rules());
    CHECK(no_json.status == 400);
    CHECK(no_json.reason == "multipart without a json_msg part");
    CHECK(decode_alarm_body(json_part + json_part + "--b--\r\n", h, rules()).status == 400);
    CHECK(decode_alarm_body(json_part + file_part + file_part + "--b--\r\n", h, rules()).status == 400);
    const auto truncated = decode_alarm_body(json_part + file_part, h, rules());
    CHECK(truncated.status == 400);
    CHECK(truncated.reason == "multipart: missing close delimiter");
    const std::string bad_json = "--b\r\nContent-Disposition: form-data; name=\"json_msg\"\r\n\r\n{\"EventType\":1}\r\n--b--";
    CHECK(decode_alarm_body(bad_json, h, rules()).status == 400);
    CHECK(decode_alarm_body(std::string(1001, 'x'), h, rules()).status == 413);
}
