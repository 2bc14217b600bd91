// One-line descriptions of APDUs for traces and logs, and the names of result codes.
// describe_apdu never fails: what does not decode is shown with the decoder's reason.
#include <cstdio>

#include "apdu_wire.hpp"

namespace gridgate::dlms {

namespace {

constexpr std::size_t max_data_text = 96;  // a profile buffer would flood a trace line

std::string hex8(std::uint8_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02X", v);
    return buf;
}

std::string hex24(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%06X", v);
    return buf;
}

std::string id(std::uint8_t invoke_id_priority) { return " id=" + std::to_string(invoke_id_priority & 0x0F); }

std::string attribute_text(const AttributeDescriptor& d) {
    return std::to_string(d.class_id) + "/" + d.instance.to_string() + "/" + std::to_string(d.attribute);
}

std::string item_text(const GetItem& item) {
    std::string s = attribute_text(item.attribute);
    if (item.access) s += " sel=" + std::to_string(item.access->selector);
    return s;
}

std::string data_text(const Data& d) {
    std::string s = describe(d);
    if (s.size() > max_data_text) s = s.substr(0, max_data_text) + "...";
    return s;
}

std::string result_text(const GetResult& r) { return r.data ? data_text(*r.data) : to_string(r.result); }

const char* association_result_text(AssociationResult r) {
    switch (r) {
        case AssociationResult::accepted: return "accepted";
        case AssociationResult::rejected_permanent: return "rejected-permanent";
        case AssociationResult::rejected_transient: return "rejected-transient";
    }
    return "result?";
}

const char* provider_diagnostic(std::uint8_t d) {
    switch (d) {
        case 0: return "null";
        case 1: return "no reason given";
        case 2: return "no common ACSE version";
        default: return "unknown";
    }
}

std::string undecodable(const char* name, std::span<const std::uint8_t> apdu, const std::string& error) {
    return std::string(name) + " undecodable (" + std::to_string(apdu.size()) + " octets): " + error;
}

std::string describe_aarq(std::span<const std::uint8_t> apdu) {
    const auto p = decode_aarq(apdu);
    if (!p) return undecodable("AARQ", apdu, p.error);
    const Aarq& a = *p.value;
    return std::string("AARQ ") + (a.ln_referencing ? "LN" : "SN") +
           (a.authentication == Authentication::low ? " auth=low" : " auth=none") +
           " pdu=" + std::to_string(a.initiate.max_receive_pdu) + " conf=" + hex24(a.initiate.conformance);
}

std::string describe_aare(std::span<const std::uint8_t> apdu) {
    const auto p = decode_aare(apdu);
    if (!p) return undecodable("AARE", apdu, p.error);
    const Aare& a = *p.value;
    std::string s = std::string("AARE ") + association_result_text(a.result);
    if (a.diagnostic != acse_diagnostic::null || a.result != AssociationResult::accepted)
        s += a.diagnostic_from_provider ? std::string(" provider-diag=") + provider_diagnostic(a.diagnostic)
                                        : std::string(" diag=") + describe_acse_diagnostic(a.diagnostic);
    if (a.initiate)
        s += " pdu=" + std::to_string(a.initiate->max_receive_pdu) + " conf=" + hex24(a.initiate->conformance);
    if (a.initiate_error) s += " initiate-error=" + std::to_string(*a.initiate_error);
    return s;
}

std::string describe_get_request(std::span<const std::uint8_t> apdu) {
    const auto p = decode_get_request(apdu);
    if (!p) return undecodable("GET-Request", apdu, p.error);
    const GetRequest& r = *p.value;
    switch (r.kind) {
        case GetRequest::Kind::normal: return "GET-Request-Normal" + id(r.invoke_id_priority) + " " + item_text(r.item);
        case GetRequest::Kind::next:
            return "GET-Request-Next" + id(r.invoke_id_priority) + " block=" + std::to_string(r.block_number);
        case GetRequest::Kind::with_list: {
            std::string s = "GET-Request-With-List" + id(r.invoke_id_priority) + " n=" + std::to_string(r.list.size());
            if (!r.list.empty()) s += " " + item_text(r.list.front()) + (r.list.size() > 1 ? " ..." : "");
            return s;
        }
    }
    return "GET-Request";
}

std::string describe_get_response(std::span<const std::uint8_t> apdu) {
    const auto p = decode_get_response(apdu);
    if (!p) return undecodable("GET-Response", apdu, p.error);
    const GetResponse& r = *p.value;
    switch (r.kind) {
        case GetResponse::Kind::normal:
            return "GET-Response-Normal" + id(r.invoke_id_priority) + " " + result_text(r.result);
        case GetResponse::Kind::with_datablock: {
            std::string s = "GET-Response-With-Datablock" + id(r.invoke_id_priority) +
                            " block=" + std::to_string(r.block_number) + " last=" + (r.last_block ? "1" : "0");
            return s + (r.block_result ? std::string(" ") + to_string(*r.block_result)
                                       : " raw=" + std::to_string(r.raw_data.size()));
        }
        case GetResponse::Kind::with_list: {
            std::size_t failures = 0;
            for (const auto& item : r.list) failures += item.data ? 0 : 1;
            return "GET-Response-With-List" + id(r.invoke_id_priority) + " n=" + std::to_string(r.list.size()) +
                   " failed=" + std::to_string(failures);
        }
    }
    return "GET-Response";
}

std::string describe_set_request(std::span<const std::uint8_t> apdu) {
    const auto p = decode_set_request(apdu);
    if (!p) return undecodable("SET-Request", apdu, p.error);
    const SetRequest& r = *p.value;
    return "SET-Request-Normal" + id(r.invoke_id_priority) + " " + attribute_text(r.attribute) + " " +
           data_text(r.value);
}

std::string describe_set_response(std::span<const std::uint8_t> apdu) {
    const auto p = decode_set_response(apdu);
    if (!p) return undecodable("SET-Response", apdu, p.error);
    return "SET-Response-Normal" + id(p.value->invoke_id_priority) + " " + to_string(p.value->result);
}

std::string describe_exception(std::span<const std::uint8_t> apdu) {
    const auto p = decode_exception_response(apdu);
    if (!p) return undecodable("EXCEPTION-Response", apdu, p.error);
    return "EXCEPTION-Response state-error=" + std::to_string(p.value->state_error) +
           " service-error=" + std::to_string(p.value->service_error);
}

std::string describe_confirmed_service_error(std::span<const std::uint8_t> apdu) {
    std::string s = "confirmedServiceError";
    for (std::size_t i = 1; i < apdu.size() && i < 8; ++i) s += " " + hex8(apdu[i]);
    return s;
}

}  // namespace

const char* describe_acse_diagnostic(std::uint8_t diagnostic) {
    switch (diagnostic) {
        case acse_diagnostic::null: return "null";
        case acse_diagnostic::no_reason: return "no reason given";
        case acse_diagnostic::application_context_not_supported: return "application context name not supported";
        case 3: return "calling AP title not recognised";
        case 4: return "calling AP invocation identifier not recognised";
        case 5: return "calling AE qualifier not recognised";
        case 6: return "calling AE invocation identifier not recognised";
        case 7: return "called AP title not recognised";
        case 8: return "called AP invocation identifier not recognised";
        case 9: return "called AE qualifier not recognised";
        case 10: return "called AE invocation identifier not recognised";
        case acse_diagnostic::mechanism_not_recognised: return "authentication mechanism name not recognised";
        case acse_diagnostic::mechanism_required: return "authentication mechanism name required";
        case acse_diagnostic::authentication_failure: return "authentication failure (wrong password)";
        case acse_diagnostic::authentication_required: return "authentication required";
        default: return "unknown diagnostic";
    }
}

const char* to_string(AccessResult r) {
    switch (r) {
        case AccessResult::success: return "success";
        case AccessResult::hardware_fault: return "hardware-fault";
        case AccessResult::temporary_failure: return "temporary-failure";
        case AccessResult::read_write_denied: return "read-write-denied";
        case AccessResult::object_undefined: return "object-undefined";
        case AccessResult::object_class_inconsistent: return "object-class-inconsistent";
        case AccessResult::object_unavailable: return "object-unavailable";
        case AccessResult::type_unmatched: return "type-unmatched";
        case AccessResult::scope_of_access_violated: return "scope-of-access-violated";
        case AccessResult::data_block_unavailable: return "data-block-unavailable";
        case AccessResult::long_get_aborted: return "long-get-aborted";
        case AccessResult::no_long_get_in_progress: return "no-long-get-in-progress";
        case AccessResult::data_block_number_invalid: return "data-block-number-invalid";
        case AccessResult::other_reason: return "other-reason";
    }
    return "unknown-access-result";
}

std::string describe_apdu(std::span<const std::uint8_t> apdu) {
    if (apdu.empty()) return "empty APDU";
    switch (static_cast<ApduTag>(apdu[0])) {
        case ApduTag::aarq: return describe_aarq(apdu);
        case ApduTag::aare: return describe_aare(apdu);
        case ApduTag::rlrq: return is_rlrq(apdu) ? "RLRQ" : undecodable("RLRQ", apdu, "bad length");
        case ApduTag::rlre: return is_rlre(apdu) ? "RLRE" : undecodable("RLRE", apdu, "bad length");
        case ApduTag::get_request: return describe_get_request(apdu);
        case ApduTag::set_request: return describe_set_request(apdu);
        case ApduTag::get_response: return describe_get_response(apdu);
        case ApduTag::set_response: return describe_set_response(apdu);
        case ApduTag::exception_response: return describe_exception(apdu);
        case ApduTag::confirmed_service_error: return describe_confirmed_service_error(apdu);
    }
    return "unknown APDU tag " + hex8(apdu[0]) + " (" + std::to_string(apdu.size()) + " octets)";
}

}  // namespace gridgate::dlms
