// Trace text: one line per APDU, never an exception, undecodable input named as such.
#include <catch2/catch.hpp>

#include "apdu_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::hex;

TEST_CASE("describe_apdu names each APDU in one line") {
    CHECK(describe_apdu(hex("60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 7E 1F "
                            "04 B0")) == "AARQ LN auth=none pdu=1200 conf=0x007E1F");
    CHECK(describe_apdu(hex("61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 BE 10 04 0E "
                            "08 00 06 5F 1F 04 00 00 50 1F 01 F4 00 07")) == "AARE accepted pdu=500 conf=0x00501F");
    CHECK(describe_apdu(hex("61 1F A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 01 A3 05 A1 03 02 01 0D BE 06 04 04 "
                            "0E 01 06 01")) ==
          "AARE rejected-permanent diag=authentication failure (wrong password) initiate-error=1");
    CHECK(describe_apdu(hex("61 17 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 02 A3 05 A2 03 02 01 02")) ==
          "AARE rejected-transient provider-diag=no common ACSE version");
    CHECK(describe_apdu(encode_rlrq()) == "RLRQ");
    CHECK(describe_apdu(encode_rlre()) == "RLRE");
    CHECK(describe_apdu(hex("C0 01 C1 00 03 01 00 01 08 00 FF 02 00")) == "GET-Request-Normal id=1 3/1.0.1.8.0.255/2");
    CHECK(describe_apdu(hex("C0 01 C2 00 07 01 00 63 01 00 FF 02 01 02 02 04 06 00 00 00 01 06 00 00 00 0A 12 00 01 "
                            "12 00 00")) == "GET-Request-Normal id=2 7/1.0.99.1.0.255/2 sel=2");
    CHECK(describe_apdu(hex("C0 02 C1 00 00 00 03")) == "GET-Request-Next id=1 block=3");
    CHECK(describe_apdu(hex("C0 03 C1 02 00 03 01 00 01 08 00 FF 02 00 00 03 01 00 01 08 00 FF 03 00")) ==
          "GET-Request-With-List id=1 n=2 3/1.0.1.8.0.255/2 ...");
    CHECK(describe_apdu(hex("C4 01 C1 01 03")) == "GET-Response-Normal id=1 read-write-denied");
    CHECK(describe_apdu(hex("C4 02 C1 00 00 00 00 03 00 05 01 02 03 04 05")) ==
          "GET-Response-With-Datablock id=1 block=3 last=0 raw=5");
    CHECK(describe_apdu(hex("C4 02 C1 01 00 00 00 02 01 0E")) ==
          "GET-Response-With-Datablock id=1 block=2 last=1 data-block-unavailable");
    CHECK(describe_apdu(hex("C4 03 C1 02 00 06 00 01 E2 40 01 04")) == "GET-Response-With-List id=1 n=2 failed=1");
    CHECK(describe_apdu(hex("C5 01 C1 00")) == "SET-Response-Normal id=1 success");
    CHECK(describe_apdu(hex("D8 01 02")) == "EXCEPTION-Response state-error=1 service-error=2");
    CHECK(describe_apdu(hex("0E 01 06 01")) == "confirmedServiceError 01 06 01");
}

TEST_CASE("describe_apdu shows data briefly and survives anything") {
    const std::string normal = describe_apdu(hex("C4 01 C1 00 06 00 01 E2 40"));
    CHECK(normal.rfind("GET-Response-Normal id=1 ", 0) == 0);
    const std::string set = describe_apdu(
        hex("C1 01 C1 00 08 00 00 01 00 00 FF 02 00 09 0C 07 E3 06 1A 03 0D 12 00 00 00 F0 80"));
    CHECK(set.rfind("SET-Request-Normal id=1 8/0.0.1.0.0.255/2 ", 0) == 0);
    // A long result is cut short.
    std::vector<Data> many(500, Data::double_long_unsigned(123456789));
    GetResponse big;
    big.result.data = Data::array(many);
    CHECK(describe_apdu(encode_get_response(big)).size() < 160);

    CHECK(describe_apdu({}) == "empty APDU");
    CHECK(describe_apdu(hex("C4 01")).rfind("GET-Response undecodable (2 octets): ", 0) == 0);
    CHECK(describe_apdu(hex("60 05 A1")).rfind("AARQ undecodable", 0) == 0);
    CHECK(describe_apdu(hex("62 05 80")).rfind("RLRQ undecodable", 0) == 0);
    CHECK(describe_apdu(hex("D8")).rfind("EXCEPTION-Response undecodable", 0) == 0);
    CHECK(describe_apdu(hex("DB 08 00 11 22")) == "unknown APDU tag DB (5 octets)");
    // Every truncation of every example describes without throwing.
    for (const char* v : {"61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 BE 10 04 0E 08 "
                          "00 06 5F 1F 04 00 00 50 1F 01 F4 00 07",
                          "C4 03 C1 02 00 06 00 01 E2 40 01 04"}) {
        const auto bytes = hex(v);
        for (std::size_t n = 0; n <= bytes.size(); ++n)
            CHECK_NOTHROW(describe_apdu(std::span<const std::uint8_t>(bytes.data(), n)));
    }
}

TEST_CASE("result and diagnostic names") {
    CHECK(std::string(to_string(AccessResult::read_write_denied)) == "read-write-denied");
    CHECK(std::string(to_string(AccessResult::object_undefined)) == "object-undefined");
    CHECK(std::string(to_string(AccessResult::other_reason)) == "other-reason");
    CHECK(std::string(to_string(static_cast<AccessResult>(77))) == "unknown-access-result");
    CHECK(std::string(describe_acse_diagnostic(acse_diagnostic::authentication_failure)) ==
          "authentication failure (wrong password)");
    CHECK(std::string(describe_acse_diagnostic(acse_diagnostic::application_context_not_supported)) ==
          "application context name not supported");
    CHECK(std::string(describe_acse_diagnostic(200)) == "unknown diagnostic");
}
