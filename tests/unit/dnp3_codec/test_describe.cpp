// Trace text of fragments.
#include <catch2/catch.hpp>

#include <random>

#include "codec_test.hpp"

using namespace gridgate::dnp3;
using gridgate::dnp3::test::hex;

TEST_CASE("fragments describe themselves for traces") {
    CHECK(describe_fragment(hex("E3 81 10 00 17 05 28 04 00 01 00 01 00 00 00 00 00 00 00 00 00 00 "
                                "02 00 01 00 00 00 00 00 00 00 00 00 00 03 00 01 00 00 00 00 00 00 00 00 00 00 "
                                "04 00 01 00 00 00 00 00 00 00 00 00 00 14 05 00 00 03 00 00 00 00 01 00 00 00 "
                                "02 00 00 00 03 00 00 00")) ==
          "RESPONSE FIR FIN CON seq=3 iin=NEED_TIME g23v5 q28 n=4; g20v5 q00 0..3");
    CHECK(describe_fragment(encode_class_read(AppControl{true, true, false, false, 1}, ClassSet::integrity())) ==
          "READ FIR FIN seq=1 g60v2 q06; g60v3 q06; g60v4 q06; g60v1 q06");
    CHECK(describe_fragment(encode_write_time(AppControl{true, true, false, false, 4}, 0)) ==
          "WRITE FIR FIN seq=4 g50v1 q07 n=1");
    CHECK(describe_fragment(encode_confirm(7, true)) == "CONFIRM FIR FIN UNS seq=7");
    CHECK(describe_fragment(hex("C0 14 3C 02 06")) == "FC20 FIR FIN seq=0 (3 octets unparsed)");
    CHECK(describe_fragment(hex("C0 81 00 00 1E 07 00 00 00")) ==
          "RESPONSE FIR FIN seq=0 [error: object g30v7 not supported at offset 4]");
    CHECK(describe_fragment(hex("C0")) == "short fragment (1 octets)");
    CHECK(describe_fragment({}) == "short fragment (0 octets)");
}

TEST_CASE("describing garbage never throws") {
    std::mt19937 rng(5);
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> junk(rng() % 48);
        for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
        if (junk.size() > 1 && i % 2) junk[1] = static_cast<std::uint8_t>(i % 4 ? 0x81 : 0x01);
        CHECK_NOTHROW(describe_fragment(junk));
    }
}
