// The outstation's static data: class 0, the qualifier rules of the device profile
// (NOTE 1), variations, unknown objects and function codes, addresses and faults.
#include <cmath>

#include "dnp3_harness.hpp"
#include "gridgate/sim/dnp3_points.hpp"

using namespace dnp3_test;
using Q = d::Qualifier;

namespace {

d::ReadItem range(std::uint8_t group, std::uint8_t variation, std::uint32_t start, std::uint32_t stop,
                  Q q = Q::start_stop_8) {
    d::ReadItem item;
    item.group = group;
    item.variation = variation;
    item.qualifier = q;
    item.start = start;
    item.stop = stop;
    return item;
}

d::ReadItem count(std::uint8_t group, std::uint8_t variation, std::uint32_t n, Q q = Q::count_8) {
    d::ReadItem item;
    item.group = group;
    item.variation = variation;
    item.qualifier = q;
    item.count = n;
    return item;
}

d::ReadItem indexed(std::uint8_t group, std::uint8_t variation, std::vector<std::uint32_t> indices, Q q = Q::index_8) {
    d::ReadItem item;
    item.group = group;
    item.variation = variation;
    item.qualifier = q;
    item.indices = std::move(indices);
    return item;
}

std::vector<std::uint32_t> indices_of(const std::vector<d::PointValue>& points) {
    std::vector<std::uint32_t> out;
    for (const auto& p : points) out.push_back(p.index);
    return out;
}

}  // namespace

TEST_CASE("dnp3: a class 0 read returns binaries, counters, frozen counters and analogs from the model",
          "[sim][dnp3]") {
    Harness h;
    h.advance(std::chrono::seconds(30));
    const d::Response r = h.read_class0();
    CHECK(r.control.fir);
    CHECK(r.control.fin);
    CHECK_FALSE(r.control.con);
    CHECK(r.iin.has(d::Iin::device_restart));
    CHECK(r.iin.has(d::Iin::need_time));
    CHECK_FALSE(r.iin.has(d::Iin::class1_events));

    REQUIRE(r.headers.size() == 5);
    const std::pair<std::uint8_t, std::uint8_t> objects[] = {{1, 1}, {10, 2}, {20, 5}, {21, 9}, {30, 3}};
    const std::uint32_t sizes[] = {2, 4, 4, 4, 18};
    for (std::size_t i = 0; i < 5; ++i) {
        INFO("header " << i);
        CHECK(r.headers[i].group == objects[i].first);
        CHECK(r.headers[i].variation == objects[i].second);
        CHECK(r.headers[i].qualifier == Q::start_stop_8);  // NOTE 1: 06 is answered with 00
        CHECK(r.headers[i].start == 0);
        CHECK(r.headers[i].stop == sizes[i] - 1);
    }

    // The same meter on Modbus (same seed, same time) has the same counters.
    MeterModel modbus(MapLayout{}, 7, t0);
    modbus.advance_to(h.now.steady);
    const auto counters = points_of(r, 20);
    REQUIRE(counters.size() == 4);
    for (std::uint16_t k = 0; k < 4; ++k) CHECK(counters[k].value == modbus.counter(k));
    // Frozen counters: the readings at start until the first freeze (15 min away).
    MeterModel at_start(MapLayout{}, 7, t0);
    const auto frozen = points_of(r, 21);
    REQUIRE(frozen.size() == 4);
    for (std::uint16_t k = 0; k < 4; ++k) CHECK(frozen[k].value == at_start.counter(k));
    CHECK(counters[0].value > frozen[0].value);  // 30 s of load since

    // Analogs: secondary value x 1000 (32-bit scaling, scale factor 1).
    const auto analogs = points_of(r, 30);
    REQUIRE(analogs.size() == 18);
    const Instant& in = modbus.instant();
    CHECK(analogs[0].value == std::round(in.phase[0].watts * 1000));
    CHECK(analogs[3].value == std::round(in.watts_total * 1000));
    CHECK(analogs[7].value == std::round(in.vars_total * 1000));
    CHECK(analogs[11].value == std::round(in.va_total * 1000));
    CHECK(analogs[12].value == std::round(in.phase[0].volts * 1000));
    CHECK(analogs[17].value == std::round(in.phase[2].amps * 1000));
    CHECK(analogs[12].value > 110'000);  // about 120 V

    // Binary outputs 1-4 are coils 2-5 (Ch3..Ch6), off; binary inputs 1-2 the digital inputs.
    for (const auto& p : points_of(r, 10)) CHECK(p.value == 0.0);
    std::vector<bool> di;
    modbus.read_discrete_inputs(0, 2, di);
    const auto binaries = points_of(r, 1);
    REQUIRE(binaries.size() == 2);
    CHECK(binaries[0].value == (di[0] ? 1.0 : 0.0));
}

TEST_CASE("dnp3: JEMWare point 1 goes out as index 0 or 1 (--dnp3-index-base)", "[sim][dnp3]") {
    Dnp3Options options;
    options.index_base = 1;
    Harness h(options);
    const d::Response r = h.read(20, 0);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].start == 1);
    CHECK(r.headers[0].stop == 4);
    CHECK_FALSE(r.iin.has(d::Iin::parameter_error));

    const d::Response zero = h.read({range(20, 5, 0, 0)});
    CHECK(zero.iin.has(d::Iin::parameter_error));
    CHECK(zero.points.empty());
    const d::Response by_index = h.read({indexed(30, 3, {1, 18, 19})});
    CHECK(indices_of(by_index.points) == std::vector<std::uint32_t>{1, 18});
    CHECK(by_index.iin.has(d::Iin::parameter_error));
}

TEST_CASE("dnp3: static reads follow the qualifier rules of the device profile", "[sim][dnp3]") {
    Harness h;

    SECTION("00/01 start-stop: answered with 00 over the points that exist") {
        const d::Response r = h.read({range(20, 1, 1, 2)});
        REQUIRE(r.headers.size() == 1);
        CHECK(r.headers[0].qualifier == Q::start_stop_8);
        CHECK(indices_of(r.points) == std::vector<std::uint32_t>{1, 2});
        CHECK(r.points[0].has_flags);
        CHECK(r.points[0].flags == d::flags::online);
        CHECK_FALSE(r.iin.has(d::Iin::parameter_error));

        const d::Response wide = h.read({range(20, 2, 2, 9, Q::start_stop_16)});
        CHECK(wide.headers[0].qualifier == Q::start_stop_8);
        CHECK(indices_of(wide.points) == std::vector<std::uint32_t>{2, 3});
        CHECK(wide.iin.has(d::Iin::parameter_error));  // 4..9 do not exist
    }
    SECTION("07/08 limited quantity: the first n points, answered with 00") {
        const d::Response r = h.read({count(30, 1, 3)});
        CHECK(r.headers[0].qualifier == Q::start_stop_8);
        CHECK(indices_of(r.points) == std::vector<std::uint32_t>{0, 1, 2});
        const d::Response all = h.read({count(30, 4, 300, Q::count_16)});
        CHECK(all.points.size() == 18);
    }
    SECTION("17/28 index: answered with the same qualifier, in the order asked") {
        const d::Response r17 = h.read({indexed(20, 5, {3, 1})});
        REQUIRE(r17.headers.size() == 1);
        CHECK(r17.headers[0].qualifier == Q::index_8);
        CHECK(indices_of(r17.points) == std::vector<std::uint32_t>{3, 1});
        const d::Response r28 = h.read({indexed(20, 5, {0, 2, 9}, Q::index_16)});
        CHECK(r28.headers[0].qualifier == Q::index_16);
        CHECK(indices_of(r28.points) == std::vector<std::uint32_t>{0, 2});
        CHECK(r28.iin.has(d::Iin::parameter_error));
    }
    SECTION("variation 0 is the default variation") {
        CHECK(h.read(20, 0).headers[0].variation == 5);
        CHECK(h.read(21, 0).headers[0].variation == 9);
        CHECK(h.read(30, 0).headers[0].variation == 3);
        CHECK(h.read(1, 0).headers[0].variation == 1);
        CHECK(h.read(10, 0).headers[0].variation == 2);
    }
    SECTION("other variations carry what they should") {
        const d::Response frozen = h.read(21, 5);
        REQUIRE(frozen.points.size() == 4);
        CHECK(frozen.points[0].time == h.o->meter_time_ms(utc0));  // the freeze time (start)
        const d::Response counters16 = h.read(20, 6);
        MeterModel m(MapLayout{}, 7, t0);
        CHECK(counters16.points[0].value == (m.counter(0) & 0xFFFFu));
        const d::Response floats = h.read(30, 5);
        CHECK(floats.points[12].value == Approx(m.instant().phase[0].volts).epsilon(1e-6));
        const d::Response scaled16 = h.read(30, 4);
        CHECK(scaled16.points[15].value == dnp3_analog_16(m.instant(), 15));  // amps A, 16-bit method
        const d::Response binaries = h.read(1, 2);
        REQUIRE(binaries.points.size() == 2);
        CHECK(binaries.points[1].has_flags);
        CHECK((binaries.points[1].flags & d::flags::online) != 0);
    }
    SECTION("the time") {
        const d::Response r = h.read(50, 1, Q::count_8);
        REQUIRE(r.time);
        CHECK(*r.time == static_cast<std::uint64_t>(utc0 / 1000));
    }
    SECTION("binary input events exist as objects but are never generated") {
        const d::Response r = h.read(2, 0);
        CHECK(r.points.empty());
        CHECK_FALSE(r.iin.has(d::Iin::object_unknown));
    }
}

TEST_CASE("dnp3: unknown objects, bad qualifiers and unsupported function codes are flagged in IIN2", "[sim][dnp3]") {
    Harness h;
    for (const auto& [group, variation] :
         std::vector<std::pair<int, int>>{{22, 1}, {30, 6}, {20, 3}, {32, 1}, {80, 1}, {12, 1}}) {
        INFO("g" << group << "v" << variation);
        const d::Response r = h.read(static_cast<std::uint8_t>(group), static_cast<std::uint8_t>(variation));
        CHECK(r.iin.has(d::Iin::object_unknown));
        CHECK(r.points.empty());
    }
    // Known and unknown in one request: the known part is answered.
    const d::Response mixed = h.read({count(22, 1, 1), count(20, 5, 2)});
    CHECK(mixed.iin.has(d::Iin::object_unknown));
    CHECK(mixed.points.size() == 2);

    CHECK(h.read(60, 1, Q::count_8).iin.has(d::Iin::parameter_error));  // class 0 takes 06 only

    // SELECT (3), FREEZE (7), ENABLE_UNSOLICITED (20): a null response with NO_FUNC_CODE_SUPPORT.
    for (const std::uint8_t fc : {3, 7, 20}) {
        std::vector<std::uint8_t> fragment{h.next_control().encode(), fc};
        const d::Response r = h.request(fragment);
        CHECK(r.iin.has(d::Iin::no_func_code_support));
        CHECK(r.headers.empty());
    }
    // DIRECT_OPERATE_NR (6): no answer at all.
    CHECK(h.send({h.next_control().encode(), 6}).frames.empty());
    // A WRITE of an object the meter does not write.
    const d::Response w = h.request({h.next_control().encode(), 2, 20, 5, 0x00, 0, 0, 1, 0, 0, 0});
    CHECK(w.iin.has(d::Iin::object_unknown));
    // A fragment that is not a whole request (FIR without FIN) is dropped.
    CHECK(h.send({0x80, 1, 60, 1, 6}).frames.empty());
    CHECK(h.o->stats().bad_requests == 2);
}

TEST_CASE("dnp3: outstations share a line by address, and broadcasts are executed without an answer", "[sim][dnp3]") {
    Dnp3Options second;
    second.address = 2;
    Harness one;
    Dnp3Outstation two("dnp2", MeterModel(MapLayout{}, 8, t0), second, one.now, 1);
    const auto on_line = [&](std::uint16_t destination, const std::vector<std::uint8_t>& fragment) {
        std::uint8_t seq = 0;
        const auto segments = d::segment_fragment(fragment, seq);
        const d::LinkFrame frame{one.user_data_header(destination), segments.front()};
        std::vector<Dnp3Transmit> out;
        for (Dnp3Outstation* o : {one.o.get(), &two})
            if (o->accepts(destination)) o->on_frame(0, frame, one.now, out);
        return one.decode(out);
    };
    const auto class0 = d::encode_class_read(d::AppControl{}, d::ClassSet{true, false, false, false});

    const Decoded to_two = on_line(2, class0);
    REQUIRE(to_two.responses.size() == 1);
    REQUIRE_FALSE(to_two.frames.empty());
    CHECK(to_two.frames.front().header.source == 2);
    CHECK(to_two.frames.front().header.destination == master_address);
    CHECK_FALSE(to_two.frames.front().header.dir);
    CHECK(on_line(5, class0).frames.empty());
    CHECK(one.o->stats().requests == 0);

    // A time set to everyone (0xFFFF): both clocks move, nobody answers, and the next
    // response of each says a broadcast was received (IIN1.0), once.
    const std::uint64_t when = 1'800'000'000'000;
    CHECK(on_line(0xFFFF, d::encode_write_time(d::AppControl{}, when)).frames.empty());
    CHECK(one.o->meter_time_ms(one.now.utc_us) == when);
    CHECK(two.meter_time_ms(one.now.utc_us) == when);
    const Decoded after = on_line(1, class0);
    REQUIRE(after.responses.size() == 1);
    CHECK(after.responses[0].iin.has(d::Iin::broadcast));
    CHECK_FALSE(on_line(1, class0).responses.at(0).iin.has(d::Iin::broadcast));
    CHECK(on_line(2, class0).responses.at(0).iin.has(d::Iin::broadcast));
}

TEST_CASE("dnp3: faults act on every frame the outstation sends", "[sim][dnp3]") {
    Harness h;
    const auto class0 = [&] {
        return h.send(d::encode_class_read(h.next_control(), d::ClassSet{true, false, false, false}));
    };

    h.o->set_fault(Fault{FaultKind::off, {}, 0});
    CHECK(class0().frames.empty());
    CHECK(h.o->stats().unanswered == 1);

    h.o->set_fault(Fault{FaultKind::crc, {}, 0});
    const auto before_crc = h.parser().stats().header_crc_errors;
    CHECK(class0().frames.empty());
    CHECK(h.parser().stats().header_crc_errors == before_crc + 1);

    h.o->set_fault(Fault{FaultKind::wrong_address, {}, 0});
    const Decoded wrong = class0();
    REQUIRE(wrong.frames.size() == 1);
    CHECK(wrong.frames[0].header.source == 2);

    h.o->set_fault(Fault{FaultKind::garbage, {}, 0});
    CHECK(class0().frames.empty());

    h.o->set_fault(Fault{FaultKind::noise, {}, 0});
    const Decoded noisy = class0();
    CHECK(noisy.responses.size() == 1);  // found after the noise

    h.o->set_fault(Fault{FaultKind::slow, std::chrono::milliseconds(700), 0});
    std::uint8_t seq = 0;
    const auto request = d::encode_read(d::AppControl{}, std::vector<d::ReadItem>{count(20, 5, 1)});
    std::vector<Dnp3Transmit> out;
    h.o->on_frame(h.channel, d::LinkFrame{h.user_data_header(), d::segment_fragment(request, seq).front()}, h.now, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].delay == std::chrono::milliseconds(700));
    CHECK_FALSE(is_dnp3_fault(FaultKind::exception));
}
