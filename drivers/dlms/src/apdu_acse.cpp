// The association APDUs (IEC 62056-5-3 §9.3, ACSE per ISO/IEC 8650 in BER): AARQ and AARE
// (the xDLMS InitiateRequest / InitiateResponse they carry in user-information are in
// apdu_initiate.cpp), and RLRQ / RLRE. Only what the gateway and the simulator use is encoded (LN or SN
// context, no security or LLS); the decoders skip every optional element they do not
// need, since meters add called/calling titles, protocol-version and the like freely.
#include <algorithm>
#include <optional>
#include <stdexcept>

#include "apdu_wire.hpp"

namespace gridgate::dlms {

namespace {

using wire::fail;
using wire::ok;
using wire::Reader;

// ACSE tags (context-specific; 0xA_ constructed, 0x8_ primitive).
constexpr std::uint8_t tag_application_context = 0xA1;
constexpr std::uint8_t tag_result = 0xA2;             // AARE
constexpr std::uint8_t tag_result_diagnostic = 0xA3;  // AARE
constexpr std::uint8_t tag_acse_requirements = 0x8A;  // AARQ sender-acse-requirements
constexpr std::uint8_t tag_mechanism_name = 0x8B;     // AARQ
constexpr std::uint8_t tag_calling_auth_value = 0xAC; // AARQ
constexpr std::uint8_t tag_user_information = 0xBE;
constexpr std::uint8_t diag_user = 0xA1;
constexpr std::uint8_t diag_provider = 0xA2;

// Object identifiers, BER contents: joint-iso-ccitt(2) country(16) country-name(756)
// identified-organization(5) DLMS-UA(8) then application-context (1) or mechanism (2).
constexpr std::uint8_t dlms_ua_prefix[] = {0x60, 0x85, 0x74, 0x05, 0x08};
constexpr std::uint8_t context_ln = 1;
constexpr std::uint8_t context_sn = 2;
constexpr std::uint8_t mechanism_lls = 1;

void put_tlv(std::vector<std::uint8_t>& out, std::uint8_t tag, std::span<const std::uint8_t> content) {
    out.push_back(tag);
    encode_length(content.size(), out);
    wire::put_bytes(out, content);
}

void put_oid(std::vector<std::uint8_t>& out, std::uint8_t tag, std::uint8_t kind, std::uint8_t id) {
    std::vector<std::uint8_t> oid(std::begin(dlms_ua_prefix), std::end(dlms_ua_prefix));
    oid.push_back(kind);
    oid.push_back(id);
    std::vector<std::uint8_t> inner;
    put_tlv(inner, 0x06, oid);  // OBJECT IDENTIFIER
    if (tag == tag_application_context) {
        put_tlv(out, tag, inner);
    } else {
        put_tlv(out, tag, oid);  // mechanism-name is IMPLICIT: the OID contents directly
    }
}

// user-information: an OCTET STRING (04) around the xDLMS APDU.
void put_user_information(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> xdlms) {
    std::vector<std::uint8_t> octets;
    put_tlv(octets, 0x04, xdlms);
    put_tlv(out, tag_user_information, octets);
}

std::vector<std::uint8_t> wrap(std::uint8_t tag, const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> out;
    put_tlv(out, tag, body);
    return out;
}

// One BER element: its tag and contents. Only single-octet tags occur in ACSE.
struct Element {
    std::uint8_t tag = 0;
    std::span<const std::uint8_t> content;
    std::size_t offset = 0;      // of the tag in the reader's span, for errors
    std::size_t content_at = 0;  // of the contents in the reader's span
};

bool failed(std::string& error, std::string what) {
    error = std::move(what);
    return false;
}

bool next_element(Reader& r, Element& e, std::string& error) {
    e.offset = r.offset();
    std::size_t len = 0;
    if (!r.u8(e.tag)) return failed(error, "truncated tag");
    if ((e.tag & 0x1F) == 0x1F) return failed(error, "multi-octet tag not supported");
    if (!r.length(len)) return failed(error, "truncated or oversized length");
    e.content_at = r.offset();
    if (!r.bytes(len, e.content)) return failed(error, "length " + std::to_string(len) + " past the end");
    return true;
}

// The outer APDU: its tag, and a length that covers exactly the rest of the octets.
bool open_apdu(std::span<const std::uint8_t> apdu, std::uint8_t tag, Element& outer, std::string& error,
               std::size_t& error_at) {
    Reader r(apdu);
    if (!next_element(r, outer, error)) {
        error_at = r.offset();
        return false;
    }
    error_at = 0;
    if (outer.tag != tag) return failed(error, "not the expected APDU tag");
    if (!r.at_end()) {
        error_at = r.offset();
        return failed(error, "trailing octets after the APDU");
    }
    return true;
}

// The OID contents of a DLMS-UA name: the last arc when the prefix and kind match.
std::optional<std::uint8_t> dlms_ua_arc(std::span<const std::uint8_t> oid, std::uint8_t kind) {
    if (oid.size() != 7 || !std::equal(std::begin(dlms_ua_prefix), std::end(dlms_ua_prefix), oid.begin()) ||
        oid[5] != kind)
        return std::nullopt;
    return oid[6];
}

// application-context-name: A1 L 06 07 <oid>. LN (1, 3 ciphered) or SN (2, 4 ciphered).
bool parse_context(std::span<const std::uint8_t> content, bool& ln) {
    if (content.size() != 9 || content[0] != 0x06 || content[1] != 0x07) return false;
    const auto arc = dlms_ua_arc(content.subspan(2), 1);
    if (!arc || *arc < 1 || *arc > 4) return false;
    ln = *arc == 1 || *arc == 3;
    return true;
}

// An A-XDR Integer/Unsigned in the [n] IMPLICIT form of the BER wrappers: 02 01 v.
std::optional<std::uint8_t> small_integer(std::span<const std::uint8_t> content) {
    if (content.size() != 3 || content[0] != 0x02 || content[1] != 0x01) return std::nullopt;
    return content[2];
}

// user-information contents: 04 L <xDLMS APDU>; the xDLMS part and its offset in the
// body that holds `e`.
bool open_user_information(const Element& e, std::span<const std::uint8_t>& xdlms, std::size_t& at) {
    Reader r(e.content);
    Element octets;
    std::string ignored;
    if (!next_element(r, octets, ignored) || octets.tag != 0x04 || !r.at_end()) return false;
    xdlms = octets.content;
    at = e.content_at + octets.content_at;
    return true;
}

}  // namespace

std::vector<std::uint8_t> encode_aarq(const Aarq& aarq) {
    if (aarq.authentication != Authentication::none && aarq.authentication != Authentication::low)
        throw std::invalid_argument("AARQ: authentication mechanism not supported");
    std::vector<std::uint8_t> body;
    put_oid(body, tag_application_context, 1, aarq.ln_referencing ? context_ln : context_sn);
    if (aarq.authentication == Authentication::low) {
        const std::uint8_t requirements[] = {0x07, 0x80};  // BIT STRING, bit 0 = authentication
        put_tlv(body, tag_acse_requirements, requirements);
        put_oid(body, tag_mechanism_name, 2, mechanism_lls);
        std::vector<std::uint8_t> value;
        put_tlv(value, 0x80, aarq.password);  // charstring [0]
        put_tlv(body, tag_calling_auth_value, value);
    }
    put_user_information(body, wire::encode_initiate_request(aarq.initiate));
    return wrap(static_cast<std::uint8_t>(ApduTag::aarq), body);
}

Parsed<Aarq> decode_aarq(std::span<const std::uint8_t> apdu) {
    Element outer;
    std::string error;
    std::size_t at = 0;
    if (!open_apdu(apdu, static_cast<std::uint8_t>(ApduTag::aarq), outer, error, at)) return fail<Aarq>(error, at);
    const std::size_t base = outer.content_at;
    Aarq aarq;
    bool have_context = false;
    bool have_initiate = false;
    Reader r(outer.content);
    while (!r.at_end()) {
        Element e;
        if (!next_element(r, e, error)) return fail<Aarq>(error, base + r.offset());
        const std::size_t where = base + e.offset;
        switch (e.tag) {
            case tag_application_context:
                if (!parse_context(e.content, aarq.ln_referencing))
                    return fail<Aarq>("application context not a DLMS one", where);
                have_context = true;
                break;
            case tag_mechanism_name: {
                const auto arc = dlms_ua_arc(e.content, 2);
                if (!arc) return fail<Aarq>("mechanism-name not a DLMS one", where);
                if (*arc > mechanism_lls)
                    return fail<Aarq>("authentication mechanism " + std::to_string(*arc) + " not supported", where);
                aarq.authentication = *arc == mechanism_lls ? Authentication::low : Authentication::none;
                break;
            }
            case tag_calling_auth_value: {
                Reader v(e.content);
                Element pw;
                if (!next_element(v, pw, error) || pw.tag != 0x80 || !v.at_end())
                    return fail<Aarq>("calling-authentication-value is not a charstring", where);
                aarq.password.assign(pw.content.begin(), pw.content.end());
                break;
            }
            case tag_user_information: {
                std::span<const std::uint8_t> xdlms;
                std::size_t xat = 0;
                if (!open_user_information(e, xdlms, xat))
                    return fail<Aarq>("user-information is not an octet string", where);
                auto ir = wire::parse_initiate_request(xdlms, base + xat);
                if (!ir) return fail<Aarq>(ir.error, where);
                aarq.initiate = *ir.value;
                have_initiate = true;
                break;
            }
            default: break;  // protocol-version, titles, acse-requirements, implementation-information
        }
    }
    if (!have_context) return fail<Aarq>("no application-context-name", 0);
    if (!have_initiate) return fail<Aarq>("no user-information", 0);
    // Without the LLS mechanism-name a password means nothing (and encode_aarq leaves it
    // out), so it is not kept.
    if (aarq.authentication != Authentication::low) aarq.password.clear();
    return ok(aarq);
}

std::vector<std::uint8_t> encode_aare(const Aare& aare) {
    if (aare.initiate && aare.initiate_error)
        throw std::invalid_argument("AARE: both an InitiateResponse and an initiate error");
    std::vector<std::uint8_t> body;
    put_oid(body, tag_application_context, 1, aare.ln_referencing ? context_ln : context_sn);
    const std::uint8_t result[] = {0x02, 0x01, static_cast<std::uint8_t>(aare.result)};
    put_tlv(body, tag_result, result);
    const std::uint8_t inner[] = {0x02, 0x01, aare.diagnostic};
    std::vector<std::uint8_t> diag;
    put_tlv(diag, aare.diagnostic_from_provider ? diag_provider : diag_user, inner);
    put_tlv(body, tag_result_diagnostic, diag);
    if (aare.initiate) {
        put_user_information(body, wire::encode_initiate_response(*aare.initiate));
    } else if (aare.initiate_error) {
        put_user_information(body, wire::encode_initiate_error(*aare.initiate_error));
    }
    return wrap(static_cast<std::uint8_t>(ApduTag::aare), body);
}

Parsed<Aare> decode_aare(std::span<const std::uint8_t> apdu) {
    Element outer;
    std::string error;
    std::size_t at = 0;
    if (!open_apdu(apdu, static_cast<std::uint8_t>(ApduTag::aare), outer, error, at)) return fail<Aare>(error, at);
    const std::size_t base = outer.content_at;
    Aare aare;
    bool have_context = false;
    bool have_result = false;
    bool have_diagnostic = false;
    Reader r(outer.content);
    while (!r.at_end()) {
        Element e;
        if (!next_element(r, e, error)) return fail<Aare>(error, base + r.offset());
        const std::size_t where = base + e.offset;
        switch (e.tag) {
            case tag_application_context:
                if (!parse_context(e.content, aare.ln_referencing))
                    return fail<Aare>("application context not a DLMS one", where);
                have_context = true;
                break;
            case tag_result: {
                const auto v = small_integer(e.content);
                if (!v || *v > 2) return fail<Aare>("bad association result", where);
                aare.result = static_cast<AssociationResult>(*v);
                have_result = true;
                break;
            }
            case tag_result_diagnostic: {
                Reader d(e.content);
                Element choice;
                if (!next_element(d, choice, error) || !d.at_end() ||
                    (choice.tag != diag_user && choice.tag != diag_provider))
                    return fail<Aare>("bad result-source-diagnostic", where);
                const auto v = small_integer(choice.content);
                if (!v) return fail<Aare>("bad result-source-diagnostic", where);
                aare.diagnostic_from_provider = choice.tag == diag_provider;
                aare.diagnostic = *v;
                have_diagnostic = true;
                break;
            }
            case tag_user_information: {
                std::span<const std::uint8_t> xdlms;
                std::size_t xat = 0;
                if (!open_user_information(e, xdlms, xat))
                    return fail<Aare>("user-information is not an octet string", where);
                auto ui = wire::parse_aare_user_information(xdlms, base + xat);
                if (!ui) return fail<Aare>(ui.error, where);
                aare.initiate = ui.value->initiate;
                aare.initiate_error = ui.value->initiate_error;
                break;
            }
            default: break;  // protocol-version, responding titles, HLS challenge (88, 89, AA), ...
        }
    }
    if (!have_context) return fail<Aare>("no application-context-name", 0);
    if (!have_result) return fail<Aare>("no association result", 0);
    if (!have_diagnostic) return fail<Aare>("no result-source-diagnostic", 0);
    return ok(aare);
}

std::vector<std::uint8_t> encode_rlrq() { return {0x62, 0x03, 0x80, 0x01, 0x00}; }
std::vector<std::uint8_t> encode_rlre() { return {0x63, 0x03, 0x80, 0x01, 0x00}; }

// Any well-formed RLRQ / RLRE is accepted: its reason and optional user-information (only
// used with ciphering) do not change what the receiver does.
namespace {
bool is_release(std::span<const std::uint8_t> apdu, ApduTag tag) {
    Element outer;
    std::string error;
    std::size_t at = 0;
    return open_apdu(apdu, static_cast<std::uint8_t>(tag), outer, error, at);
}
}  // namespace

bool is_rlrq(std::span<const std::uint8_t> apdu) { return is_release(apdu, ApduTag::rlrq); }
bool is_rlre(std::span<const std::uint8_t> apdu) { return is_release(apdu, ApduTag::rlre); }

}  // namespace gridgate::dlms
