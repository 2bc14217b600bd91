// EventDeduplicator: resent events (same point, meter time and value) are dropped.
#include <catch2/catch.hpp>

#include "gridgate/dnp3/dedup.hpp"

using namespace gridgate;
using namespace gridgate::dnp3;

namespace {

Reading reading(std::string meter, std::string point, TimestampUs ts, double value) {
    Reading r;
    r.meter = std::move(meter);
    r.point = std::move(point);
    r.ts_us = ts;
    r.value = value;
    r.source = Source::dnp3;
    return r;
}

}  // namespace

TEST_CASE("a resent event is dropped once its first delivery is remembered") {
    EventDeduplicator d;
    std::vector<Reading> first{reading("m", "wh", 1000, 5.0), reading("m", "wh", 2000, 6.0)};
    std::vector<bool> first_meter_time{true, true};
    CHECK(d.filter(first, first_meter_time) == 0);
    CHECK(first.size() == 2);
    // Not stored yet: the same events again are not duplicates (the store may have failed).
    std::vector<Reading> again = first;
    std::vector<bool> again_meter_time{true, true};
    CHECK(d.filter(again, again_meter_time) == 0);

    d.remember(first, first_meter_time);
    std::vector<Reading> resent{reading("m", "wh", 1000, 5.0), reading("m", "wh", 3000, 7.0),
                                reading("m", "wh", 2000, 6.5)};
    std::vector<bool> resent_meter_time{true, true, true};
    CHECK(d.filter(resent, resent_meter_time) == 1);
    REQUIRE(resent.size() == 2);
    CHECK(resent[0].ts_us == 3000);
    CHECK(resent[1].value == 6.5);  // same time, another value: not a duplicate
    CHECK(resent_meter_time == std::vector<bool>{true, true});
    CHECK(d.dropped() == 1);
}

TEST_CASE("gateway-timestamped readings always pass; keys are per meter and point") {
    EventDeduplicator d;
    std::vector<Reading> stored{reading("m", "wh", 1000, 5.0)};
    d.seed(stored);
    std::vector<Reading> batch{reading("m", "wh", 1000, 5.0), reading("m", "wh", 1000, 5.0),
                               reading("other", "wh", 1000, 5.0), reading("m", "varh", 1000, 5.0)};
    std::vector<bool> meter_time{false, true, true, true};
    CHECK(d.filter(batch, meter_time) == 1);
    REQUIRE(batch.size() == 3);
    CHECK(meter_time == std::vector<bool>{false, true, true});
    CHECK(batch[1].meter == "other");
    CHECK(batch[2].point == "varh");
}

TEST_CASE("duplicates within one batch are dropped too") {
    EventDeduplicator d;
    std::vector<Reading> batch{reading("m", "wh", 1000, 5.0), reading("m", "wh", 1000, 5.0),
                               reading("m", "wh", 1000, -0.0), reading("m", "wh", 1000, 0.0)};
    std::vector<bool> meter_time{true, true, true, true};
    CHECK(d.filter(batch, meter_time) == 2);
    CHECK(batch.size() == 2);
}

TEST_CASE("seeded from the store, bounded per meter, oldest forgotten first") {
    EventDeduplicator d(3);
    std::vector<Reading> tail;
    for (int i = 0; i < 5; ++i) tail.push_back(reading("a", "wh", 1000 * i, i));
    tail.push_back(reading("b", "wh", 0, 0));
    d.seed(tail);
    CHECK(d.remembered("a") == 3);
    CHECK(d.remembered("b") == 1);
    CHECK(d.remembered("c") == 0);
    CHECK_FALSE(d.known(reading("a", "wh", 0, 0)));
    CHECK_FALSE(d.known(reading("a", "wh", 1000, 1)));
    CHECK(d.known(reading("a", "wh", 2000, 2)));
    CHECK(d.known(reading("a", "wh", 4000, 4)));
    CHECK(d.known(reading("b", "wh", 0, 0)));  // meter b's keys do not count against a's bound
    std::vector<Reading> batch{reading("a", "wh", 0, 0), reading("a", "wh", 4000, 4)};
    std::vector<bool> meter_time{true, true};
    CHECK(d.filter(batch, meter_time) == 1);
    CHECK(batch.at(0).ts_us == 0);
}

TEST_CASE("the default bound is 20000 keys per meter") {
    EventDeduplicator d;
    CHECK(d.capacity() == 20000);
    std::vector<Reading> many;
    for (int i = 0; i < 20001; ++i) many.push_back(reading("m", "wh", i, 1.0));
    d.remember(many, std::vector<bool>(many.size(), true));
    CHECK(d.remembered("m") == 20000);
    CHECK_FALSE(d.known(reading("m", "wh", 0, 1.0)));
    CHECK(d.known(reading("m", "wh", 20000, 1.0)));
}
