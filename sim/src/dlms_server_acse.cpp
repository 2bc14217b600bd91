// Associations (ACSE): who may associate, with which authentication, and what is
// negotiated (meter-dlms.md §4, §5).
#include <algorithm>

#include "dlms_server_impl.hpp"
#include "json_text.hpp"

namespace gridgate::sim {

namespace {

using dlms::AssociationResult;
namespace diag = dlms::acse_diagnostic;

// What the meter supports (meter-dlms.md §5): get, set (the clock only), selective access,
// block transfer with GET, and GET with list.
constexpr std::uint32_t supported_conformance = dlms::conformance::get | dlms::conformance::set |
                                                dlms::conformance::selective_access |
                                                dlms::conformance::block_transfer_with_get |
                                                dlms::conformance::multiple_references;

// xDLMS initiate errors (confirmedServiceError, initiate).
constexpr std::uint8_t dlms_version_too_low = 1;
constexpr std::uint8_t incompatible_conformance = 2;
constexpr std::uint8_t pdu_size_too_short = 3;
// The smallest client max-receive-pdu-size the standard allows (smaller values are
// reserved).
constexpr std::uint16_t min_client_pdu = 12;

bool same_password(const std::vector<std::uint8_t>& given, const std::string& secret) {
    return given.size() == secret.size() && std::equal(given.begin(), given.end(), secret.begin());
}

}  // namespace

std::vector<std::uint8_t> DlmsServer::Impl::on_aarq(Request& r, std::span<const std::uint8_t> apdu) {
    // A new AARQ replaces whatever association the connection had.
    r.association = DlmsAssociation{};
    const auto aarq = dlms::decode_aarq(apdu);

    dlms::Aare aare;
    aare.result = AssociationResult::rejected_permanent;
    aare.diagnostic = diag::no_reason;
    if (!aarq) {
        ++stats.bad_apdus;
    } else if (!aarq.value->ln_referencing) {
        aare.ln_referencing = false;
        aare.diagnostic = diag::application_context_not_supported;
    } else {
        const dlms::Aarq& q = *aarq.value;
        const bool secure = r.client == dlms_server::management_client || r.client == dlms_server::reading_client;
        const std::string& secret =
            r.client == dlms_server::management_client ? options.password1 : options.password2;
        if (r.client == dlms_server::public_client && options.public_client) {
            // Public access has no password: only "no authentication" is accepted.
            aare.diagnostic = q.authentication == dlms::Authentication::none ? diag::null
                                                                             : diag::mechanism_not_recognised;
        } else if (secure) {
            if (q.authentication != dlms::Authentication::low || q.password.empty())
                aare.diagnostic = diag::authentication_required;
            else if (!same_password(q.password, secret))
                aare.diagnostic = diag::authentication_failure;
            else
                aare.diagnostic = diag::null;
        }
        if (aare.diagnostic == diag::null) {
            const std::uint32_t granted = q.initiate.conformance & supported_conformance;
            if (q.initiate.dlms_version < 6)
                aare.initiate_error = dlms_version_too_low;
            else if (q.initiate.max_receive_pdu != 0 && q.initiate.max_receive_pdu < min_client_pdu)
                aare.initiate_error = pdu_size_too_short;
            else if (granted == 0)
                aare.initiate_error = incompatible_conformance;
            if (aare.initiate_error) {
                aare.diagnostic = diag::no_reason;
            } else {
                aare.result = AssociationResult::accepted;
                dlms::InitiateResponse ir;
                ir.conformance = granted;
                ir.max_receive_pdu = options.max_pdu;
                aare.initiate = ir;
                r.association.associated = true;
                r.association.client_sap = r.client;
                // 0 means "no limit" in the initiate request.
                r.association.client_max_pdu = q.initiate.max_receive_pdu == 0 ? 0xFFFF : q.initiate.max_receive_pdu;
                r.association.conformance = granted;
            }
        }
    }

    std::string detail = meter_json_prefix();
    detail += ",\"client\":";
    json::append_number(detail, r.client);
    if (r.association.associated) {
        ++stats.associations;
        detail += '}';
        emit("dlms_associated", detail);
    } else {
        ++stats.rejected_associations;
        detail += ",\"diagnostic\":";
        json::append_number(detail, aare.diagnostic);
        if (aare.initiate_error) {
            detail += ",\"initiate_error\":";
            json::append_number(detail, *aare.initiate_error);
        }
        detail += '}';
        emit("dlms_rejected", detail);
    }
    return dlms::encode_aare(aare);
}

std::vector<std::uint8_t> DlmsServer::Impl::on_rlrq(Request& r) {
    r.association = DlmsAssociation{};
    return dlms::encode_rlre();
}

}  // namespace gridgate::sim
