// Application requests: what the master encodes (checked against octets written from the
// standard's layout) and what the outstation parses.
#include <catch2/catch.hpp>

#include "codec_test.hpp"

using namespace gridgate::dnp3;
using gridgate::dnp3::test::hex;
using gridgate::dnp3::test::request;
using gridgate::dnp3::test::to_text;

namespace {

AppControl ctl(std::uint8_t seq) { return AppControl{true, true, false, false, seq}; }

// 2022-02-14 12:03:49.565 UTC
constexpr DnpTime t0 = 0x017EF81E1ABDull;
const char* const t0_hex = "BD 1A 1E F8 7E 01";

ReadItem item(std::uint8_t g, std::uint8_t v, Qualifier q, std::uint32_t start = 0, std::uint32_t stop = 0,
              std::uint32_t count = 0, std::vector<std::uint32_t> indices = {}) {
    return ReadItem{g, v, q, start, stop, count, std::move(indices)};
}

}  // namespace

TEST_CASE("application control and IIN octets") {
    CHECK(ctl(0).encode() == 0xC0);
    CHECK(AppControl{true, false, true, false, 15}.encode() == 0xAF);
    CHECK(AppControl{false, true, false, true, 3}.encode() == 0x53);
    for (int o = 0; o < 256; ++o) CHECK(AppControl::decode(static_cast<std::uint8_t>(o)).encode() == o);
    CHECK(Iin{}.describe().empty());
    CHECK(Iin{Iin::device_restart | Iin::need_time}.describe() == "NEED_TIME|DEVICE_RESTART");
    CHECK(Iin{Iin::object_unknown | Iin::class1_events}.describe() == "CLASS1_EVENTS|OBJECT_UNKNOWN");
    CHECK(std::string(to_string(FunctionCode::record_current_time)) == "RECORD_CURRENT_TIME");
    CHECK(std::string(to_string(static_cast<FunctionCode>(77))) == "UNKNOWN");
}

TEST_CASE("requests encode to the standard's octets") {
    CHECK(to_text(encode_class_read(ctl(0), ClassSet::integrity())) == "C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06");
    CHECK(to_text(encode_class_read(ctl(1), ClassSet::events())) == "C1 01 3C 02 06 3C 03 06 3C 04 06");
    CHECK(to_text(encode_class_read(ctl(2), ClassSet{true, false, false, false})) == "C2 01 3C 01 06");
    CHECK(to_text(encode_confirm(5)) == "C5 00");
    CHECK(to_text(encode_confirm(21)) == "C5 00");  // SEQ is 4 bits
    CHECK(to_text(encode_confirm(2, true)) == "D2 00");
    CHECK(to_text(encode_write_time(ctl(3), t0)) == std::string("C3 02 32 01 07 01 ") + t0_hex);
    CHECK(to_text(encode_write_last_recorded_time(ctl(4), t0)) == std::string("C4 02 32 03 07 01 ") + t0_hex);
    CHECK(to_text(encode_clear_restart(ctl(6))) == "C6 02 50 01 00 07 07 00");
    CHECK(to_text(encode_function_only(ctl(7), FunctionCode::delay_measure)) == "C7 17");
    CHECK(to_text(encode_function_only(ctl(8), FunctionCode::record_current_time)) == "C8 18");
    CHECK(to_text(encode_function_only(ctl(9), FunctionCode::cold_restart)) == "C9 0D");
    CHECK(to_text(encode_function_only(ctl(10), FunctionCode::warm_restart)) == "CA 0E");
}

TEST_CASE("reads encode every qualifier") {
    const std::vector<ReadItem> items = {
        item(30, 0, Qualifier::start_stop_8, 0, 17),
        item(20, 5, Qualifier::start_stop_16, 1, 300),
        item(2, 0, Qualifier::all),
        item(50, 1, Qualifier::count_8, 0, 0, 1),
        item(23, 0, Qualifier::count_16, 0, 0, 10),
        item(1, 2, Qualifier::index_8, 0, 0, 0, {1, 5}),
        item(21, 9, Qualifier::index_16, 0, 0, 0, {1, 300}),
    };
    CHECK(to_text(encode_read(ctl(11), items)) ==
          "CB 01 1E 00 00 00 11 14 05 01 01 00 2C 01 02 00 06 32 01 07 01 17 00 08 0A 00 "
          "01 02 17 02 01 05 15 09 28 02 00 01 00 2C 01");
    CHECK(to_text(encode_read(ctl(0), {})) == "C0 01");

    const std::vector<ReadItem> bad[] = {
        {item(30, 0, Qualifier::start_stop_8, 0, 256)},
        {item(30, 0, Qualifier::start_stop_8, 5, 4)},
        {item(30, 0, Qualifier::start_stop_16, 0, 65536)},
        {item(30, 0, Qualifier::count_8, 0, 0, 256)},
        {item(30, 0, Qualifier::index_8, 0, 0, 0, {256})},
        {item(30, 0, Qualifier::index_8, 0, 0, 0, std::vector<std::uint32_t>(256, 1))},
        {item(30, 0, Qualifier::index_16, 0, 0, 0, {65536})},
        {item(30, 0, static_cast<Qualifier>(0x5B))},
    };
    for (const auto& b : bad) CHECK_THROWS_AS(encode_read(ctl(0), b), std::invalid_argument);
}

TEST_CASE("the outstation parses every request kind") {
    SECTION("integrity poll") {
        const auto req = request(hex("C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06"));
        CHECK(req.function == FunctionCode::read);
        CHECK(req.control == ctl(0));
        REQUIRE(req.objects.size() == 4);
        CHECK(req.objects[0].header == ObjectHeader{60, 2, Qualifier::all, 0, 0, 0});
        CHECK(req.objects[3].header == ObjectHeader{60, 1, Qualifier::all, 0, 0, 0});
    }
    SECTION("reads with every qualifier, written by hand") {
        const auto req = request(hex("CB 01 1E 00 00 00 11 14 05 01 01 00 2C 01 02 00 06 32 01 07 01 "
                                     "17 00 08 0A 00 01 02 17 02 01 05 15 09 28 02 00 01 00 2C 01"));
        REQUIRE(req.objects.size() == 7);
        CHECK(req.objects[0].header == ObjectHeader{30, 0, Qualifier::start_stop_8, 0, 17, 18});
        CHECK(req.objects[1].header == ObjectHeader{20, 5, Qualifier::start_stop_16, 1, 300, 300});
        CHECK(req.objects[2].header == ObjectHeader{2, 0, Qualifier::all, 0, 0, 0});
        CHECK(req.objects[3].header == ObjectHeader{50, 1, Qualifier::count_8, 0, 0, 1});
        CHECK(req.objects[4].header == ObjectHeader{23, 0, Qualifier::count_16, 0, 0, 10});
        CHECK(req.objects[5].header == ObjectHeader{1, 2, Qualifier::index_8, 0, 0, 2});
        CHECK(req.objects[5].indices == std::vector<std::uint32_t>{1, 5});
        CHECK(req.objects[6].header == ObjectHeader{21, 9, Qualifier::index_16, 0, 0, 2});
        CHECK(req.objects[6].indices == std::vector<std::uint32_t>{1, 300});
    }
    SECTION("a read of an object we do not know is still parsed (the outstation answers IIN2.1)") {
        const auto req = request(hex("C0 01 0C 01 00 00 03"));
        REQUIRE(req.objects.size() == 1);
        CHECK(req.objects[0].header.group == 12);
    }
    SECTION("WRITE time and date") {
        const auto req = request(hex(std::string("C3 02 32 01 07 01 ") + t0_hex));
        CHECK(req.function == FunctionCode::write);
        REQUIRE(req.objects.size() == 1);
        CHECK(req.objects[0].header == ObjectHeader{50, 1, Qualifier::count_8, 0, 0, 1});
        CHECK(req.objects[0].time == t0);
    }
    SECTION("WRITE last recorded time") {
        const auto req = request(encode_write_last_recorded_time(ctl(4), t0));
        REQUIRE(req.objects.size() == 1);
        CHECK(req.objects[0].header.variation == 3);
        CHECK(req.objects[0].time == t0);
    }
    SECTION("WRITE IIN bits") {
        const auto req = request(hex("C6 02 50 01 00 07 07 00"));
        REQUIRE(req.objects.size() == 1);
        CHECK(req.objects[0].iin_bits == std::vector<std::pair<std::uint32_t, bool>>{{7, false}});
        const auto two = request(hex("C6 02 50 01 00 04 07 0A"));  // 4..7 = 0 1 0 1
        CHECK(two.objects[0].iin_bits ==
              std::vector<std::pair<std::uint32_t, bool>>{{4, false}, {5, true}, {6, false}, {7, true}});
    }
    SECTION("function codes without objects") {
        CHECK(request(hex("C5 00")).function == FunctionCode::confirm);
        CHECK(request(hex("D5 00")).control.uns);
        CHECK(request(hex("C7 17")).function == FunctionCode::delay_measure);
        CHECK(request(hex("C8 18")).function == FunctionCode::record_current_time);
        CHECK(request(hex("C9 0D")).function == FunctionCode::cold_restart);
        CHECK(request(hex("CA 0E")).function == FunctionCode::warm_restart);
        CHECK(request(hex("C9 0D")).objects.empty());
    }
    SECTION("an unknown function code comes back unparsed, to be refused with IIN2.0") {
        const auto req = request(hex("C0 14 3C 02 06"));  // ENABLE_UNSOLICITED
        CHECK(static_cast<int>(req.function) == 20);
        CHECK(req.objects.empty());
    }
}

TEST_CASE("bad requests are parse errors, not crashes") {
    const char* const bad[] = {
        "",
        "C0",
        "C0 81 00 00",                 // a response
        "C0 01 3C",                    // truncated header
        "C0 01 3C 02",                 // no qualifier
        "C0 01 1E 00 00 05",           // no stop
        "C0 01 1E 00 00 05 04",        // stop < start
        "C0 01 1E 00 01 05 00",        // 16-bit range cut short
        "C0 01 1E 00 5B",              // unknown qualifier
        "C0 01 1E 00 17 03 01 02",     // index list cut short
        "C0 01 1E 00 28 FF FF 01 00",  // a huge count, few octets
        "C0 01 1E 00 08 01",           // count cut short
        "C3 02 32 01 07 02 00 00 00 00 00 00 00 00 00 00 00 00",  // two times
        "C3 02 32 01 07 01 00 00 00",                             // time cut short
        "C3 02 32 01 28 01 00 00 00 00 00 00 00 00 00",           // time with an index
        "C3 02 1E 01 00 00 00 00 00 00 00",                       // WRITE of an analog
        "C3 02 50 01 07 01 00",                                   // g80 with a count
        "C3 02 50 01 01 00 00 FF FF 00",                          // 65536 bits, one octet
        "C5 00 3C 01 06",                                         // CONFIRM with objects
        "C7 17 00",
    };
    for (const char* text : bad) {
        CAPTURE(text);
        const auto r = parse_request(hex(text));
        REQUIRE(std::holds_alternative<ParseError>(r));
        CHECK_FALSE(std::get<ParseError>(r).message.empty());
    }
}

TEST_CASE("parsed requests re-encode to the same octets") {
    const std::vector<std::vector<std::uint8_t>> fragments = {
        encode_class_read(ctl(3), ClassSet::integrity()),
        encode_read(ctl(4), std::vector<ReadItem>{item(1, 2, Qualifier::index_16, 0, 0, 0, {7, 700, 7000}),
                                                  item(32, 0, Qualifier::count_8, 0, 0, 5)}),
        encode_write_time(ctl(5), t0),
        encode_clear_restart(ctl(6)),
        encode_function_only(ctl(7), FunctionCode::delay_measure),
    };
    for (const auto& f : fragments) {
        const auto req = request(f);
        std::vector<std::uint8_t> again;
        if (req.function == FunctionCode::read) {
            std::vector<ReadItem> items;
            for (const auto& o : req.objects)
                items.push_back(item(o.header.group, o.header.variation, o.header.qualifier, o.header.start,
                                     o.header.stop, o.header.count, o.indices));
            again = encode_read(req.control, items);
        } else if (req.function == FunctionCode::write && req.objects[0].time) {
            again = encode_write_time(req.control, *req.objects[0].time);
        } else if (req.function == FunctionCode::write) {
            again = encode_clear_restart(req.control);
        } else {
            again = encode_function_only(req.control, req.function);
        }
        CHECK(to_text(again) == to_text(f));
    }
}
