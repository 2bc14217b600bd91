// Frozen-counter events: one per counter at each freeze, class 1, kept until the master
// confirms the response that carried them; multi-fragment responses; buffer overflow.
#include <map>

#include <nlohmann/json.hpp>

#include "dnp3_harness.hpp"

using namespace dnp3_test;
using Q = d::Qualifier;

namespace {

Dnp3Options two_second_freezes() {
    Dnp3Options o;
    o.freeze_period = std::chrono::seconds(2);
    return o;
}

// Confirms every fragment of a multi-fragment response as it comes; all fragments.
std::vector<d::Response> collect(Harness& h, d::Response first) {
    std::vector<d::Response> all{first};
    while (!all.back().control.fin) {
        REQUIRE(all.back().control.con);
        const Decoded next = h.confirm(all.back().control.seq);
        REQUIRE(next.responses.size() == 1);
        CHECK(next.responses[0].control.seq == ((all.back().control.seq + 1) & 0x0F));
        CHECK_FALSE(next.responses[0].control.fir);
        all.push_back(next.responses[0]);
    }
    return all;
}

}  // namespace

TEST_CASE("dnp3: a freeze at each period boundary of the meter's clock makes one event per counter",
          "[sim][dnp3][events]") {
    Harness h(two_second_freezes());
    CHECK(h.o->next_deadline() == t0 + std::chrono::seconds(1));  // at least once a second
    h.advance(std::chrono::seconds(1));
    h.timer();
    CHECK(h.o->next_deadline() == t0 + std::chrono::milliseconds(1750));  // the boundary
    h.advance(std::chrono::milliseconds(749));
    h.timer();
    CHECK(h.o->events_pending() == 0);
    h.advance(std::chrono::milliseconds(1));
    h.timer();
    REQUIRE(h.o->events_pending() == 4);
    REQUIRE(h.log.size() == 4);
    const std::uint64_t boundary = 1'763'700'002'000;
    for (std::size_t k = 0; k < 4; ++k) {
        const auto j = nlohmann::json::parse(h.log[k]);
        CHECK(j.at("event") == "dnp3_frozen_counter");
        CHECK(j.at("meter") == "dnp1");
        CHECK(j.at("index") == k);
        CHECK(j.at("time_ms") == boundary);
    }

    // The frozen counters (g21) hold the same values, with the freeze time.
    const d::Response frozen = h.read(21, 5);
    REQUIRE(frozen.points.size() == 4);
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(frozen.points[k].value == nlohmann::json::parse(h.log[k]).at("value").get<double>());
        CHECK(frozen.points[k].time == boundary);
    }
    CHECK(frozen.iin.has(d::Iin::class1_events));

    // A clock set back by less than a period does not freeze the same boundary again.
    h.send(d::encode_write_time(h.next_control(), boundary - 500));
    h.advance(std::chrono::milliseconds(600));
    h.timer();
    CHECK(h.o->events_pending() == 4);
    h.advance(std::chrono::milliseconds(1900));  // meter clock at boundary + 2000
    h.timer();
    CHECK(h.o->events_pending() == 8);
    CHECK(h.o->stats().freezes == 2);
}

TEST_CASE("dnp3: events go out until the master confirms the response that carried them", "[sim][dnp3][events]") {
    Harness h;
    h.o->freeze_now(h.now);
    REQUIRE(h.o->events_pending() == 4);
    CHECK(h.read(20, 5).iin.has(d::Iin::class1_events));

    const d::Response first = h.read_class1();
    REQUIRE(first.headers.size() == 1);
    CHECK(first.headers[0].group == 23);
    CHECK(first.headers[0].variation == 5);
    CHECK(first.headers[0].qualifier == Q::index_16);  // events always with an index
    REQUIRE(first.points.size() == 4);
    CHECK(first.points[2].index == 2);
    CHECK(first.points[2].time == h.o->meter_time_ms(h.now.utc_us));
    CHECK(first.control.con);
    CHECK(first.control.fin);
    CHECK_FALSE(first.iin.has(d::Iin::class1_events));  // all of them are in this response

    // No confirm: the next event read carries them again.
    const d::Response again = h.read_class1();
    REQUIRE(again.points.size() == 4);
    CHECK(again.points == first.points);
    CHECK(h.o->stats().events_sent == 8);

    // A confirm with another sequence number removes nothing; the right one does.
    h.confirm(static_cast<std::uint8_t>((again.control.seq + 1) & 0x0F));
    CHECK(h.o->events_pending() == 4);
    CHECK(h.confirm(again.control.seq).frames.empty());
    CHECK(h.o->events_pending() == 0);
    CHECK(h.o->stats().events_confirmed == 4);
    const d::Response empty = h.read_class1();
    CHECK(empty.points.empty());
    CHECK_FALSE(empty.control.con);
    CHECK_FALSE(empty.iin.has(d::Iin::class1_events));
}

TEST_CASE("dnp3: event reads by variation and count", "[sim][dnp3][events]") {
    Harness h;
    h.o->freeze_now(h.now);
    d::ReadItem two;
    two.group = 60;
    two.variation = 2;
    two.qualifier = Q::count_8;
    two.count = 2;
    const d::Response limited = h.read({two});
    CHECK(limited.points.size() == 2);
    CHECK(limited.iin.has(d::Iin::class1_events));  // two more wait

    const d::Response untimed = h.read(23, 1);  // a new request: everything again, without time
    REQUIRE(untimed.points.size() == 4);
    CHECK_FALSE(untimed.points[0].time);
    const d::Response short16 = h.read(23, 6);
    REQUIRE(short16.points.size() == 4);
    CHECK(short16.points[0].time);
    CHECK(short16.points[0].value < 65536);
    CHECK(h.read(23, 0).headers.at(0).variation == 5);
    // An integrity poll (classes 1, 2, 3 then 0): events first, then the static data.
    const d::Response integrity = h.request(d::encode_class_read(h.next_control(), d::ClassSet::integrity()));
    CHECK(integrity.headers.front().group == 23);
    CHECK(integrity.headers.size() == 6);
    CHECK(integrity.control.con);
}

TEST_CASE("dnp3: an unconfirmed response times out, dropped confirms make events go again", "[sim][dnp3][events]") {
    Harness h;
    h.o->freeze_now(h.now);
    const d::Response r = h.read_class1();
    CHECK(h.o->next_deadline() <= h.now.steady + std::chrono::seconds(5));
    h.advance(std::chrono::seconds(5));
    h.timer();
    CHECK(h.o->stats().confirm_timeouts == 1);
    CHECK(h.confirm(r.control.seq).frames.empty());  // too late: nothing waits for it
    CHECK(h.o->events_pending() == 4);
    CHECK(h.o->stats().confirms_unexpected == 1);
    CHECK(h.read(20, 5).iin.has(d::Iin::class1_events));

    h.o->set_drop_confirms(true);
    const d::Response dropped = h.read_class1();
    h.confirm(dropped.control.seq);
    CHECK(h.o->stats().confirms_dropped == 1);
    CHECK(h.read_class1().points.size() == 4);
    h.o->set_drop_confirms(false);
    const d::Response last = h.read_class1();
    h.confirm(last.control.seq);
    CHECK(h.o->events_pending() == 0);

    // A confirm on another connection does not count.
    h.o->freeze_now(h.now);
    const d::Response on_one = h.read_class1();
    h.channel = 2;
    h.confirm(on_one.control.seq);
    CHECK(h.o->events_pending() == 4);
}

TEST_CASE("dnp3: a class 0 response over 2048 octets goes in fragments, each confirmed before the next",
          "[sim][dnp3][events]") {
    Dnp3Options options;
    options.counters = 300;
    options.analogs = 200;
    Harness h(options);
    const d::Response first = h.read_class0();
    CHECK(first.control.fir);
    CHECK_FALSE(first.control.fin);
    CHECK(first.control.con);
    // Nothing more until the confirm.
    h.advance(std::chrono::milliseconds(100));
    CHECK(h.timer().frames.empty());

    const std::vector<d::Response> all = collect(h, first);
    CHECK(all.size() >= 2);
    CHECK_FALSE(all.back().control.con);  // the final fragment has no events: no confirm
    for (const std::size_t size : h.fragment_sizes) CHECK(size <= 2048);
    std::size_t points = 0;
    std::map<std::uint8_t, std::size_t> per_group;
    for (const auto& r : all)
        for (const auto& p : r.points) {
            ++points;
            ++per_group[p.group];
        }
    CHECK(points == 2 + 4 + 300 + 300 + 200);
    CHECK(per_group[20] == 300);
    CHECK(per_group[21] == 300);
    CHECK(per_group[30] == 200);

    // Without the confirm the response ends at the confirm timeout; a new request works.
    const d::Response again = h.read_class0();
    CHECK_FALSE(again.control.fin);
    h.advance(std::chrono::seconds(6));
    CHECK(h.timer().frames.empty());
    CHECK(h.o->stats().confirm_timeouts == 1);
    CHECK(h.read(20, 5, Q::all).points.size() == 300);
}

TEST_CASE("dnp3: events in several fragments, and buffer overflow", "[sim][dnp3][events]") {
    Dnp3Options options;
    options.counters = 300;
    Harness h(options);
    h.o->freeze_now(h.now);
    h.o->freeze_now(h.now);  // 600 events for a buffer of 500: the newest 100 are lost
    CHECK(h.o->events_pending() == 500);
    CHECK(h.o->stats().events_lost == 100);
    const auto overflow_line = nlohmann::json::parse(h.log.back());
    CHECK(overflow_line.at("event") == "dnp3_event_overflow");
    CHECK(overflow_line.at("lost") == 100);

    const d::Response first = h.read_class1();
    CHECK(first.iin.has(d::Iin::event_buffer_overflow));
    const std::vector<d::Response> all = collect(h, first);
    CHECK(all.size() >= 3);
    CHECK(all.back().control.con);  // it carries events
    std::size_t events = 0;
    for (const auto& r : all) events += r.points.size();
    CHECK(events == 500);
    CHECK(all[0].points[0].index == 0);
    CHECK(all.back().points.back().index == 199);  // the second freeze's first 200 made it
    h.confirm(all.back().control.seq);
    CHECK(h.o->events_pending() == 0);
    CHECK(h.o->stats().events_confirmed == 500);
    const d::Response after = h.read(20, 5);
    CHECK_FALSE(after.iin.has(d::Iin::event_buffer_overflow));
    CHECK_FALSE(after.iin.has(d::Iin::class1_events));
}
