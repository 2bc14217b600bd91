// The load profile buffer over the wire: selective access by range and by entry, the
// whole buffer by block transfer, and the block transfer's rules.
#include "dlms_server_harness.hpp"

using namespace gridgate;
using namespace gridgate::sim;
using namespace gridgate::sim::test;
using dlms::AccessResult;
using dlms::Data;

namespace {

const dlms::Obis lp = dlms::obis::load_profile_1;

DlmsServerOptions cet_options() {
    DlmsServerOptions o;
    o.zone = cet();
    return o;
}

std::vector<TimestampUs> ends_of(const std::vector<dlms::ProfileEntry>& entries) {
    std::vector<TimestampUs> out;
    for (const auto& e : entries) out.push_back(e.end_us);
    return out;
}

}  // namespace

TEST_CASE("sim dlms: range selection is inclusive and compares UTC", "[sim_dlms][selective]") {
    const DlmsServerOptions options = cet_options();
    Harness h(options);
    h.associate_ok(2, "ClientId2");
    const auto rows = h.server.profile();
    const TimestampUs from = rows[10].end_us;
    const TimestampUs to = rows[13].end_us;
    const std::vector<TimestampUs> expected{rows[10].end_us, rows[11].end_us, rows[12].end_us, rows[13].end_us};

    SECTION("date-times with the meter's deviation") {
        const auto buffer = h.get_ok(7, lp, 2, dlms::range_descriptor(dlms::from_utc_us(from, options.zone),
                                                                       dlms::from_utc_us(to, options.zone)));
        CHECK(ends_of(decode_buffer(buffer, options)) == expected);
    }
    SECTION("date-times without a deviation are the meter's local time") {
        auto f = dlms::from_utc_us(from, options.zone);
        auto t = dlms::from_utc_us(to, options.zone);
        f.deviation = t.deviation = dlms::CosemDateTime::deviation_not_specified;
        f.status = t.status = dlms::clock_status::not_specified;
        const auto buffer = h.get_ok(7, lp, 2, dlms::range_descriptor(f, t));
        CHECK(ends_of(decode_buffer(buffer, options)) == expected);
    }
    SECTION("date-times in another zone's deviation") {
        // The same instants as UTC date-times (deviation 0).
        const auto buffer = h.get_ok(7, lp, 2, dlms::range_descriptor(dlms::from_utc_us(from, dlms::LocalZone{}),
                                                                       dlms::from_utc_us(to, dlms::LocalZone{})));
        CHECK(ends_of(decode_buffer(buffer, options)) == expected);
    }
    SECTION("a bound between two ends") {
        const auto buffer =
            h.get_ok(7, lp, 2, dlms::range_descriptor(dlms::from_utc_us(from + 1'000'000, options.zone),
                                                      dlms::from_utc_us(to - 1'000'000, options.zone)));
        CHECK(ends_of(decode_buffer(buffer, options)) == std::vector<TimestampUs>{rows[11].end_us, rows[12].end_us});
    }
    SECTION("nothing in range is an empty array") {
        const TimestampUs future = rows.back().end_us + hour_us;
        CHECK(h.get_ok(7, lp, 2,
                       dlms::range_descriptor(dlms::from_utc_us(future, options.zone),
                                              dlms::from_utc_us(future + hour_us, options.zone))) == Data::array({}));
        CHECK(h.get_ok(7, lp, 2,
                       dlms::range_descriptor(dlms::from_utc_us(to, options.zone),
                                              dlms::from_utc_us(from, options.zone))) == Data::array({}));
    }
    SECTION("the restricting object must be the clock") {
        const auto r = h.get(7, lp, 2,
                             dlms::range_descriptor(dlms::from_utc_us(from, options.zone),
                                                    dlms::from_utc_us(to, options.zone),
                                                    {3, obis("1.0.1.29.0.255"), 2}));
        CHECK(r.result == AccessResult::other_reason);
    }
}

TEST_CASE("sim dlms: entry selection with columns", "[sim_dlms][selective]") {
    const DlmsServerOptions options;
    Harness h(options);
    h.associate_ok(1, "ClientId1");
    const auto rows = h.server.profile();
    REQUIRE(rows.size() == 672);

    auto entries = decode_buffer(h.get_ok(7, lp, 2, dlms::entry_descriptor(1, 3)), options);
    CHECK(ends_of(entries) == std::vector<TimestampUs>{rows[0].end_us, rows[1].end_us, rows[2].end_us});
    REQUIRE(entries[1].status);
    CHECK(*entries[1].status == rows[1].status);
    REQUIRE(entries[1].values.size() == 8);
    CHECK(entries[1].values[2] == rows[1].values[0]);

    entries = decode_buffer(h.get_ok(7, lp, 2, dlms::entry_descriptor(670, 0)), options);  // 0: to the last
    CHECK(ends_of(entries) == std::vector<TimestampUs>{rows[669].end_us, rows[670].end_us, rows[671].end_us});
    entries = decode_buffer(h.get_ok(7, lp, 2, dlms::entry_descriptor(671, 1000)), options);  // clipped
    CHECK(entries.size() == 2);
    CHECK(h.get_ok(7, lp, 2, dlms::entry_descriptor(673, 0)) == Data::array({}));
    CHECK(h.get_ok(7, lp, 2, dlms::entry_descriptor(5, 4)) == Data::array({}));

    // Columns 1..2: the date-time and the status only.
    dlms::SelectiveAccess two_columns = dlms::entry_descriptor(2, 2);
    two_columns.parameters.items[3] = Data::long_unsigned(2);
    const Data one = h.get_ok(7, lp, 2, two_columns);
    REQUIRE(one.items.size() == 1);
    REQUIRE(one.items[0].items.size() == 2);
    CHECK(one.items[0].items[1] == Data::double_long_unsigned(rows[1].status));
    const auto dt = dlms::decode_date_time(one.items[0].items[0].bytes);
    REQUIRE(dt);
    CHECK(dlms::to_utc_us(*dt) == rows[1].end_us);
    // Columns 3..8: the channels only.
    dlms::SelectiveAccess channels = dlms::entry_descriptor(1, 1);
    channels.parameters.items[2] = Data::long_unsigned(3);
    const Data values = h.get_ok(7, lp, 2, channels);
    REQUIRE(values.items.size() == 1);
    REQUIRE(values.items[0].items.size() == 6);
    CHECK(values.items[0].items[0] == Data::float32(static_cast<float>(rows[0].values[0])));
    // Columns from > to.
    dlms::SelectiveAccess bad = dlms::entry_descriptor(1, 1);
    bad.parameters.items[2] = Data::long_unsigned(5);
    bad.parameters.items[3] = Data::long_unsigned(4);
    CHECK(h.get(7, lp, 2, bad).result == AccessResult::other_reason);
    // An unknown selector.
    dlms::SelectiveAccess other = dlms::entry_descriptor(1, 1);
    other.selector = 3;
    CHECK(h.get(7, lp, 2, other).result == AccessResult::other_reason);
}

TEST_CASE("sim dlms: the whole buffer comes by block transfer and reassembles", "[sim_dlms][blocks]") {
    const DlmsServerOptions options;  // max PDU 512
    Harness h(options);
    h.associate_ok(2, "ClientId2");
    const Data buffer = h.get_ok(7, lp, 2);
    CHECK(h.blocks_received > 50);
    CHECK(h.largest_response <= 512);
    CHECK(h.server.stats().blocks_sent == h.blocks_received);
    const auto entries = decode_buffer(buffer, options);
    const auto rows = h.server.profile();
    REQUIRE(entries.size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        INFO("entry " << i);
        CHECK(entries[i].end_us == rows[i].end_us);
        CHECK(entries[i].status == rows[i].status);
        for (std::size_t c = 0; c < 6; ++c) CHECK(entries[i].values[c + 2] == rows[i].values[c]);
    }
}

TEST_CASE("sim dlms: the client's max PDU limits the blocks too", "[sim_dlms][blocks]") {
    Harness h;
    h.associate_ok(2, "ClientId2", 200);
    const Data buffer = h.get_ok(7, lp, 2, dlms::entry_descriptor(1, 20));
    CHECK(buffer.items.size() == 20);
    CHECK(h.largest_response <= 200);
    CHECK(h.blocks_received > 1);
}

TEST_CASE("sim dlms: block numbers are checked and a new GET abandons a transfer", "[sim_dlms][blocks]") {
    Harness h;
    h.associate_ok(2, "ClientId2");
    dlms::GetRequest whole;
    whole.item = {{7, lp, 2}, std::nullopt};
    auto next = [](std::uint32_t n) {
        dlms::GetRequest r;
        r.kind = dlms::GetRequest::Kind::next;
        r.block_number = n;
        return r;
    };

    SECTION("the block after the one acknowledged, or that one again") {
        auto b1 = h.get_raw(whole);
        REQUIRE(b1.kind == dlms::GetResponse::Kind::with_datablock);
        CHECK(b1.block_number == 1);
        CHECK_FALSE(b1.last_block);
        const auto b2 = h.get_raw(next(1));
        CHECK(b2.block_number == 2);
        const auto b2_again = h.get_raw(next(1));  // the response to the first was lost
        CHECK(b2_again == b2);
        CHECK(h.get_raw(next(2)).block_number == 3);
    }
    SECTION("a wrong block number ends the transfer") {
        h.get_raw(whole);
        const auto bad = h.get_raw(next(5));
        REQUIRE(bad.block_result);
        CHECK(*bad.block_result == AccessResult::data_block_number_invalid);
        CHECK(bad.last_block);
        const auto after = h.get_raw(next(1));
        REQUIRE(after.block_result);
        CHECK(*after.block_result == AccessResult::no_long_get_in_progress);
    }
    SECTION("a new GET abandons the blocks pending") {
        h.get_raw(whole);
        h.get_ok(8, dlms::obis::clock, 2);
        const auto after = h.get_raw(next(1));
        REQUIRE(after.block_result);
        CHECK(*after.block_result == AccessResult::no_long_get_in_progress);
    }
    SECTION("no transfer at all") {
        const auto r = h.get_raw(next(1));
        REQUIRE(r.block_result);
        CHECK(*r.block_result == AccessResult::no_long_get_in_progress);
    }
}

TEST_CASE("sim dlms: a long GET with list comes in blocks", "[sim_dlms][blocks]") {
    const DlmsServerOptions options;
    Harness h(options);
    h.associate_ok(1, "ClientId1");
    const auto results = h.get_list({
        {{1, obis("0.0.96.11.0.255"), 2}, std::nullopt},
        {{7, lp, 2}, dlms::entry_descriptor(1, 40)},
        {{7, lp, 7}, std::nullopt},
    });
    CHECK(h.blocks_received > 1);
    REQUIRE(results.size() == 3);
    CHECK(results[0].data == Data::visible_string("JS2-000001"));
    REQUIRE(results[1].data);
    CHECK(decode_buffer(*results[1].data, options).size() == 40);
    CHECK(results[2].data == Data::double_long_unsigned(672));
}

TEST_CASE("sim dlms: without block transfer a long response cannot be given", "[sim_dlms][blocks]") {
    Harness h;
    dlms::InitiateRequest init;
    init.conformance = dlms::conformance::get | dlms::conformance::selective_access;
    REQUIRE(h.associate(2, "ClientId2", init).result == dlms::AssociationResult::accepted);
    CHECK(h.get(7, lp, 2).result == AccessResult::other_reason);
    CHECK(h.get(7, lp, 2, dlms::entry_descriptor(1, 2)).result == AccessResult::success);
}

TEST_CASE("sim dlms: a Green Book style GET of the profile's capture period", "[sim_dlms][selective]") {
    Harness h;
    h.associate_ok(2, "ClientId2");
    // GET-Request-Normal, invoke id 0xC1, class 7, 1.0.99.1.0.255, attribute 4, no access.
    const auto reply = h.send(hex("C0 01 C1 00 07 01 00 63 01 00 FF 04 00"));
    // GET-Response-Normal, success, double-long-unsigned 900.
    CHECK(reply == hex("C4 01 C1 00 06 00 00 03 84"));
}
