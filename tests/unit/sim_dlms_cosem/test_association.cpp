// Associations of the simulated JEMStar II: clients 16 / 1 / 2, passwords, contexts,
// negotiation, release, and what happens outside an association.
#include "dlms_server_harness.hpp"

using namespace gridgate;
using namespace gridgate::sim;
using namespace gridgate::sim::test;
namespace diag = dlms::acse_diagnostic;

namespace {

// Green Book examples: AARQ, LN referencing without ciphering, no security, conformance
// 00 7E 1F, client max receive PDU 0x04B0; and the same with low level security,
// password "12345678".
const char* green_book_aarq_none =
    "60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 7E 1F 04 B0";
const char* green_book_aarq_lls =
    "60 36 A1 09 06 07 60 85 74 05 08 01 01 8A 02 07 80 8B 07 60 85 74 05 08 02 01 AC 0A 80 08 "
    "31 32 33 34 35 36 37 38 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 7E 1F 04 B0";

dlms::Aare aare_of(const std::vector<std::uint8_t>& apdu) {
    const auto aare = dlms::decode_aare(apdu);
    REQUIRE(aare);
    return *aare.value;
}

}  // namespace

TEST_CASE("sim dlms: the Green Book AARQ of a public client is accepted with the meter's subset", "[sim_dlms][acse]") {
    Harness h;
    h.client = 16;
    const dlms::Aare aare = aare_of(h.send(hex(green_book_aarq_none)));
    CHECK(aare.result == dlms::AssociationResult::accepted);
    CHECK(aare.diagnostic == diag::null);
    REQUIRE(aare.initiate);
    // 00 7E 1F asks for more (action, event notification, ...); the meter grants get,
    // set, selective access, block transfer with get and multiple references only.
    CHECK(aare.initiate->conformance ==
          (dlms::conformance::get | dlms::conformance::set | dlms::conformance::selective_access |
           dlms::conformance::block_transfer_with_get | dlms::conformance::multiple_references));
    CHECK(aare.initiate->conformance == 0x00121C);
    CHECK(aare.initiate->max_receive_pdu == 512);
    CHECK(aare.initiate->dlms_version == 6);
    CHECK(h.association.associated);
    CHECK(h.association.client_sap == 16);
    CHECK(h.association.client_max_pdu == 0x04B0);
    CHECK(h.server.stats().associations == 1);
    REQUIRE(h.events.size() == 1);
    CHECK(h.events[0].first == "dlms_associated");
    CHECK(h.events[0].second == R"({"meter":"dlms1","client":16})");
}

TEST_CASE("sim dlms: the Green Book LLS AARQ is checked against the client's password", "[sim_dlms][acse]") {
    DlmsServerOptions options;
    options.password1 = "12345678";
    Harness h(options);
    h.client = 1;
    CHECK(aare_of(h.send(hex(green_book_aarq_lls))).result == dlms::AssociationResult::accepted);
    // The same password is client 1's, not client 2's.
    Harness h2(options);
    h2.client = 2;
    const dlms::Aare rejected = aare_of(h2.send(hex(green_book_aarq_lls)));
    CHECK(rejected.result == dlms::AssociationResult::rejected_permanent);
    CHECK(rejected.diagnostic == diag::authentication_failure);
    CHECK_FALSE(h2.association.associated);
    // The public client takes no password at all.
    Harness h16(options);
    h16.client = 16;
    CHECK(aare_of(h16.send(hex(green_book_aarq_lls))).diagnostic == diag::mechanism_not_recognised);
}

TEST_CASE("sim dlms: association matrix of clients, passwords and contexts", "[sim_dlms][acse]") {
    struct Case {
        std::uint16_t client;
        std::string password;
        bool accepted;
        std::uint8_t diagnostic;
    };
    const std::vector<Case> cases{
        {16, "", true, diag::null},
        {16, "ClientId1", false, diag::mechanism_not_recognised},
        {1, "ClientId1", true, diag::null},
        {1, "ClientId2", false, diag::authentication_failure},
        {1, "clientid1", false, diag::authentication_failure},
        {1, "", false, diag::authentication_required},
        {2, "ClientId2", true, diag::null},
        {2, "ClientId1", false, diag::authentication_failure},
        {2, "", false, diag::authentication_required},
        {3, "", false, diag::no_reason},
        {17, "ClientId1", false, diag::no_reason},
    };
    for (const Case& c : cases) {
        INFO("client " << c.client << " password '" << c.password << "'");
        Harness h;
        const dlms::Aare aare = h.associate(c.client, c.password);
        CHECK((aare.result == dlms::AssociationResult::accepted) == c.accepted);
        if (!c.accepted) CHECK(aare.result == dlms::AssociationResult::rejected_permanent);
        CHECK(aare.diagnostic == c.diagnostic);
        CHECK(h.association.associated == c.accepted);
        CHECK(h.server.stats().associations == (c.accepted ? 1u : 0u));
        CHECK(h.server.stats().rejected_associations == (c.accepted ? 0u : 1u));
        REQUIRE(h.events.size() == 1);
        CHECK(h.events[0].first == (c.accepted ? "dlms_associated" : "dlms_rejected"));
    }
}

TEST_CASE("sim dlms: a rejection is announced with its diagnostic", "[sim_dlms][acse]") {
    Harness h;
    h.associate(1, "wrong");
    REQUIRE(h.events.size() == 1);
    CHECK(h.events[0].first == "dlms_rejected");
    CHECK(h.events[0].second == R"({"meter":"dlms1","client":1,"diagnostic":13})");
}

TEST_CASE("sim dlms: the public client can be disabled", "[sim_dlms][acse]") {
    DlmsServerOptions options;
    options.public_client = false;
    Harness h(options);
    const dlms::Aare aare = h.associate(16);
    CHECK(aare.result == dlms::AssociationResult::rejected_permanent);
    CHECK(aare.diagnostic == diag::no_reason);
}

TEST_CASE("sim dlms: SN referencing or ciphering is not supported", "[sim_dlms][acse]") {
    Harness h;
    h.client = 16;
    dlms::Aarq aarq;
    aarq.ln_referencing = false;
    const dlms::Aare aare = aare_of(h.send(dlms::encode_aarq(aarq)));
    CHECK(aare.result == dlms::AssociationResult::rejected_permanent);
    CHECK(aare.diagnostic == diag::application_context_not_supported);
    CHECK_FALSE(h.association.associated);
    CHECK(h.server.stats().rejected_associations == 1);
}

TEST_CASE("sim dlms: the xDLMS initiate is checked", "[sim_dlms][acse]") {
    SECTION("DLMS version 5 is too low") {
        Harness h;
        dlms::InitiateRequest init;
        init.dlms_version = 5;
        const dlms::Aare aare = h.associate(16, "", init);
        CHECK(aare.result == dlms::AssociationResult::rejected_permanent);
        REQUIRE(aare.initiate_error);
        CHECK(*aare.initiate_error == 1);
        CHECK_FALSE(h.association.associated);
    }
    SECTION("a client PDU under 12 octets is reserved") {
        Harness h;
        dlms::InitiateRequest init;
        init.max_receive_pdu = 11;
        const dlms::Aare aare = h.associate(16, "", init);
        REQUIRE(aare.initiate_error);
        CHECK(*aare.initiate_error == 3);
    }
    SECTION("nothing in common") {
        Harness h;
        dlms::InitiateRequest init;
        init.conformance = dlms::conformance::action;
        const dlms::Aare aare = h.associate(16, "", init);
        REQUIRE(aare.initiate_error);
        CHECK(*aare.initiate_error == 2);
    }
    SECTION("the granted conformance never exceeds the request") {
        Harness h;
        dlms::InitiateRequest init;
        init.conformance = dlms::conformance::get | dlms::conformance::action;
        const dlms::Aare aare = h.associate(16, "", init);
        REQUIRE(aare.initiate);
        CHECK(aare.initiate->conformance == dlms::conformance::get);
    }
}

TEST_CASE("sim dlms: nothing but an AARQ is served outside an association", "[sim_dlms][acse]") {
    Harness h;
    h.client = 16;
    // Green Book: GET-Request-Normal of the clock's time.
    const auto reply = h.send(hex("C0 01 C1 00 08 00 00 01 00 00 FF 02 00"));
    const auto exc = dlms::decode_exception_response(reply);
    REQUIRE(exc);
    CHECK(exc.value->state_error == 1);  // service not allowed
    CHECK(h.server.stats().requests == 1);

    // Associated as 16, a request arriving from another SAP is not served either.
    h.associate_ok(16);
    h.client = 1;
    CHECK(dlms::decode_exception_response(h.send(hex("C0 01 C1 00 08 00 00 01 00 00 FF 02 00"))));
}

TEST_CASE("sim dlms: RLRQ releases the association", "[sim_dlms][acse]") {
    Harness h;
    h.associate_ok(1, "ClientId1");
    const auto rlre = h.send(dlms::encode_rlrq());
    CHECK(rlre == hex("63 03 80 01 00"));
    CHECK(dlms::is_rlre(rlre));
    CHECK_FALSE(h.association.associated);
    CHECK(dlms::decode_exception_response(h.send(hex("C0 01 C1 00 08 00 00 01 00 00 FF 02 00"))));
    // end_association (a dropped connection) does the same.
    h.associate_ok(1, "ClientId1");
    h.server.end_association(h.association);
    CHECK_FALSE(h.association.associated);
}

TEST_CASE("sim dlms: services the meter does not have, and garbage", "[sim_dlms][acse]") {
    Harness h;
    h.associate_ok(1, "ClientId1");
    // ACTION-Request-Normal (clock, method 1): no methods on this meter.
    const auto exc = dlms::decode_exception_response(h.send(hex("C3 01 C1 00 08 00 00 01 00 00 FF 01 00")));
    REQUIRE(exc);
    CHECK(exc.value->state_error == 2);
    // A truncated GET.
    CHECK(dlms::decode_exception_response(h.send(hex("C0 01 C1 00 08 00 00"))));
    CHECK(h.send({}).empty());
    CHECK(h.server.stats().bad_apdus == 3);
    // A garbled AARQ is answered with a rejection, and the association it replaced ends.
    const dlms::Aare aare = aare_of(h.send(hex("60 05 A1 03 06 01")));
    CHECK(aare.result == dlms::AssociationResult::rejected_permanent);
    CHECK_FALSE(h.association.associated);
}

TEST_CASE("sim dlms: services need the conformance they belong to", "[sim_dlms][acse]") {
    Harness h;
    dlms::InitiateRequest init;
    init.conformance = dlms::conformance::get;  // no set, no with-list
    REQUIRE(h.associate(1, "ClientId1", init).result == dlms::AssociationResult::accepted);
    dlms::SetRequest set;
    set.attribute = {8, dlms::obis::clock, 2};
    set.value = dlms::Data::octet_string(std::vector<std::uint8_t>(12, 0xFF));
    CHECK(dlms::decode_exception_response(h.send(dlms::encode_set_request(set))));
    dlms::GetRequest list;
    list.kind = dlms::GetRequest::Kind::with_list;
    list.list = {{{8, dlms::obis::clock, 2}, std::nullopt}};
    CHECK(dlms::decode_exception_response(h.send(dlms::encode_get_request(list))));
}
