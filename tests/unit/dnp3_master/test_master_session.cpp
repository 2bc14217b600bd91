// MasterSession polls against a scripted outstation: fragments, confirms after storage,
// sequence numbers, timeouts and backoff, IIN bits, stop().
#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "master_harness.hpp"

using namespace gridgate;
using namespace gridgate::dnp3;
using namespace gridgate::dnp3::testing;

namespace {

constexpr DnpTime t0_ms = 1'700'000'000'000;

std::vector<std::uint8_t> events_fragment(AppControl c, Iin iin, std::vector<PointValue> events) {
    ResponseBuilder b;
    b.begin(c, iin);
    REQUIRE(b.add_indexed(23, 5, Qualifier::index_16, events) == events.size());
    return b.fragment();
}

std::vector<std::uint8_t> counters_fragment(AppControl c, Iin iin, std::vector<PointValue> values) {
    ResponseBuilder b;
    b.begin(c, iin);
    REQUIRE(b.add_range(20, 5, values.front().index, values) == values.size());
    return b.fragment();
}

}  // namespace

TEST_CASE("integrity poll at start: each fragment is confirmed only after its readings are stored") {
    Harness h;
    h.auto_store = false;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        const std::uint8_t seq = r.control.seq;
        h.outstation.send(events_fragment(control(seq, true, false, true), h.outstation.iin,
                                          {frozen_event(1, 100, t0_ms), frozen_event(2, 200, t0_ms + 1)}));
        h.outstation.send_after_confirms(
            {counters_fragment(control((seq + 1) & 15, false, true, true), h.outstation.iin,
                               {counter(0, 10), counter(1, 11), counter(2, 12), counter(3, 13)})});
        return true;
    };
    h.start();

    REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));
    h.run_for(40ms);
    CHECK(h.outstation.count("CONFIRM") == 0);  // nothing confirmed before the store says so
    CHECK(h.batches[0].task == "integrity");
    CHECK(h.batches[0].outstation == "m1");
    CHECK(h.batches[0].needs_confirm);
    CHECK(h.batches[0].received_us == h.clock.now_utc_us());
    REQUIRE(h.batches[0].points.size() == 2);
    CHECK(h.batches[0].points[1].kind == PointKind::frozen_counter_event);
    CHECK(h.batches[0].points[1].time == t0_ms + 1);

    // done() comes from the committer's thread
    std::thread([done = h.dones[0]] { done(true); }).join();
    REQUIRE(h.run_until([&] { return h.batches.size() == 2; }));
    CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, "CONFIRM 0"});
    h.run_for(40ms);
    CHECK(h.outstation.count("CONFIRM") == 1);
    std::thread([done = h.dones[1]] { done(true); }).join();
    REQUIRE(h.run_until([&] { return h.outstation.count("CONFIRM") == 2 && !h.line.held(); }));
    CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, "CONFIRM 0", "CONFIRM 1"});
    CHECK(h.batches[1].points.size() == 4);

    const auto s = h.session->stats();
    CHECK(s.online);
    CHECK(s.transactions == 1);
    CHECK(s.fragments == 2);
    CHECK(s.confirms_sent == 2);
    CHECK(s.confirms_withheld == 0);
    CHECK(s.points == 6);
    CHECK(s.events == 2);
    CHECK(h.line.failed_releases == 0);
    CHECK(h.events.empty());
    REQUIRE(h.stop());
}

TEST_CASE("a fragment without CON goes to the handler and the next one is read at once") {
    Harness h;
    h.auto_store = false;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        h.outstation.send(counters_fragment(control(r.control.seq, true, false, false), {}, {counter(0, 1)}));
        const auto next = static_cast<std::uint8_t>((r.control.seq + 1) & 15);
        h.outstation.send(counters_fragment(control(next, false, true, false), {}, {counter(1, 2)}));
        return true;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.batches.size() == 2 && !h.line.held(); }));
    CHECK_FALSE(h.batches[0].needs_confirm);
    CHECK(h.batches[0].points[0].index == 0);  // in order
    CHECK(h.batches[1].points[0].index == 1);
    CHECK(h.outstation.count("CONFIRM") == 0);
    CHECK(h.session->stats().online);
    REQUIRE(h.stop());
}

TEST_CASE("no confirm when the readings are not stored") {
    Harness h;
    h.auto_store = false;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        h.outstation.send(events_fragment(control(r.control.seq, true, true, true), {}, {frozen_event(1, 5, t0_ms)}));
        return true;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));

    SECTION("done(false)") {
        h.dones[0](false);
        REQUIRE(h.run_until([&] { return h.session->stats().confirms_withheld == 1; }));
        CHECK(h.outstation.count("CONFIRM") == 0);
        // Retried after the backoff: the outstation sends the same events again.
        REQUIRE(h.run_until([&] { return h.batches.size() == 2; }));
        h.dones[1](true);
        REQUIRE(h.run_until([&] { return h.outstation.count("CONFIRM") == 1; }));
        CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, integrity_read, "CONFIRM 1"});
    }
    SECTION("confirm_wait expires") {
        REQUIRE(h.run_until([&] { return h.session->stats().confirms_withheld == 1; }));
        h.dones[0](true);  // too late: the wait is over
        h.run_for(20ms);
        CHECK(h.outstation.count("CONFIRM") == 0);
        CHECK(h.session->stats().confirms_sent == 0);
    }
    const auto s = h.session->stats();
    CHECK(s.online);  // the outstation answered: not a communication failure
    CHECK(s.last_error.find("confirm withheld") != std::string::npos);
    CHECK(h.count_events("dnp3_comm_lost") == 0);
    REQUIRE(h.stop());
}

TEST_CASE("a response with another sequence number is dropped") {
    Harness h;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        const std::uint8_t seq = r.control.seq;
        h.outstation.send(counters_fragment(control((seq + 5) & 15), {}, {counter(0, 666)}));  // a stale answer
        h.outstation.send(counters_fragment(control(seq), {}, {counter(0, 42)}));
        return true;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    REQUIRE(h.batches.size() == 1);
    CHECK(h.batches[0].points[0].value == 42);
    const auto s = h.session->stats();
    CHECK(s.dropped_fragments == 1);
    CHECK(s.fragments == 1);
    REQUIRE(h.stop());
}

TEST_CASE("a timeout fails the transaction; retries back off, doubling; communication lost then restored") {
    Harness h;
    auto o = Harness::fast_options();
    o.response_timeout = 50ms;
    o.retry_min = 30ms;
    o.retry_max = 500ms;
    h.outstation.ignore_requests = 3;
    h.start(o);
    REQUIRE(h.run_until([&] { return h.session->stats().online; }));
    const auto& j = h.outstation.journal;
    REQUIRE(j.size() == 4);
    for (const auto& r : j) CHECK(r.what == integrity_read);
    // Each retry waits the response timeout, then the backoff: 30, 60, 120 ms.
    CHECK(j[1].at - j[0].at >= 80ms);
    CHECK(j[2].at - j[1].at >= 110ms);
    CHECK(j[3].at - j[2].at >= 170ms);
    const auto s = h.session->stats();
    CHECK(s.timeouts == 3);
    CHECK(s.transactions == 4);
    CHECK(h.line.releases == 4);
    // Never reached at start: lost once, then restored by the integrity poll itself.
    REQUIRE(h.events.size() == 2);
    CHECK(h.events[0].kind == "dnp3_comm_lost");
    CHECK(h.events[0].outstation == "m1");
    CHECK(h.events[1].kind == "dnp3_comm_restored");
    h.run_for(60ms);
    CHECK(h.outstation.journal.size() == 4);  // no second integrity poll
    CHECK(h.line.failed_releases == 0);  // the line ends the pending read; nothing to close
    REQUIRE(h.stop());
}

TEST_CASE("with a line that does not end a pending read, a timeout releases the line as failed") {
    Harness h;
    auto o = Harness::fast_options();
    o.response_timeout = 40ms;
    o.line_cancels_pending_read = false;
    h.outstation.ignore_requests = 1;
    h.start(o);
    REQUIRE(h.run_until([&] { return h.session->stats().online && !h.line.held(); }));
    CHECK(h.line.releases == 2);
    CHECK(h.line.failed_releases == 1);
    REQUIRE(h.stop());
}

TEST_CASE("after a loss following success: one comm_lost, and an integrity poll on restore") {
    Harness h;
    h.start();
    REQUIRE(h.run_until([&] { return h.session->stats().online && !h.line.held(); }));
    h.outstation.ignore_requests = 2;
    h.session->request_time_check();
    REQUIRE(h.run_until([&] { return h.count_events("dnp3_comm_restored") == 1 && !h.line.held(); }));
    CHECK(h.count_events("dnp3_comm_lost") == 1);
    const auto w = h.outstation.whats();
    // The time check failed; the state is unknown after the loss: integrity first.
    REQUIRE(w.size() >= 3);
    CHECK(w[1] == "READ g50v1");
    CHECK(w[2] == integrity_read);
    REQUIRE(h.run_until([&] { return h.outstation.whats().back() == "READ g50v1" && !h.line.held(); }));
    REQUIRE(h.stop());
}

TEST_CASE("a line that cannot be had counts as a failed transaction") {
    Harness h;
    h.line.down = true;
    h.start();
    REQUIRE(h.run_until([&] { return h.count_events("dnp3_comm_lost") == 1; }));
    CHECK(h.session->stats().last_error.find("line_down") != std::string::npos);
    h.line.down = false;
    REQUIRE(h.run_until([&] { return h.count_events("dnp3_comm_restored") == 1; }));
    CHECK(h.outstation.count(integrity_read) == 1);
    REQUIRE(h.stop());
}

TEST_CASE("DEVICE_RESTART: event, clear, integrity poll") {
    Harness h;
    SECTION("seen in a later answer") {
        h.start();
        REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
        h.outstation.iin.bits = Iin::device_restart;
        h.session->request_time_check();
        REQUIRE(h.run_until([&] { return h.outstation.count(integrity_read) == 2 && !h.line.held(); }));
        CHECK(h.outstation.whats() ==
              std::vector<std::string>{integrity_read, "READ g50v1", "WRITE g80v1", integrity_read});
        const auto& write = h.outstation.journal[2].request;
        REQUIRE(write.objects.size() == 1);
        CHECK(write.objects[0].iin_bits == std::vector<std::pair<std::uint32_t, bool>>{{7, false}});
    }
    SECTION("seen in the integrity poll at start: no second integrity poll") {
        h.outstation.iin.bits = Iin::device_restart;
        h.start();
        REQUIRE(h.run_until([&] { return h.outstation.count("WRITE g80v1") == 1 && !h.line.held(); }));
        h.run_for(60ms);
        CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, "WRITE g80v1"});
    }
    SECTION("an outstation that does not clear it is not asked again and again") {
        h.outstation.iin.bits = Iin::device_restart;
        h.outstation.clears_restart = false;
        h.start();
        REQUIRE(h.run_until([&] { return h.outstation.count("WRITE g80v1") == 1 && !h.line.held(); }));
        h.session->request_integrity();
        REQUIRE(h.run_until([&] { return h.outstation.count(integrity_read) == 2 && !h.line.held(); }));
        h.run_for(60ms);
        CHECK(h.outstation.count("WRITE g80v1") == 1);
    }
    CHECK(h.count_events("dnp3_restart") == 1);
    CHECK(h.session->stats().restarts_seen == 1);
    REQUIRE(h.stop());
}

TEST_CASE("event buffer overflow and device trouble: one event per occurrence, batches flagged") {
    Harness h;
    h.outstation.iin.bits = Iin::event_buffer_overflow | Iin::device_trouble;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        h.outstation.send(counters_fragment(control(r.control.seq), h.outstation.iin, {counter(0, 1)}));
        return true;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.batches.size() == 1 && !h.line.held(); }));
    CHECK(h.batches[0].event_overflow);
    CHECK(h.batches[0].iin.has(Iin::event_buffer_overflow));
    h.session->request_integrity();
    REQUIRE(h.run_until([&] { return h.batches.size() == 2 && !h.line.held(); }));
    CHECK(h.count_events("dnp3_event_overflow") == 1);
    CHECK(h.count_events("dnp3_device_trouble") == 1);
    // Gone, then back: a new occurrence.
    h.outstation.iin.bits = 0;
    h.session->request_integrity();
    REQUIRE(h.run_until([&] { return h.batches.size() == 3 && !h.line.held(); }));
    CHECK_FALSE(h.batches[2].event_overflow);
    h.outstation.iin.bits = Iin::event_buffer_overflow;
    h.session->request_integrity();
    REQUIRE(h.run_until([&] { return h.batches.size() == 4 && !h.line.held(); }));
    CHECK(h.count_events("dnp3_event_overflow") == 2);
    CHECK(h.count_events("dnp3_device_trouble") == 1);
    CHECK(h.session->stats().overflows_seen == 2);
    CHECK(h.session->stats().last_iin == Iin::event_buffer_overflow);
    REQUIRE(h.stop());
}

TEST_CASE("class event bits bring that class's poll forward") {
    Harness h;
    const std::string class1_read = "READ g60v2";
    const std::string class3_read = "READ g60v4";
    bool keep_bit_without_events = false;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        const auto what = h.outstation.journal.back().what;
        if (what == integrity_read) {
            h.outstation.send(events_fragment(control(r.control.seq), Iin{Iin::class1_events | Iin::class3_events},
                                              {frozen_event(1, 1, t0_ms)}));
        } else if (keep_bit_without_events) {
            h.outstation.send(counters_fragment(control(r.control.seq), Iin{Iin::class1_events}, {counter(0, 1)}));
        } else {
            h.outstation.send(events_fragment(control(r.control.seq), {}, {frozen_event(1, 2, t0_ms + 1000)}));
        }
        return true;
    };
    SECTION("polled once the bit is seen, then no more") {
        h.start();
        REQUIRE(h.run_until([&] { return h.outstation.journal.size() == 3 && !h.line.held(); }));
        h.run_for(60ms);
        CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, class1_read, class3_read});
    }
    SECTION("a class poll that leaves events behind goes again") {
        int left = 2;
        h.outstation.on_request = [&](const Request& r) {
            if (r.function != FunctionCode::read) return false;
            const Iin iin{static_cast<std::uint16_t>(left > 0 ? Iin::class1_events : 0)};
            --left;
            h.outstation.send(events_fragment(control(r.control.seq), iin, {frozen_event(1, 1, t0_ms)}));
            return true;
        };
        h.start();
        REQUIRE(h.run_until([&] { return h.outstation.journal.size() == 3 && !h.line.held(); }));
        h.run_for(60ms);
        CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, class1_read, class1_read});
    }
    SECTION("a class poll that brings no event does not loop on the bit") {
        keep_bit_without_events = true;
        h.start();
        REQUIRE(h.run_until([&] { return h.outstation.journal.size() == 3 && !h.line.held(); }));
        h.run_for(80ms);
        CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, class1_read, class3_read});
    }
    REQUIRE(h.stop());
}

TEST_CASE("periodic polls keep to their grid and do not burst after an outage") {
    Harness h;
    auto o = Harness::fast_options();
    o.class1_period = 50ms;
    o.retry_min = 20ms;
    o.retry_max = 40ms;
    h.start(o);
    h.run_for(320ms);
    const std::string class1_read = "READ g60v2";
    auto class1_times = [&] {
        std::vector<SteadyClock::time_point> t;
        for (const auto& r : h.outstation.journal)
            if (r.what == class1_read) t.push_back(r.at);
        return t;
    };
    const auto before = class1_times();
    CHECK(before.size() >= 4);
    CHECK(before.size() <= 7);
    h.line.down = true;
    h.run_for(300ms);
    h.line.down = false;
    h.run_for(200ms);
    const auto all = class1_times();
    CHECK(all.size() > before.size());
    // One poll per slot: a late poll and the next on-time one may come close together, but
    // never three within a period (after the outage six slots were missed).
    for (std::size_t i = 2; i < all.size(); ++i) CHECK(all[i] - all[i - 2] >= 40ms);
    REQUIRE(h.stop());
}

TEST_CASE("stop() lets the transaction in flight finish") {
    Harness h;
    bool stopped = false;
    SECTION("its data stored, then confirmed") {
        h.auto_store = false;
        h.outstation.on_request = [&](const Request& r) {
            if (r.function != FunctionCode::read) return false;
            h.outstation.send(
                events_fragment(control(r.control.seq, true, true, true), {}, {frozen_event(1, 5, t0_ms)}));
            return true;
        };
        h.start();
        REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));
        h.session->stop([&] { stopped = true; });
        h.run_for(30ms);
        CHECK_FALSE(stopped);
        h.dones[0](true);
        REQUIRE(h.run_until([&] { return stopped; }));
        CHECK(h.outstation.count("CONFIRM") == 1);
    }
    SECTION("or timed out") {
        h.outstation.ignore_requests = 1;
        h.start();
        REQUIRE(h.run_until([&] { return h.outstation.journal.size() == 1; }));
        h.session->stop([&] { stopped = true; });
        REQUIRE(h.run_until([&] { return stopped; }));
        CHECK(h.session->stats().timeouts == 1);
    }
    SECTION("between transactions: at once") {
        h.start();
        REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
        h.session->stop([&] { stopped = true; });
        REQUIRE(h.run_until([&] { return stopped; }));
    }
    const auto requests = h.outstation.journal.size();
    const auto events = h.events.size();
    const auto batches = h.batches.size();
    h.session->request_integrity();
    h.run_for(100ms);
    CHECK(h.outstation.journal.size() == requests);
    CHECK(h.events.size() == events);
    CHECK(h.batches.size() == batches);
    CHECK_FALSE(h.line.held());
    CHECK_FALSE(h.session->stats().online);
}

TEST_CASE("frames that are not from this outstation to us are ignored; link requests answered") {
    Harness h;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        const auto wrong = counters_fragment(control(r.control.seq), {}, {counter(0, 666)});
        std::uint8_t tseq = 0;
        const auto segment = segment_fragment(wrong, tseq).front();
        auto& o = h.outstation;
        const auto uud = PrimaryFunction::unconfirmed_user_data;
        o.send_frame(primary_header(uud, 1, 11, false), segment);  // from another outstation
        o.send_frame(primary_header(uud, 2, 10, false), segment);  // to another master
        o.send_frame(primary_header(uud, 10, 1, true), segment);   // a master's frame (an echo)
        o.send_frame(primary_header(PrimaryFunction::request_link_status, 1, 10, false), {});
        o.send(counters_fragment(control(r.control.seq), {}, {counter(0, 42)}));
        return true;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    REQUIRE(h.batches.size() == 1);
    CHECK(h.batches[0].points[0].value == 42);
    CHECK(h.session->stats().foreign_frames == 3);
    REQUIRE(h.outstation.master_acks.size() == 1);
    CHECK(h.outstation.master_acks[0].header.function == static_cast<std::uint8_t>(SecondaryFunction::link_status));
    CHECK(h.outstation.master_acks[0].header.destination == 10);
    CHECK(h.outstation.master_acks[0].header.source == 1);
    REQUIRE(h.stop());
}

TEST_CASE("configured reads run on their period, or with every integrity poll") {
    Harness h;
    auto o = Harness::fast_options();
    ReadTask counters;
    counters.name = "counters";
    ReadItem item;
    item.group = 20;
    item.variation = 5;
    item.qualifier = Qualifier::start_stop_8;
    item.start = 0;
    item.stop = 3;
    counters.items = {item};
    o.reads = {counters};
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read || r.objects.at(0).header.group != 20) return false;
        h.outstation.send(counters_fragment(control(r.control.seq), {}, {counter(0, 1), counter(1, 2)}));
        return true;
    };
    h.start(o);
    REQUIRE(h.run_until([&] { return h.batches.size() == 1 && !h.line.held(); }));
    CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, "READ g20v5"});
    CHECK(h.batches[0].task == "read:counters");
    const auto& read = h.outstation.journal[1].request.objects.at(0).header;
    CHECK(read.qualifier == Qualifier::start_stop_8);
    CHECK(read.start == 0);
    CHECK(read.stop == 3);
    REQUIRE(h.stop());
}

TEST_CASE("a fragment larger than a link frame is reassembled from its segments") {
    Harness h;
    std::vector<PointValue> many;
    for (std::uint32_t i = 0; i < 300; ++i) many.push_back(counter(i, 1000 + i));
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        h.outstation.send(counters_fragment(control(r.control.seq), {}, many));  // 1210 octets: 5 segments
        return true;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.batches.size() == 1 && !h.line.held(); }));
    REQUIRE(h.batches[0].points.size() == 300);
    CHECK(h.batches[0].points[299].value == 1299);
    CHECK(h.session->stats().points == 300);
    REQUIRE(h.stop());
}

TEST_CASE("an unparseable response fails the transaction") {
    Harness h;
    bool garbage = true;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read || !garbage) return false;
        garbage = false;
        // A response with an object header of an unknown group: the rest cannot be parsed.
        h.outstation.send({static_cast<std::uint8_t>(0xC0 | r.control.seq), 0x81, 0x00, 0x00, 99, 1, 0x00, 0, 0, 1});
        return true;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.session->stats().online && !h.line.held(); }));
    const auto s = h.session->stats();
    CHECK(s.parse_errors == 1);
    CHECK(s.timeouts == 0);
    CHECK(s.transactions == 2);
    CHECK(h.outstation.count(integrity_read) == 2);
    REQUIRE(h.stop());
}
