// The object list of the simulated JEMStar II (meter-dlms.md §6): identification data,
// registers from the load model, access per client, errors, GET with list, the
// association and SAP assignment objects.
#include <cmath>

#include "dlms_server_harness.hpp"
#include "gridgate/sim/load_model.hpp"

using namespace gridgate;
using namespace gridgate::sim;
using namespace gridgate::sim::test;
using dlms::AccessResult;
using dlms::Data;

namespace {

std::string text_of(const Data& d) {
    REQUIRE(d.tag == dlms::DataTag::visible_string);
    return std::string(d.bytes.begin(), d.bytes.end());
}

std::uint32_t dlu(const Data& d) {
    REQUIRE(d.tag == dlms::DataTag::double_long_unsigned);
    return static_cast<std::uint32_t>(d.unsigned_value);
}

std::uint32_t x1000(double v) { return static_cast<std::uint32_t>(std::llround(v * 1000.0)); }

}  // namespace

TEST_CASE("sim dlms: identification objects come from the options", "[sim_dlms][objects]") {
    DlmsServerOptions options;
    options.id = "m7";
    options.serial_number = "JS2-123456";
    options.location = "Feeder 4";
    Harness h(options);
    h.associate_ok(16);
    CHECK(text_of(h.get_ok(1, obis("0.0.96.11.0.255"), 2)) == "JS2-123456");
    CHECK(text_of(h.get_ok(1, obis("0.0.96.11.1.255"), 2)) == "m7");  // meter id defaults to the id
    CHECK(text_of(h.get_ok(1, obis("0.0.96.11.2.255"), 2)) == "Administrator");
    CHECK(text_of(h.get_ok(1, obis("0.0.96.11.3.255"), 2)) == "Feeder 4");
    CHECK(text_of(h.get_ok(1, obis("0.0.96.11.4.255"), 2)) == "CFG-0001");
    CHECK(text_of(h.get_ok(1, obis("0.0.96.11.5.255"), 2)) == "0000000001");
    CHECK(h.get_ok(1, obis("0.0.96.11.0.255"), 1) == Data::octet_string({0, 0, 96, 11, 0, 255}));
    // Firmware versions (visible strings) and signatures (octet strings), public too.
    for (const char* fw : {"0.0.0.2.1.255", "0.1.0.2.1.255", "0.2.0.2.1.255", "0.3.0.2.1.255", "0.4.0.2.1.255",
                           "0.5.0.2.1.255", "0.6.0.2.1.255", "0.7.0.2.1.255"}) {
        INFO(fw);
        CHECK_FALSE(text_of(h.get_ok(1, obis(fw), 2)).empty());
    }
    for (const char* sig : {"0.0.0.2.8.255", "0.1.0.2.8.255", "0.2.0.2.8.255", "0.3.0.2.8.255", "0.4.0.2.8.255"}) {
        INFO(sig);
        const Data d = h.get_ok(1, obis(sig), 2);
        CHECK(d.tag == dlms::DataTag::octet_string);
        CHECK(d.bytes.size() == 4);
    }
    CHECK(h.server.stats().denied == 0);
}

TEST_CASE("sim dlms: configuration data objects", "[sim_dlms][objects]") {
    Harness h;
    h.associate_ok(2, "ClientId2");
    CHECK(dlu(h.get_ok(1, obis("1.0.0.4.2.255"), 2)) == 400);
    CHECK(dlu(h.get_ok(1, obis("1.0.0.4.3.255"), 2)) == 14400);
    CHECK(dlu(h.get_ok(1, obis("1.0.0.4.5.255"), 2)) == 5);
    CHECK(dlu(h.get_ok(1, obis("1.0.0.4.6.255"), 2)) == 120);
    CHECK(dlu(h.get_ok(1, obis("1.0.0.8.4.255"), 2)) == 8);  // 15 minutes (§6.1.1 example)
    const Data km = h.get_ok(1, obis("1.128.103.0.0.255"), 2);
    REQUIRE(km.tag == dlms::DataTag::array);
    REQUIRE(km.items.size() == 6);
    CHECK(km.items[0] == Data::float32(1.0f));
    const Data pulses = h.get_ok(1, obis("1.128.100.0.0.255"), 2);
    REQUIRE(pulses.tag == dlms::DataTag::array);
    REQUIRE_FALSE(pulses.items.empty());
    REQUIRE(pulses.items[0].items.size() == 5);
    CHECK(pulses.items[0].items[1].unsigned_value == 0);  // Whr
    CHECK(pulses.items[0].items[2].unsigned_value == 1);  // delivered
    CHECK(pulses.items[0].items[3].unsigned_value == 3);  // polyphase
    const Data led = h.get_ok(1, obis("1.128.101.0.0.255"), 2);
    REQUIRE(led.items.size() == 4);
    CHECK(led.items[1] == Data::float32(1.8f));
}

TEST_CASE("sim dlms: recording interval codes of §6.1.1", "[sim_dlms][objects]") {
    const std::vector<std::pair<Duration, std::uint32_t>> cases{
        {std::chrono::minutes(1), 0},  {std::chrono::minutes(5), 4},   {std::chrono::minutes(15), 8},
        {std::chrono::minutes(30), 10}, {std::chrono::minutes(60), 11}, {std::chrono::hours(24), 12},
        {std::chrono::seconds(2), 0},  // not a meter setting: the nearest code
        {std::chrono::minutes(14), 8},
    };
    for (const auto& [period, code] : cases) {
        DlmsServerOptions options;
        options.capture_period = period;
        options.history = std::chrono::hours(1);
        Harness h(options);
        h.associate_ok(1, "ClientId1");
        CHECK(dlu(h.get_ok(1, obis("1.0.0.8.4.255"), 2)) == code);
    }
}

TEST_CASE("sim dlms: registers are the load model x1000 with scaler 0", "[sim_dlms][objects]") {
    DlmsServerOptions options;
    options.seed = 42;
    options.history = std::chrono::hours(1);
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    Harness h(options, start);
    h.associate_ok(2, "ClientId2");
    h.now = start + 90'500'000;  // 90.5 s later

    const LoadModel model(LoadParams::from_seed(42));
    const Instant inst = model.at((start + 90'500'000) / 1'000'000);
    CHECK(dlu(h.get_ok(3, obis("1.0.32.7.0.255"), 2)) == x1000(inst.phase[0].volts));
    CHECK(dlu(h.get_ok(3, obis("1.0.52.7.0.255"), 2)) == x1000(inst.phase[1].volts));
    CHECK(dlu(h.get_ok(3, obis("1.0.71.7.0.255"), 2)) == x1000(inst.phase[2].amps));
    CHECK(dlu(h.get_ok(3, obis("1.0.1.7.0.255"), 2)) == x1000(inst.watts_total));
    CHECK(dlu(h.get_ok(3, obis("1.0.21.7.0.255"), 2)) == x1000(inst.phase[0].watts));
    CHECK(dlu(h.get_ok(3, obis("1.0.3.7.0.255"), 2)) == x1000(inst.vars_total));
    CHECK(dlu(h.get_ok(3, obis("1.0.9.7.0.255"), 2)) == x1000(inst.va_total));
    CHECK(dlu(h.get_ok(3, obis("1.0.13.7.0.255"), 2)) == x1000(inst.pf_total));
    CHECK(dlu(h.get_ok(3, obis("1.0.34.7.0.255"), 2)) == x1000(inst.frequency));
    CHECK(dlu(h.get_ok(3, obis("1.0.2.7.0.255"), 2)) == 0);  // nothing received
    CHECK(dlu(h.get_ok(3, obis("1.0.81.7.1.255"), 2)) == 240'000);  // volts B at 240 degrees
    const double avg = (inst.phase[0].volts + inst.phase[1].volts + inst.phase[2].volts) / 3;
    CHECK(dlu(h.get_ok(3, obis("1.0.12.4.0.255"), 2)) == x1000(avg));

    // Attribute 3 as the manual prints it: scaler 0, the unit of the quantity.
    CHECK(h.get_ok(3, obis("1.0.32.7.0.255"), 3) == Data::structure({Data::integer8(0), Data::enumeration(35)}));
    CHECK(h.get_ok(3, obis("1.0.1.7.0.255"), 3) == Data::structure({Data::integer8(0), Data::enumeration(27)}));
    CHECK(h.get_ok(3, obis("1.0.1.8.0.255"), 3) == Data::structure({Data::integer8(0), Data::enumeration(30)}));
    CHECK(h.get_ok(3, obis("1.0.13.7.0.255"), 3) == Data::structure({Data::integer8(0), Data::enumeration(255)}));
}

TEST_CASE("sim dlms: energy registers integrate the load", "[sim_dlms][objects]") {
    DlmsServerOptions options;
    options.seed = 7;
    options.history = std::chrono::hours(1);
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    Harness h(options, start);
    h.associate_ok(1, "ClientId1");
    const std::uint32_t first = dlu(h.get_ok(3, obis("1.0.1.8.0.255"), 2));
    CHECK(first > 0);
    h.now = start + 600'000'000;  // 10 minutes
    const std::uint32_t later = dlu(h.get_ok(3, obis("1.0.1.8.0.255"), 2));
    // The same 10 s grid the meter integrates on.
    const LoadModel model(LoadParams::from_seed(7));
    double wh = 0;
    for (std::int64_t s = start / 1'000'000; s < start / 1'000'000 + 600; s += 10) wh += model.at(s).watts_total * 10 / 3600.0;
    CHECK(static_cast<double>(later - first) == Approx(wh * 1000).margin(2));
    // A read repeated at the same instant gives the same value; the phases add up.
    CHECK(dlu(h.get_ok(3, obis("1.0.1.8.0.255"), 2)) == later);
    const double phases = dlu(h.get_ok(3, obis("1.0.21.8.0.255"), 2)) + double(dlu(h.get_ok(3, obis("1.0.41.8.0.255"), 2))) +
                          dlu(h.get_ok(3, obis("1.0.61.8.0.255"), 2));
    CHECK(phases == Approx(later).margin(3));
    // A clock step moves neither register: back, the energy of the time that passes
    // counts again (it is new); forward, the span jumped over adds nothing.
    h.server.shift_clock(-std::chrono::minutes(5), h.now);
    CHECK(dlu(h.get_ok(3, obis("1.0.1.8.0.255"), 2)) == later);
    h.now += 60'000'000;
    const std::uint32_t after_back = dlu(h.get_ok(3, obis("1.0.1.8.0.255"), 2));
    CHECK(after_back > later);
    h.server.shift_clock(std::chrono::hours(24 * 365), h.now);
    CHECK(dlu(h.get_ok(3, obis("1.0.1.8.0.255"), 2)) == after_back);
}

TEST_CASE("sim dlms: the public client reads identification and the clock only", "[sim_dlms][objects]") {
    Harness h;
    h.associate_ok(16);
    CHECK(h.get(1, obis("0.0.96.11.0.255"), 2).result == AccessResult::success);
    CHECK(h.get(8, dlms::obis::clock, 2).result == AccessResult::success);
    CHECK(h.get(8, dlms::obis::clock, 3).result == AccessResult::success);
    CHECK(h.get(3, obis("1.0.1.8.0.255"), 2).result == AccessResult::read_write_denied);
    CHECK(h.get(3, obis("1.0.1.8.0.255"), 1).result == AccessResult::read_write_denied);
    CHECK(h.get(1, obis("1.0.0.4.2.255"), 2).result == AccessResult::read_write_denied);
    CHECK(h.get(7, dlms::obis::load_profile_1, 2).result == AccessResult::read_write_denied);
    CHECK(h.get(15, obis("0.0.40.0.1.255"), 2).result == AccessResult::read_write_denied);
    CHECK(h.server.stats().denied == 5);
}

TEST_CASE("sim dlms: errors for what does not exist", "[sim_dlms][objects]") {
    Harness h;
    h.associate_ok(2, "ClientId2");
    CHECK(h.get(1, obis("0.0.96.1.0.255"), 2).result == AccessResult::object_undefined);   // the standard serial OBIS
    CHECK(h.get(3, obis("0.0.96.11.0.255"), 2).result == AccessResult::object_class_inconsistent);
    CHECK(h.get(1, obis("0.0.96.11.0.255"), 3).result == AccessResult::object_undefined);  // no attribute 3
    CHECK(h.get(1, obis("0.0.96.11.0.255"), 0).result == AccessResult::object_undefined);
    CHECK(h.get(8, dlms::obis::clock, 10).result == AccessResult::object_undefined);
    CHECK(h.get(15, obis("0.0.40.0.1.255"), 7).result == AccessResult::read_write_denied);  // the LLS secret
    // Selective access on something that is not a buffer.
    CHECK(h.get(8, dlms::obis::clock, 2, dlms::entry_descriptor(1, 0)).result == AccessResult::other_reason);
}

TEST_CASE("sim dlms: GET with list answers each item on its own", "[sim_dlms][objects]") {
    Harness h;
    h.associate_ok(16);
    const auto results = h.get_list({
        {{1, obis("0.0.96.11.0.255"), 2}, std::nullopt},
        {{3, obis("1.0.32.7.0.255"), 2}, std::nullopt},
        {{1, obis("9.9.9.9.9.9"), 2}, std::nullopt},
        {{8, dlms::obis::clock, 2}, std::nullopt},
    });
    REQUIRE(results.size() == 4);
    CHECK(results[0].data == Data::visible_string("JS2-000001"));
    CHECK(results[1].result == AccessResult::read_write_denied);
    CHECK(results[2].result == AccessResult::object_undefined);
    CHECK(results[3].result == AccessResult::success);
    REQUIRE(results[3].data);
    CHECK(results[3].data->bytes.size() == 12);
}

TEST_CASE("sim dlms: the association object", "[sim_dlms][objects]") {
    Harness h;
    h.associate_ok(1, "ClientId1", 1024);
    const dlms::Obis ln = obis("0.0.40.0.1.255");
    // The object list is longer than a PDU: it comes in blocks.
    const Data list = h.get_ok(15, ln, 2);
    CHECK(h.blocks_received > 1);
    REQUIRE(list.tag == dlms::DataTag::array);
    CHECK(list.items.size() == 29 + 53 + 4);  // data objects, registers, profile, clock, association, SAP
    bool clock_seen = false;
    for (const Data& o : list.items) {
        REQUIRE(o.items.size() == 4);
        if (o.items[2].bytes == std::vector<std::uint8_t>{0, 0, 1, 0, 0, 255}) {
            clock_seen = true;
            CHECK(o.items[0].unsigned_value == 8);
            const Data& attrs = o.items[3].items[0];
            REQUIRE(attrs.items.size() == 9);
            CHECK(attrs.items[1].items[1] == Data::enumeration(3));  // time: read-write for client 1
            CHECK(attrs.items[2].items[1] == Data::enumeration(1));
        }
    }
    CHECK(clock_seen);
    CHECK(h.get_ok(15, ln, 8) == Data::enumeration(2));  // associated
    CHECK(h.get_ok(15, ln, 3) == Data::structure({Data::integer8(1), Data::long_unsigned(1)}));
    const Data mechanism = h.get_ok(15, ln, 6);
    REQUIRE(mechanism.items.size() == 7);
    CHECK(mechanism.items[6] == Data::unsigned8(1));  // low level security
    const Data context = h.get_ok(15, ln, 5);
    REQUIRE(context.items.size() == 6);
    CHECK(context.items[2] == Data::long_unsigned(512));  // what the meter sends: min(1024, 512)

    const Data saps = h.get_ok(17, obis("0.0.41.0.0.255"), 2);
    REQUIRE(saps.items.size() == 1);
    CHECK(saps.items[0].items[0] == Data::long_unsigned(1));
}

TEST_CASE("sim dlms: client 2 sees the clock's time as read-only in its object list", "[sim_dlms][objects]") {
    Harness h;
    h.associate_ok(2, "ClientId2");
    const Data list = h.get_ok(15, obis("0.0.40.0.1.255"), 2);
    for (const Data& o : list.items)
        if (o.items[2].bytes == std::vector<std::uint8_t>{0, 0, 1, 0, 0, 255})
            CHECK(o.items[3].items[0].items[1].items[1] == Data::enumeration(1));
}
