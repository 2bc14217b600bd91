// GET and SET APDUs in both directions: hex vectors (the clock read is from public meter
// traces), every truncation, corrupt and hostile counts and lengths, round trips.
#include <catch2/catch.hpp>

#include "apdu_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::accepted_prefixes;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::must;
using gridgate::dlms::test::to_text;

namespace {

constexpr Obis energy_import{{1, 0, 1, 8, 0, 255}};

const char* const clock_request = "C0 01 C1 00 08 00 00 01 00 00 FF 02 00";
const char* const clock_response = "C4 01 C1 00 09 0C 07 EA 04 04 06 04 04 2B 00 FE 98 01";
const char* const list_request = "C0 03 C1 02 00 03 01 00 01 08 00 FF 02 00 00 03 01 00 01 08 00 FF 03 00";
const char* const list_response = "C4 03 C1 02 00 06 00 01 E2 40 00 02 02 0F FD 16 1E";
const char* const set_clock_request =
    "C1 01 C1 00 08 00 00 01 00 00 FF 02 00 09 0C 07 E3 06 1A 03 0D 12 00 00 00 F0 80";

bool get_request_ok(std::span<const std::uint8_t> s) { return static_cast<bool>(decode_get_request(s)); }
bool get_response_ok(std::span<const std::uint8_t> s) { return static_cast<bool>(decode_get_response(s)); }

}  // namespace

TEST_CASE("GET-Request-Normal for the clock time") {
    GetRequest r;
    r.item.attribute = {8, obis::clock, 2};
    CHECK(to_text(encode_get_request(r)) == clock_request);
    const GetRequest back = must(decode_get_request(hex(clock_request)));
    CHECK(back == r);
    CHECK(back.kind == GetRequest::Kind::normal);
    CHECK(back.invoke_id_priority == 0xC1);
    CHECK(back.item.attribute.class_id == 8);
    CHECK(back.item.attribute.instance == obis::clock);
    CHECK_FALSE(back.item.access);
}

TEST_CASE("GET-Response-Normal with the meter's time") {
    const GetResponse r = must(decode_get_response(hex(clock_response)));
    CHECK(r.kind == GetResponse::Kind::normal);
    REQUIRE(r.result.data);
    CHECK(r.result.data->tag == DataTag::octet_string);
    const auto t = decode_date_time(r.result.data->bytes);
    REQUIRE(t);
    CHECK(t->year == 2026);
    CHECK(t->month == 4);
    CHECK(t->day == 4);
    CHECK(t->day_of_week == 6);
    CHECK(t->hour == 4);
    CHECK(t->minute == 4);
    CHECK(t->second == 43);
    CHECK(t->deviation == -360);
    CHECK(t->status == 0x01);
    CHECK(to_text(encode_get_response(r)) == clock_response);
}

TEST_CASE("GET-Response-Normal with a data-access-result") {
    const GetResponse r = must(decode_get_response(hex("C4 01 C1 01 03")));
    CHECK_FALSE(r.result.data);
    CHECK(r.result.result == AccessResult::read_write_denied);
    CHECK(to_text(encode_get_response(r)) == "C4 01 C1 01 03");
    // "success" in the failure branch is malformed.
    CHECK_FALSE(decode_get_response(hex("C4 01 C1 01 00")));
    GetResponse empty;
    CHECK_THROWS_AS(encode_get_response(empty), std::invalid_argument);
}

TEST_CASE("GET-Request-Next") {
    GetRequest r;
    r.kind = GetRequest::Kind::next;
    r.invoke_id_priority = 0xC2;
    r.block_number = 0x01020304;
    CHECK(to_text(encode_get_request(r)) == "C0 02 C2 01 02 03 04");
    CHECK(must(decode_get_request(hex("C0 02 C2 01 02 03 04"))) == r);
}

TEST_CASE("GET-Request-With-List and its response") {
    GetRequest r;
    r.kind = GetRequest::Kind::with_list;
    r.list = {GetItem{{3, energy_import, 2}, std::nullopt}, GetItem{{3, energy_import, 3}, std::nullopt}};
    CHECK(to_text(encode_get_request(r)) == list_request);
    CHECK(must(decode_get_request(hex(list_request))) == r);

    const GetResponse resp = must(decode_get_response(hex(list_response)));
    CHECK(resp.kind == GetResponse::Kind::with_list);
    REQUIRE(resp.list.size() == 2);
    REQUIRE(resp.list[0].data);
    CHECK(resp.list[0].data->as_int() == 123456);
    REQUIRE(resp.list[1].data);
    CHECK(resp.list[1].data->tag == DataTag::structure);
    CHECK(to_text(encode_get_response(resp)) == list_response);

    const GetResponse partial = must(decode_get_response(hex("C4 03 C1 02 00 06 00 01 E2 40 01 04")));
    REQUIRE(partial.list.size() == 2);
    CHECK_FALSE(partial.list[1].data);
    CHECK(partial.list[1].result == AccessResult::object_undefined);
}

TEST_CASE("GET-Response-With-Datablock") {
    const GetResponse first = must(decode_get_response(hex("C4 02 C1 00 00 00 00 01 00 05 01 02 06 00 00")));
    CHECK(first.kind == GetResponse::Kind::with_datablock);
    CHECK_FALSE(first.last_block);
    CHECK(first.block_number == 1);
    CHECK(to_text(first.raw_data) == "01 02 06 00 00");
    CHECK_FALSE(first.block_result);
    CHECK(to_text(encode_get_response(first)) == "C4 02 C1 00 00 00 00 01 00 05 01 02 06 00 00");

    const GetResponse last = must(decode_get_response(hex("C4 02 C1 01 00 00 00 02 00 03 00 00 2A")));
    CHECK(last.last_block);
    CHECK(last.block_number == 2);

    const GetResponse failed = must(decode_get_response(hex("C4 02 C1 01 00 00 00 02 01 0E")));
    REQUIRE(failed.block_result);
    CHECK(*failed.block_result == AccessResult::data_block_unavailable);
    CHECK(failed.raw_data.empty());
    CHECK(to_text(encode_get_response(failed)) == "C4 02 C1 01 00 00 00 02 01 0E");

    // A raw-data length in the two-octet form, as meters send 0x82 01 EA.
    std::vector<std::uint8_t> big = hex("C4 02 C1 00 00 00 00 01 00 82 01 2C");
    big.resize(big.size() + 300, 0x55);
    CHECK(must(decode_get_response(big)).raw_data.size() == 300);
    // One octet short of what the length says.
    big.pop_back();
    CHECK_FALSE(decode_get_response(big));
}

TEST_CASE("SET-Request-Normal of the clock and its response") {
    SetRequest r;
    r.attribute = {8, obis::clock, 2};
    CosemDateTime t;
    t.year = 2019;
    t.month = 6;
    t.day = 26;
    t.day_of_week = 3;
    t.hour = 13;
    t.minute = 18;
    t.second = 0;
    t.hundredths = 0;
    t.deviation = 240;  // EDT in the Blue Book sign: UTC = local + 240 min
    t.status = clock_status::daylight_saving_active;
    const auto octets = encode_date_time(t);
    r.value = Data::octet_string(std::vector<std::uint8_t>(octets.begin(), octets.end()));
    CHECK(to_text(encode_set_request(r)) == set_clock_request);
    CHECK(must(decode_set_request(hex(set_clock_request))) == r);

    SetResponse ok;
    CHECK(to_text(encode_set_response(ok)) == "C5 01 C1 00");
    CHECK(must(decode_set_response(hex("C5 01 C1 00"))) == ok);
    const SetResponse denied = must(decode_set_response(hex("C5 01 C3 03")));
    CHECK(denied.invoke_id_priority == 0xC3);
    CHECK(denied.result == AccessResult::read_write_denied);
    // SET with first datablock / with list are not supported.
    CHECK_FALSE(decode_set_request(hex("C1 02 C1 00 08 00 00 01 00 00 FF 02 00 00 00 00 00 01 00")));
    CHECK_FALSE(decode_set_response(hex("C5 02 C1 00 00 00 01")));
}

TEST_CASE("EXCEPTION-Response") {
    const ExceptionResponse e{1, 2};
    CHECK(to_text(encode_exception_response(e)) == "D8 01 02");
    CHECK(must(decode_exception_response(hex("D8 01 02"))) == e);
    CHECK(must(decode_exception_response(hex("D8 02 01"))) == ExceptionResponse{2, 1});
    // invocation-counter-error carries the expected counter.
    CHECK(must(decode_exception_response(hex("D8 01 06 00 00 00 05"))) == ExceptionResponse{1, 6});
    CHECK_FALSE(decode_exception_response(hex("D8 01")));
    CHECK_FALSE(decode_exception_response(hex("D8 01 02 00")));
    CHECK_FALSE(decode_exception_response(hex("C4 01 02")));
    CHECK_FALSE(decode_exception_response({}));
}

TEST_CASE("every truncation of a GET or SET APDU is refused") {
    for (const char* v : {clock_request, list_request, "C0 02 C2 01 02 03 04",
                          "C0 01 C1 00 07 01 00 63 01 00 FF 02 01 02 02 04 06 00 00 00 01 06 00 00 00 0A 12 00 01 "
                          "12 00 00"})
        CHECK(accepted_prefixes(hex(v), get_request_ok) == 0);
    for (const char* v : {clock_response, list_response, "C4 01 C1 01 03",
                          "C4 02 C1 00 00 00 00 01 00 05 01 02 06 00 00", "C4 02 C1 01 00 00 00 02 01 0E"})
        CHECK(accepted_prefixes(hex(v), get_response_ok) == 0);
    CHECK(accepted_prefixes(hex(set_clock_request),
                            [](std::span<const std::uint8_t> s) { return static_cast<bool>(decode_set_request(s)); }) ==
          0);
    CHECK(accepted_prefixes(hex("C5 01 C1 00"), [](std::span<const std::uint8_t> s) {
              return static_cast<bool>(decode_set_response(s));
          }) == 0);
}

TEST_CASE("corrupt GET APDUs are refused with a reason") {
    // Unknown kinds, wrong tags, trailing octets.
    CHECK_FALSE(decode_get_request(hex("C0 04 C1 00 08 00 00 01 00 00 FF 02 00")));
    CHECK_FALSE(decode_get_response(hex("C4 04 C1 00 11 05")));
    CHECK_FALSE(decode_get_request(hex(clock_response)));
    CHECK_FALSE(decode_get_response(hex(clock_request)));
    CHECK_FALSE(decode_get_request(hex("C0 01 C1 00 08 00 00 01 00 00 FF 02 00 00")));
    CHECK_FALSE(decode_get_response(hex("C4 01 C1 00 11 05 00")));
    // Access-selection flag other than 0 or 1; Get-Data-Result choice other than 0 or 1.
    CHECK_FALSE(decode_get_request(hex("C0 01 C1 00 08 00 00 01 00 00 FF 02 02")));
    CHECK_FALSE(decode_get_response(hex("C4 01 C1 02 03")));
    // A data block choice other than raw-data or a result.
    CHECK_FALSE(decode_get_response(hex("C4 02 C1 01 00 00 00 02 02 0E")));
    // Hostile list counts are refused at once, without allocating.
    const auto huge = decode_get_request(hex("C0 03 C1 84 7F FF FF FF"));
    CHECK_FALSE(huge);
    CHECK_THAT(huge.error, Catch::Contains("over the limit"));
    CHECK_FALSE(decode_get_response(hex("C4 03 C1 84 7F FF FF FF 00 11 01")));
    CHECK_FALSE(decode_get_response(hex("C4 03 C1 82 FF FF 00 11 01")));
    // A count bigger than the items that follow.
    CHECK_FALSE(decode_get_response(hex("C4 03 C1 03 00 06 00 01 E2 40 01 04")));
    // Element limits of the caller apply to the data.
    AxdrLimits tight;
    tight.max_depth = 1;
    CHECK_FALSE(decode_get_response(hex("C4 01 C1 00 01 01 01 01 01 01 11 05"), tight));
    CHECK(decode_get_response(hex("C4 01 C1 00 01 01 01 01 01 01 11 05")));
    CHECK_FALSE(decode_get_request({}));
    CHECK_FALSE(decode_get_response(hex("C4")));
}

TEST_CASE("GET and SET round trips keep every field") {
    GetRequest n;
    n.invoke_id_priority = 0x8F;
    n.item = GetItem{{7, obis::load_profile_1, 2}, entry_descriptor(5, 0)};
    CHECK(must(decode_get_request(encode_get_request(n))) == n);

    GetRequest l;
    l.kind = GetRequest::Kind::with_list;
    for (std::uint8_t i = 0; i < 200; ++i)  // 200 items: a two-octet count
        l.list.push_back(GetItem{{3, Obis{{1, 0, i, 8, 0, 255}}, static_cast<std::int8_t>(i % 3 - 1)}, std::nullopt});
    l.list[7].access = entry_descriptor(1, 2);
    CHECK(must(decode_get_request(encode_get_request(l))) == l);

    GetResponse lr;
    lr.kind = GetResponse::Kind::with_list;
    lr.invoke_id_priority = 0x47;
    for (std::uint8_t i = 0; i < 130; ++i)
        lr.list.push_back(i % 5 == 0 ? GetResult{std::nullopt, AccessResult::object_unavailable}
                                     : GetResult{Data::long_unsigned(i), AccessResult::success});
    CHECK(must(decode_get_response(encode_get_response(lr))) == lr);

    SetRequest s;
    s.invoke_id_priority = 0x41;
    s.attribute = {1, Obis{{0, 0, 96, 1, 0, 255}}, -2};
    s.access = SelectiveAccess{3, Data::null()};
    s.value = Data::structure({Data::visible_string("JEM"), Data::float32(1.5f)});
    CHECK(must(decode_set_request(encode_set_request(s))) == s);
}
