// The association APDUs: AARQ and AARE against published examples (DLMS UA Green Book
// examples as reproduced in public traces), LLS, rejection forms, skipping of optional
// elements, truncated and corrupt encodings, RLRQ / RLRE.
#include <catch2/catch.hpp>

#include "apdu_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::accepted_prefixes;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::must;
using gridgate::dlms::test::to_text;

namespace {

// Green Book public-client AARQ: LN context, no authentication, conformance 0x007E1F,
// max receive PDU 1200.
const char* const green_book_aarq =
    "60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 7E 1F 04 B0";
// Green Book AARE accepting it: conformance 0x00501F, server max receive PDU 500, VAA 0x0007.
const char* const green_book_aare =
    "61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 BE 10 04 0E "
    "08 00 06 5F 1F 04 00 00 50 1F 01 F4 00 07";
// Green Book LLS AARQ, password "12345678".
const char* const green_book_lls_aarq =
    "60 36 A1 09 06 07 60 85 74 05 08 01 01 8A 02 07 80 8B 07 60 85 74 05 08 02 01 "
    "AC 0A 80 08 31 32 33 34 35 36 37 38 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 7E 1F 04 B0";
// A meter's rejection of a wrong password (authentication-failure, diagnostic 13) with
// the xDLMS initiate refused as well (dlms-version-too-low), from a public trace.
const char* const rejected_aare =
    "61 1F A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 01 A3 05 A1 03 02 01 0D BE 06 04 04 0E 01 06 01";

InitiateRequest green_book_initiate() {
    InitiateRequest ir;
    ir.conformance = 0x007E1F;
    ir.max_receive_pdu = 1200;
    return ir;
}

}  // namespace

TEST_CASE("the Green Book public-client AARQ encodes and decodes") {
    Aarq a;
    a.initiate = green_book_initiate();
    CHECK(to_text(encode_aarq(a)) == green_book_aarq);
    const Aarq back = must(decode_aarq(hex(green_book_aarq)));
    CHECK(back == a);
    CHECK(back.ln_referencing);
    CHECK(back.authentication == Authentication::none);
    CHECK(back.initiate.dlms_version == 6);
    CHECK(back.initiate.conformance == 0x007E1F);
    CHECK(back.initiate.max_receive_pdu == 1200);
}

TEST_CASE("the Green Book AARE encodes and decodes") {
    Aare a;
    a.initiate = InitiateResponse{6, 0x00501F, 500, 0x0007};
    CHECK(to_text(encode_aare(a)) == green_book_aare);
    const Aare back = must(decode_aare(hex(green_book_aare)));
    CHECK(back == a);
    CHECK(back.result == AssociationResult::accepted);
    CHECK_FALSE(back.diagnostic_from_provider);
    REQUIRE(back.initiate);
    CHECK(back.initiate->max_receive_pdu == 500);
    CHECK(back.initiate->vaa_name == 0x0007);
    CHECK_FALSE(back.initiate_error);
}

TEST_CASE("an LLS AARQ carries the password as calling-authentication-value") {
    Aarq a;
    a.authentication = Authentication::low;
    a.password = {'1', '2', '3', '4', '5', '6', '7', '8'};
    a.initiate = green_book_initiate();
    CHECK(to_text(encode_aarq(a)) == green_book_lls_aarq);
    CHECK(must(decode_aarq(hex(green_book_lls_aarq))) == a);
}

TEST_CASE("the gateway's AARQ for the reference meter's client 1") {
    Aarq a;
    a.authentication = Authentication::low;
    a.password = {'C', 'l', 'i', 'e', 'n', 't', 'I', 'd', '1'};
    // Conformance: block-transfer-with-get (bit 11), multiple-references (14), get (19),
    // set (20), selective-access (21) = 0x00121C; the default max receive PDU 0xFFFF.
    CHECK(conformance::client_proposal == 0x00121C);
    CHECK(to_text(encode_aarq(a)) ==
          "60 37 A1 09 06 07 60 85 74 05 08 01 01 8A 02 07 80 8B 07 60 85 74 05 08 02 01 "
          "AC 0B 80 09 43 6C 69 65 6E 74 49 64 31 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 12 1C FF FF");
    CHECK(must(decode_aarq(encode_aarq(a))) == a);
}

TEST_CASE("an SN AARQ uses application context 2") {
    Aarq a;
    a.ln_referencing = false;
    const auto bytes = encode_aarq(a);
    CHECK(to_text(bytes).substr(0, 38) == "60 1D A1 09 06 07 60 85 74 05 08 01 02");
    CHECK_FALSE(must(decode_aarq(bytes)).ln_referencing);
}

TEST_CASE("AARQ decoding skips the optional elements other clients send") {
    // protocol-version (80 02 07 80), from a public HDLC trace.
    const auto with_version = must(decode_aarq(
        hex("60 21 80 02 07 80 A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 "
            "00 F2 9F 04 00")));
    CHECK(with_version.initiate.conformance == 0x00F29F);
    CHECK(with_version.initiate.max_receive_pdu == 0x0400);
    // calling-AP-title (A6 02 04 00) before the LLS elements.
    const auto with_title = must(decode_aarq(
        hex("60 3A A1 09 06 07 60 85 74 05 08 01 01 A6 02 04 00 8A 02 07 80 8B 07 60 85 74 05 08 02 01 "
            "AC 0A 80 08 30 30 30 30 30 30 30 33 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 20 7E 1F 01 F4")));
    CHECK(with_title.authentication == Authentication::low);
    CHECK(std::string(with_title.password.begin(), with_title.password.end()) == "00000003");
    CHECK(with_title.initiate.max_receive_pdu == 500);
    // response-allowed and quality-of-service present, dedicated-key present (skipped).
    const auto with_fields = must(decode_aarq(
        hex("60 22 A1 09 06 07 60 85 74 05 08 01 01 BE 15 04 13 01 01 02 AA BB 01 FF 01 05 06 5F 1F 04 00 "
            "00 00 10 01 00")));
    CHECK(with_fields.initiate.conformance == 0x000010);
    CHECK(with_fields.initiate.max_receive_pdu == 256);
    // A calling-authentication-value without the LLS mechanism-name is not kept (found by
    // fuzzing: it would not survive a round trip). Here 8B became an unknown tag 74.
    const auto no_mechanism = must(decode_aarq(
        hex("60 36 A1 09 06 07 60 85 74 05 08 01 01 8A 02 07 89 74 07 60 85 74 05 08 02 01 "
            "AC 0A 80 08 31 32 33 34 35 36 37 38 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 7E 1F 04 B0")));
    CHECK(no_mechanism.authentication == Authentication::none);
    CHECK(no_mechanism.password.empty());
}

TEST_CASE("AARQ decoding refuses what it cannot take") {
    // Every truncation of the examples.
    const auto refuse = [](std::span<const std::uint8_t> s) { return static_cast<bool>(decode_aarq(s)); };
    CHECK(accepted_prefixes(hex(green_book_aarq), refuse) == 0);
    CHECK(accepted_prefixes(hex(green_book_lls_aarq), refuse) == 0);
    // Outer length one short, one long, and a 4-octet length past the end.
    CHECK_FALSE(decode_aarq(hex("60 1C A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 "
                                "7E 1F 04 B0")));
    CHECK_FALSE(decode_aarq(hex("60 1E A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 "
                                "7E 1F 04 B0")));
    CHECK_FALSE(decode_aarq(hex("60 84 FF FF FF FF A1 09")));
    // user-information octet string longer than its element.
    CHECK_FALSE(decode_aarq(hex("60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0F 01 00 00 00 06 5F 1F 04 00 00 "
                                "7E 1F 04 B0")));
    // An extra octet inside the InitiateRequest (lengths adjusted).
    CHECK_FALSE(decode_aarq(hex("60 1F A1 09 06 07 60 85 74 05 08 01 01 BE 12 04 10 01 00 00 00 06 5F 1F 04 00 00 "
                                "7E 1F 04 B0 00 00")));
    // Trailing octets after the APDU.
    auto trailing = hex(green_book_aarq);
    trailing.push_back(0x00);
    CHECK_FALSE(decode_aarq(trailing));
    // Not a DLMS application context.
    CHECK_FALSE(decode_aarq(hex("60 1D A1 09 06 07 60 85 74 05 08 09 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 "
                                "7E 1F 04 B0")));
    // HLS (mechanism 5) is not supported: a clear error, not a wrong association.
    const auto hls = decode_aarq(
        hex("60 2A A1 09 06 07 60 85 74 05 08 01 01 8A 02 07 80 8B 07 60 85 74 05 08 02 05 "
            "BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 7E 1F 04 B0"));
    CHECK_FALSE(hls);
    CHECK_THAT(hls.error, Catch::Contains("mechanism 5"));
    // Ciphered initiate (glo-initiateRequest).
    CHECK_FALSE(decode_aarq(hex("60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 21 00 00 00 06 5F 1F 04 00 00 "
                                "7E 1F 04 B0")));
    // No user-information at all; an AARE tag.
    CHECK_FALSE(decode_aarq(hex("60 0B A1 09 06 07 60 85 74 05 08 01 01")));
    CHECK_FALSE(decode_aarq(hex(green_book_aare)));
}

TEST_CASE("AARE rejection forms") {
    const Aare rejected = must(decode_aare(hex(rejected_aare)));
    CHECK(rejected.result == AssociationResult::rejected_permanent);
    CHECK(rejected.diagnostic == acse_diagnostic::authentication_failure);
    CHECK_FALSE(rejected.diagnostic_from_provider);
    CHECK_FALSE(rejected.initiate);
    REQUIRE(rejected.initiate_error);
    CHECK(*rejected.initiate_error == 1);
    CHECK(to_text(encode_aare(rejected)) == rejected_aare);

    // Provider diagnostic (A2), no user-information: a DLMS test tool's refusal of a bad
    // protocol-version, from a public trace (user-information dropped here).
    const Aare provider = must(decode_aare(
        hex("61 17 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 01 A3 05 A2 03 02 01 02")));
    CHECK(provider.diagnostic_from_provider);
    CHECK(provider.diagnostic == 2);
    CHECK(to_text(encode_aare(provider)) ==
          "61 17 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 01 A3 05 A2 03 02 01 02");

    Aare both;
    both.initiate = InitiateResponse{};
    both.initiate_error = 3;
    CHECK_THROWS_AS(encode_aare(both), std::invalid_argument);
}

TEST_CASE("AARE decoding skips protocol-version and HLS elements") {
    // From a public trace: protocol-version 80 02 02 80 first, conformance 0x001014, PDU 1024.
    const Aare a = must(decode_aare(
        hex("61 2D 80 02 02 80 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 "
            "BE 10 04 0E 08 00 06 5F 1F 04 00 00 10 14 04 00 00 07")));
    REQUIRE(a.initiate);
    CHECK(a.initiate->conformance == 0x001014);
    CHECK(a.initiate->max_receive_pdu == 1024);
    // responder-acse-requirements, mechanism-name and a StoC challenge (HLS) are skipped.
    const Aare hls = must(decode_aare(
        hex("61 42 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 0E "
            "88 02 07 80 89 07 60 85 74 05 08 02 02 AA 0A 80 08 41 42 43 44 45 46 47 48 "
            "BE 10 04 0E 08 00 06 5F 1F 04 00 00 50 1F 01 F4 00 07")));
    CHECK(hls.diagnostic == acse_diagnostic::authentication_required);
    REQUIRE(hls.initiate);
    CHECK(hls.initiate->max_receive_pdu == 500);
}

TEST_CASE("AARE decoding refuses what it cannot take") {
    const auto refuse = [](std::span<const std::uint8_t> s) { return static_cast<bool>(decode_aare(s)); };
    CHECK(accepted_prefixes(hex(green_book_aare), refuse) == 0);
    CHECK(accepted_prefixes(hex(rejected_aare), refuse) == 0);
    // Result 3 does not exist.
    CHECK_FALSE(decode_aare(hex("61 17 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 03 A3 05 A1 03 02 01 00")));
    // No result, no diagnostic.
    CHECK_FALSE(decode_aare(hex("61 12 A1 09 06 07 60 85 74 05 08 01 01 A3 05 A1 03 02 01 00")));
    CHECK_FALSE(decode_aare(hex("61 10 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00")));
    // A diagnostic in neither the user (A1) nor the provider (A2) form.
    CHECK_FALSE(decode_aare(hex("61 17 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A3 03 02 01 00")));
    // InitiateResponse with its VAA name missing (lengths adjusted).
    CHECK_FALSE(decode_aare(hex("61 27 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 BE 0E 04 "
                                "0C 08 00 06 5F 1F 04 00 00 50 1F 01 F4")));
    // A confirmedServiceError that is not an initiate error.
    CHECK_FALSE(decode_aare(hex("61 1F A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 01 A3 05 A1 03 02 01 00 BE 06 04 "
                                "04 0E 01 05 01")));
    // Ciphered response.
    CHECK_FALSE(decode_aare(hex("61 1F A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 BE 06 04 "
                                "04 28 01 02 03")));
    // Multi-octet tag.
    CHECK_FALSE(decode_aare(hex("61 0E A1 09 06 07 60 85 74 05 08 01 01 BF 1F 00")));
}

TEST_CASE("AARQ and AARE round trips") {
    for (const bool ln : {true, false})
        for (const auto auth : {Authentication::none, Authentication::low}) {
            Aarq a;
            a.ln_referencing = ln;
            a.authentication = auth;
            if (auth == Authentication::low) a.password.assign(200, 'x');  // a long password: 2-octet lengths
            a.initiate = InitiateRequest{6, 0xABCDEF, 0x1234};
            CHECK(must(decode_aarq(encode_aarq(a))) == a);
        }
    for (const auto result : {AssociationResult::accepted, AssociationResult::rejected_permanent,
                              AssociationResult::rejected_transient}) {
        Aare a;
        a.result = result;
        a.diagnostic = 14;
        a.diagnostic_from_provider = result == AssociationResult::rejected_transient;
        if (result == AssociationResult::accepted) a.initiate = InitiateResponse{6, 0x001C1F, 512, 7};
        if (result == AssociationResult::rejected_permanent) a.initiate_error = 3;
        CHECK(must(decode_aare(encode_aare(a))) == a);
    }
}

TEST_CASE("RLRQ and RLRE") {
    CHECK(to_text(encode_rlrq()) == "62 03 80 01 00");
    CHECK(to_text(encode_rlre()) == "63 03 80 01 00");
    CHECK(is_rlrq(encode_rlrq()));
    CHECK(is_rlre(encode_rlre()));
    CHECK_FALSE(is_rlrq(encode_rlre()));
    CHECK_FALSE(is_rlre(encode_rlrq()));
    CHECK(is_rlrq(hex("62 00")));                 // no reason: still a release request
    CHECK(is_rlre(hex("63 03 80 01 01")));        // reason urgent
    CHECK_FALSE(is_rlrq(hex("62 03 80 01")));     // truncated
    CHECK_FALSE(is_rlrq(hex("62 03 80 01 00 00")));  // trailing
    CHECK_FALSE(is_rlrq({}));
}
