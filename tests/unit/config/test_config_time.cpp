// The `time:` section: where the gateway's own clock quality comes from.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace gridgate::gateway::test;
using namespace std::chrono_literals;

TEST_CASE("time: chronyd's socket is the default source") {
    const auto r = parse_config(minimal_config, "site.yaml");
    REQUIRE(r.config);
    const TimeConfig& t = r.config->time;
    CHECK(t.source == "chrony");
    CHECK(t.chrony == "unix:/run/chrony/chronyd.sock");
    CHECK(t.poll_interval == 16s);
    CHECK(t.max_error == 100ms);
    CHECK(t.holdover == 1h);
    CHECK(t.sources_lost_after == 64s);
}

TEST_CASE("time: every key read") {
    const auto r = parse_config(minimal_config +
                                    "time: {source: chrony, chrony: '127.0.0.1:10323', poll_interval: 2s, "
                                    "max_error: 20ms, holdover: 6h, sources_lost_after: 5min}\n",
                                "site.yaml");
    REQUIRE(r.config);
    const TimeConfig& t = r.config->time;
    CHECK(t.chrony == "127.0.0.1:10323");
    CHECK(t.poll_interval == 2s);
    CHECK(t.max_error == 20ms);
    CHECK(t.holdover == 6h);
    CHECK(t.sources_lost_after == 5min);
    const auto none = parse_config(minimal_config + "time: {source: none}\n", "site.yaml");
    REQUIRE(none.config);
    CHECK(none.config->time.source == "none");
}

TEST_CASE("time: refusals name the key and the reason") {
    const auto one = [](const std::string& section) {
        const auto issues = issues_of(minimal_config + section);
        REQUIRE(issues.size() == 1);
        return issues[0];
    };
    CHECK_THAT(one("time: {source: ntpd}\n"), Catch::Contains("time.source") && Catch::Contains("chrony") &&
                                                  Catch::Contains("none"));
    CHECK_THAT(one("time: {chrony: '127.0.0.1:99999'}\n"),
               Catch::Contains("time.chrony") && Catch::Contains("host:port"));
    CHECK_THAT(one("time: {chrony: ''}\n"), Catch::Contains("time.chrony"));
    CHECK_THAT(one("time: {poll_interval: 100ms}\n"), Catch::Contains("time.poll_interval"));
    CHECK_THAT(one("time: {max_error: 30s}\n"), Catch::Contains("time.max_error"));
    CHECK_THAT(one("time: {holdover: 30d}\n"), Catch::Contains("time.holdover"));
    CHECK_THAT(one("time: {sources_lost_after: 0s}\n"), Catch::Contains("time.sources_lost_after"));
    CHECK_THAT(one("time: {server: pool.ntp.org}\n"), Catch::Contains("unknown key"));
}
