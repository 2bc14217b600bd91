#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "gridgate/northbound/encoding.hpp"

using gridgate::northbound::encode_status;
using gridgate::northbound::make_topics;

namespace {
constexpr gridgate::TimestampUs ts = 1'700'000'000'000'042;  // 2023-11-14T22:13:20.000042Z
}

TEST_CASE("birth, last will and clean offline payloads") {
    CHECK(encode_status("gw-1", "online", ts) ==
          R"({"gateway":"gw-1","state":"online","ts":"2023-11-14T22:13:20.000042Z"})");
    CHECK(encode_status("gw-1", "offline", ts, R"({"clean":false})") ==
          R"({"gateway":"gw-1","state":"offline","ts":"2023-11-14T22:13:20.000042Z","clean":false})");
    CHECK(encode_status("gw-1", "offline", ts, R"({"clean":true})") ==
          R"({"gateway":"gw-1","state":"offline","ts":"2023-11-14T22:13:20.000042Z","clean":true})");
}

TEST_CASE("status details are merged after the fixed fields, in their order, and cannot override them") {
    const auto text = encode_status("gw", "online", ts,
                                    R"({"version":"0.1.0","backlog":{"readings":12},"state":"hacked","uptime_s":5})");
    CHECK(text == R"({"gateway":"gw","state":"online","ts":"2023-11-14T22:13:20.000042Z","version":"0.1.0",)"
                  R"("backlog":{"readings":12},"uptime_s":5})");
}

TEST_CASE("status details that are not a JSON object are refused") {
    CHECK_THROWS_AS(encode_status("gw", "online", ts, "[1,2]"), std::invalid_argument);
    CHECK_THROWS_AS(encode_status("gw", "online", ts, "{not json"), std::invalid_argument);
    CHECK_THROWS_AS(encode_status("gw", "online", ts, "42"), std::invalid_argument);
}

TEST_CASE("status escapes odd gateway ids into valid JSON") {
    const auto text = encode_status("gw\"\n\xff", "online", ts);
    CHECK(nlohmann::json::parse(text)["gateway"] == "gw\"\n\xef\xbf\xbd");
}

TEST_CASE("topics live under <prefix>/<gateway>/") {
    const auto topics = make_topics("gridgate", "site-7");
    CHECK(topics.readings == "gridgate/site-7/readings");
    CHECK(topics.events == "gridgate/site-7/events");
    CHECK(topics.status == "gridgate/site-7/status");
    CHECK(topics.files == "gridgate/site-7/files");
    CHECK(topics.cmd == "gridgate/site-7/cmd/#");

    CHECK(make_topics("fleet/eu", "gw").readings == "fleet/eu/gw/readings");
    CHECK(make_topics("", "gw").status == "gw/status");
}

TEST_CASE("topic parts with wildcards, slashes in the gateway id, or no gateway id are configuration errors") {
    CHECK_THROWS_AS(make_topics("gridgate", ""), std::invalid_argument);
    CHECK_THROWS_AS(make_topics("gridgate", "a/b"), std::invalid_argument);
    CHECK_THROWS_AS(make_topics("gridgate", "gw+"), std::invalid_argument);
    CHECK_THROWS_AS(make_topics("grid#", "gw"), std::invalid_argument);
    CHECK_THROWS_AS(make_topics("grid+gate", "gw"), std::invalid_argument);
}
