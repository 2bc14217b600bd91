// The xDLMS initiate exchange (IEC 62056-5-3 §9.5, A-XDR) that the AARQ and AARE carry in
// their user-information: InitiateRequest, InitiateResponse, and the confirmedServiceError
// a server answers when it refuses the initiate (version, conformance or PDU size).
#include "apdu_wire.hpp"

namespace gridgate::dlms::wire {

namespace {

// xDLMS APDU tags inside user-information.
constexpr std::uint8_t initiate_request = 0x01;
constexpr std::uint8_t initiate_response = 0x08;
constexpr std::uint8_t glo_initiate_request = 0x21;
constexpr std::uint8_t glo_initiate_response = 0x28;
constexpr std::uint8_t confirmed_service_error = 0x0E;
constexpr std::uint8_t service_error_initiate = 0x06;
constexpr std::uint8_t conformance_tag1 = 0x5F;  // [APPLICATION 31] takes two tag octets
constexpr std::uint8_t conformance_tag2 = 0x1F;

void put_conformance(std::vector<std::uint8_t>& out, std::uint32_t conformance) {
    out.push_back(conformance_tag1);
    out.push_back(conformance_tag2);
    out.push_back(0x04);  // length: unused-bits octet + 3
    out.push_back(0x00);  // no unused bits
    out.push_back(static_cast<std::uint8_t>(conformance >> 16));
    out.push_back(static_cast<std::uint8_t>(conformance >> 8));
    out.push_back(static_cast<std::uint8_t>(conformance));
}

bool skip_optional_octet_string(Reader& r) {
    std::uint8_t present = 0;
    if (!r.u8(present)) return false;
    if (present == 0) return true;
    std::size_t len = 0;
    std::span<const std::uint8_t> skipped;
    return r.length(len) && r.bytes(len, skipped);
}

}  // namespace

std::vector<std::uint8_t> encode_initiate_request(const InitiateRequest& ir) {
    // No dedicated-key, response-allowed left at its default (TRUE), no quality-of-service.
    std::vector<std::uint8_t> out = {initiate_request, 0x00, 0x00, 0x00, ir.dlms_version};
    put_conformance(out, ir.conformance);
    put_u16(out, ir.max_receive_pdu);
    return out;
}

std::vector<std::uint8_t> encode_initiate_response(const InitiateResponse& ir) {
    std::vector<std::uint8_t> out = {initiate_response, 0x00, ir.dlms_version};  // no quality-of-service
    put_conformance(out, ir.conformance);
    put_u16(out, ir.max_receive_pdu);
    put_u16(out, ir.vaa_name);
    return out;
}

std::vector<std::uint8_t> encode_initiate_error(std::uint8_t error) {
    // ConfirmedServiceError initiateError [1], ServiceError initiate [6], the ENUMERATED value.
    return {confirmed_service_error, 0x01, service_error_initiate, error};
}

// The xDLMS InitiateRequest inside the AARQ's user-information octet string.
Parsed<InitiateRequest> parse_initiate_request(std::span<const std::uint8_t> xdlms, std::size_t base) {
    Reader r(xdlms);
    std::uint8_t tag = 0;
    if (!r.u8(tag)) return fail<InitiateRequest>("empty user-information", base);
    if (tag == glo_initiate_request) return fail<InitiateRequest>("ciphered initiate request not supported", base);
    if (tag != initiate_request) return fail<InitiateRequest>("user-information is not an InitiateRequest", base);
    InitiateRequest ir;
    std::uint8_t flag = 0;
    std::uint8_t skipped = 0;
    // dedicated-key (only with ciphering; skipped), response-allowed (default TRUE),
    // proposed-quality-of-service: each an optional field with a presence octet.
    if (!skip_optional_octet_string(r)) return fail<InitiateRequest>("truncated dedicated-key", base + r.offset());
    if (!r.u8(flag) || (flag != 0 && !r.u8(skipped)))
        return fail<InitiateRequest>("truncated response-allowed", base + r.offset());
    if (!r.u8(flag) || (flag != 0 && !r.u8(skipped)))
        return fail<InitiateRequest>("truncated quality-of-service", base + r.offset());
    std::uint8_t c1 = 0, c2 = 0, clen = 0, unused = 0;
    if (!r.u8(ir.dlms_version) || !r.u8(c1) || !r.u8(c2) || !r.u8(clen) || !r.u8(unused))
        return fail<InitiateRequest>("truncated InitiateRequest", base + r.offset());
    if (c1 != conformance_tag1 || c2 != conformance_tag2 || clen != 4)
        return fail<InitiateRequest>("bad conformance block", base + r.offset());
    if (!r.u24(ir.conformance) || !r.u16(ir.max_receive_pdu))
        return fail<InitiateRequest>("truncated InitiateRequest", base + r.offset());
    if (!r.at_end()) return fail<InitiateRequest>("trailing octets in InitiateRequest", base + r.offset());
    return ok(ir);
}

Parsed<AareUserInformation> parse_aare_user_information(std::span<const std::uint8_t> xdlms, std::size_t base) {
    using P = AareUserInformation;
    Reader r(xdlms);
    std::uint8_t tag = 0;
    if (!r.u8(tag)) return fail<P>("empty user-information", base);
    AareUserInformation ui;
    if (tag == confirmed_service_error) {
        // ConfirmedServiceError: initiateError [1], then ServiceError initiate [6] ENUMERATED.
        std::uint8_t choice = 0, service = 0, value = 0;
        if (!r.u8(choice) || !r.u8(service) || !r.u8(value))
            return fail<P>("truncated confirmedServiceError", base + r.offset());
        if (service != service_error_initiate) return fail<P>("confirmedServiceError is not an initiate error", base);
        if (!r.at_end()) return fail<P>("trailing octets in confirmedServiceError", base + r.offset());
        ui.initiate_error = value;
        return ok(ui);
    }
    if (tag == glo_initiate_response) return fail<P>("ciphered initiate response not supported", base);
    if (tag != initiate_response) return fail<P>("user-information is not an InitiateResponse", base);
    InitiateResponse ir;
    std::uint8_t qos = 0, skipped = 0, c1 = 0, c2 = 0, clen = 0, unused = 0;
    if (!r.u8(qos) || (qos != 0 && !r.u8(skipped)))
        return fail<P>("truncated negotiated-quality-of-service", base + r.offset());
    if (!r.u8(ir.dlms_version) || !r.u8(c1) || !r.u8(c2) || !r.u8(clen) || !r.u8(unused))
        return fail<P>("truncated InitiateResponse", base + r.offset());
    if (c1 != conformance_tag1 || c2 != conformance_tag2 || clen != 4)
        return fail<P>("bad conformance block", base + r.offset());
    if (!r.u24(ir.conformance) || !r.u16(ir.max_receive_pdu) || !r.u16(ir.vaa_name))
        return fail<P>("truncated InitiateResponse", base + r.offset());
    if (!r.at_end()) return fail<P>("trailing octets in InitiateResponse", base + r.offset());
    ui.initiate = ir;
    return ok(ui);
}

}  // namespace gridgate::dlms::wire
