// The reference meter's file names (meter-features.md 13.2 and its examples).
#include <catch2/catch.hpp>

#include "gridgate/core/time.hpp"
#include "gridgate/files/pqdif_name.hpp"

using namespace gridgate::files;

TEST_CASE("pqdif names: the manual's sag/swell + waveform + HSRMS example", "[pqdif][name]") {
    const auto n = parse_pqdif_name("142300003_1454408745_133724_07.pqd");
    REQUIRE(n);
    CHECK(n->serial == "142300003");
    CHECK(n->unix_seconds == 1454408745);
    CHECK(n->microseconds == 133724);
    CHECK(n->type_bits == 7);
    CHECK(n->log_number == 0);
    CHECK(gridgate::format_iso8601_utc(n->time_us()) == "2016-02-02T10:25:45.133724Z");
    CHECK(describe_pqdif_type(n->type_bits) == "sag_swell,waveform,hsrms");
    CHECK(format_pqdif_name(*n) == "142300003_1454408745_133724_07.pqd");
}

TEST_CASE("pqdif names: the notification sample and a measurement log file", "[pqdif][name]") {
    const auto n = parse_pqdif_name("140800001_1594577710_813931_06.pqd");
    REQUIRE(n);
    CHECK(n->type_bits == 6);
    CHECK(describe_pqdif_type(6) == "waveform,hsrms");
    CHECK(gridgate::format_iso8601_utc(n->time_us()) == "2020-07-12T18:15:10.813931Z");
    CHECK(format_pqdif_name(*n) == "140800001_1594577710_813931_06.pqd");

    const auto log = parse_pqdif_name("142300003_1454408745_5_02_08.pqd");
    REQUIRE(log);
    CHECK(log->log_number == 2);
    CHECK(log->type_bits == 8);
    CHECK(log->microseconds == 5);
    CHECK(describe_pqdif_type(8) == "measurement_log");
    CHECK(format_pqdif_name(*log) == "142300003_1454408745_5_02_08.pqd");
}

TEST_CASE("pqdif names: type bits described in bit order, unknown bits by number", "[pqdif][name]") {
    CHECK(describe_pqdif_type(128) == "daily");
    CHECK(describe_pqdif_type(16 | 2) == "waveform,rvc");
    CHECK(describe_pqdif_type(32 | 4 | 2) == "waveform,hsrms,interruption");
    CHECK(describe_pqdif_type(64 | 1) == "sag_swell,bit6");
    CHECK(describe_pqdif_type(0) == "");
    const auto daily = parse_pqdif_name("142300003_1454371200_0_128.pqd");
    REQUIRE(daily);
    CHECK(daily->type_bits == 128);
    CHECK(format_pqdif_name(*daily) == "142300003_1454371200_0_128.pqd");
    CHECK(parse_pqdif_name("142300003_1454408745_133724_07.PQD"));  // extension case is not significant
}

TEST_CASE("pqdif names: names off the pattern are not parsed", "[pqdif][name]") {
    for (const char* bad : {
             "",
             ".pqd",
             "142300003_1454408745_133724_07",          // no extension
             "142300003_1454408745_133724_07.pqdx",
             "142300003_1454408745_133724_07.txt",
             "142300003_145440874_133724_07.pqd",       // 9-digit seconds
             "142300003_14544087450_133724_07.pqd",     // 11-digit seconds
             "142300003_1454408745_1337240_07.pqd",     // 7-digit microseconds
             "142300003_1454408745__07.pqd",            // empty field
             "142300003_1454408745_133724_.pqd",
             "142300003_1454408745_133724_00.pqd",      // no data type
             "142300003_1454408745_133724_0x7.pqd",
             "142300003_1454408745_+13372_07.pqd",
             "_1454408745_133724_07.pqd",               // no serial
             "1423 0003_1454408745_133724_07.pqd",      // space in the serial
             "142300003_1454408745_133724_09_08.pqd",   // log number over 8
             "142300003_1454408745_133724_00_08.pqd",   // log number 0
             "142300003_1454408745_133724_02_07.pqd",   // log number on a non-log file
             "142300003_1454408745_133724_1_2_08.pqd",  // too many fields
             "142300003_1454408745.pqd",
         }) {
        INFO(bad);
        CHECK_FALSE(parse_pqdif_name(bad));
    }
}
