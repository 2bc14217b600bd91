// The GET and SET services with logical-name referencing (IEC 62056-5-3 §9.4, A-XDR):
// GET-Request normal / next / with-list and their responses (a block keeps its raw part;
// apdu_blocks.cpp reassembles), SET-Request / -Response normal, and EXCEPTION-Response.
// Every decoder takes the whole APDU and refuses trailing octets: an APDU arrives whole
// from the HDLC or wrapper layer, so extra octets mean a framing fault, not more data.
#include <stdexcept>

#include "apdu_wire.hpp"

namespace gridgate::dlms {

namespace wire {

namespace {

bool failed_at(std::string& error, const char* what, std::size_t offset) {
    error = std::string(what) + " at offset " + std::to_string(offset);
    return false;
}

}  // namespace

void put_descriptor(std::vector<std::uint8_t>& out, const AttributeDescriptor& d) {
    put_u16(out, d.class_id);
    put_bytes(out, d.instance.v);
    out.push_back(static_cast<std::uint8_t>(d.attribute));
}

bool read_descriptor(Reader& r, AttributeDescriptor& d, std::string& error) {
    std::span<const std::uint8_t> name;
    std::uint8_t attribute = 0;
    if (!r.u16(d.class_id) || !r.bytes(6, name) || !r.u8(attribute))
        return failed_at(error, "truncated attribute descriptor", r.offset());
    d.instance = *Obis::from_bytes(name);
    d.attribute = static_cast<std::int8_t>(attribute);
    return true;
}

void put_access(std::vector<std::uint8_t>& out, const std::optional<SelectiveAccess>& access) {
    if (!access) {
        out.push_back(0x00);
        return;
    }
    out.push_back(0x01);
    out.push_back(access->selector);
    encode_data(access->parameters, out);
}

bool read_access(Reader& r, std::optional<SelectiveAccess>& access, const AxdrLimits& limits, std::string& error) {
    std::uint8_t present = 0;
    if (!r.u8(present)) return failed_at(error, "truncated access selection", r.offset());
    if (present == 0) {
        access.reset();
        return true;
    }
    if (present != 1) return failed_at(error, "bad access-selection flag", r.offset() - 1);
    SelectiveAccess a;
    if (!r.u8(a.selector)) return failed_at(error, "truncated access selector", r.offset());
    if (!r.data(a.parameters, limits, error)) return false;
    access = std::move(a);
    return true;
}

void put_get_result(std::vector<std::uint8_t>& out, const GetResult& result) {
    if (result.data) {
        out.push_back(0x00);
        encode_data(*result.data, out);
        return;
    }
    if (result.result == AccessResult::success)
        throw std::invalid_argument("GET result: neither data nor a failure");
    out.push_back(0x01);
    out.push_back(static_cast<std::uint8_t>(result.result));
}

bool read_get_result(Reader& r, GetResult& result, const AxdrLimits& limits, std::string& error) {
    std::uint8_t choice = 0;
    if (!r.u8(choice)) return failed_at(error, "truncated Get-Data-Result", r.offset());
    result = GetResult{};
    if (choice == 0) {
        Data d;
        if (!r.data(d, limits, error)) return false;
        result.data = std::move(d);
        return true;
    }
    if (choice != 1) return failed_at(error, "bad Get-Data-Result choice", r.offset() - 1);
    std::uint8_t code = 0;
    if (!r.u8(code)) return failed_at(error, "truncated data-access-result", r.offset());
    // "success" in the failure branch says nothing usable; treat it as the malformed APDU it is.
    if (code == 0) return failed_at(error, "data-access-result success without data", r.offset() - 1);
    result.result = static_cast<AccessResult>(code);
    return true;
}

}  // namespace wire

namespace {

using wire::Reader;

constexpr std::uint8_t normal = 1;
constexpr std::uint8_t next_or_block = 2;
constexpr std::uint8_t with_list = 3;

std::vector<std::uint8_t> start(ApduTag tag, std::uint8_t kind, std::uint8_t invoke_id_priority) {
    return {static_cast<std::uint8_t>(tag), kind, invoke_id_priority};
}

template <class T>
Parsed<T> failure(std::string error) {
    Parsed<T> p;
    p.error = std::move(error);
    return p;
}

// The common head of a GET/SET APDU: tag, kind, invoke-id-and-priority.
template <class T>
bool open_head(Reader& r, ApduTag tag, std::uint8_t& kind, std::uint8_t& iip, Parsed<T>& out) {
    std::uint8_t t = 0;
    if (!r.u8(t) || t != static_cast<std::uint8_t>(tag)) {
        out = wire::fail<T>(r.offset() == 0 ? "empty APDU" : "not the expected APDU tag", 0);
        return false;
    }
    if (!r.u8(kind) || !r.u8(iip)) {
        out = wire::fail<T>("truncated APDU header", r.offset());
        return false;
    }
    return true;
}

template <class T>
Parsed<T> finish(const Reader& r, T value) {
    if (!r.at_end()) return wire::fail<T>("trailing octets", r.offset());
    return wire::ok(std::move(value));
}

// A SEQUENCE OF count: refused above the element limit, so a hostile count costs nothing.
bool read_count(Reader& r, std::size_t& n, const AxdrLimits& limits, std::string& error) {
    const std::size_t at = r.offset();
    if (!r.length(n)) {
        error = "truncated list count at offset " + std::to_string(at);
        return false;
    }
    if (n > limits.max_elements) {
        error = "list count " + std::to_string(n) + " over the limit at offset " + std::to_string(at);
        return false;
    }
    return true;
}

}  // namespace

std::vector<std::uint8_t> encode_get_request(const GetRequest& r) {
    auto out = start(ApduTag::get_request, static_cast<std::uint8_t>(r.kind), r.invoke_id_priority);
    switch (r.kind) {
        case GetRequest::Kind::normal:
            wire::put_descriptor(out, r.item.attribute);
            wire::put_access(out, r.item.access);
            break;
        case GetRequest::Kind::next: wire::put_u32(out, r.block_number); break;
        case GetRequest::Kind::with_list:
            encode_length(r.list.size(), out);
            for (const auto& item : r.list) {
                wire::put_descriptor(out, item.attribute);
                wire::put_access(out, item.access);
            }
            break;
        default: throw std::invalid_argument("GET request: unknown kind");
    }
    return out;
}

Parsed<GetRequest> decode_get_request(std::span<const std::uint8_t> apdu) {
    Reader r(apdu);
    Parsed<GetRequest> bad;
    GetRequest req;
    std::uint8_t kind = 0;
    if (!open_head(r, ApduTag::get_request, kind, req.invoke_id_priority, bad)) return bad;
    const AxdrLimits limits;
    std::string error;
    switch (kind) {
        case normal:
            req.kind = GetRequest::Kind::normal;
            if (!wire::read_descriptor(r, req.item.attribute, error) ||
                !wire::read_access(r, req.item.access, limits, error))
                return failure<GetRequest>(error);
            break;
        case next_or_block:
            req.kind = GetRequest::Kind::next;
            if (!r.u32(req.block_number)) return wire::fail<GetRequest>("truncated block number", r.offset());
            break;
        case with_list: {
            req.kind = GetRequest::Kind::with_list;
            std::size_t n = 0;
            if (!read_count(r, n, limits, error)) return failure<GetRequest>(error);
            for (std::size_t i = 0; i < n; ++i) {
                GetItem item;
                if (!wire::read_descriptor(r, item.attribute, error) ||
                    !wire::read_access(r, item.access, limits, error))
                    return failure<GetRequest>(error);
                req.list.push_back(std::move(item));
            }
            break;
        }
        default: return wire::fail<GetRequest>("unknown GET-Request kind " + std::to_string(kind), 1);
    }
    return finish(r, std::move(req));
}

std::vector<std::uint8_t> encode_get_response(const GetResponse& r) {
    auto out = start(ApduTag::get_response, static_cast<std::uint8_t>(r.kind), r.invoke_id_priority);
    switch (r.kind) {
        case GetResponse::Kind::normal: wire::put_get_result(out, r.result); break;
        case GetResponse::Kind::with_datablock:
            out.push_back(r.last_block ? 1 : 0);
            wire::put_u32(out, r.block_number);
            if (r.block_result) {
                out.push_back(0x01);
                out.push_back(static_cast<std::uint8_t>(*r.block_result));
            } else {
                out.push_back(0x00);
                encode_length(r.raw_data.size(), out);
                wire::put_bytes(out, r.raw_data);
            }
            break;
        case GetResponse::Kind::with_list:
            encode_length(r.list.size(), out);
            for (const auto& item : r.list) wire::put_get_result(out, item);
            break;
        default: throw std::invalid_argument("GET response: unknown kind");
    }
    return out;
}

Parsed<GetResponse> decode_get_response(std::span<const std::uint8_t> apdu, const AxdrLimits& limits) {
    Reader r(apdu);
    Parsed<GetResponse> bad;
    GetResponse resp;
    std::uint8_t kind = 0;
    if (!open_head(r, ApduTag::get_response, kind, resp.invoke_id_priority, bad)) return bad;
    std::string error;
    switch (kind) {
        case normal:
            resp.kind = GetResponse::Kind::normal;
            if (!wire::read_get_result(r, resp.result, limits, error)) return failure<GetResponse>(error);
            break;
        case next_or_block: {
            resp.kind = GetResponse::Kind::with_datablock;
            std::uint8_t last = 0, choice = 0;
            if (!r.u8(last) || !r.u32(resp.block_number) || !r.u8(choice))
                return wire::fail<GetResponse>("truncated data block header", r.offset());
            resp.last_block = last != 0;
            if (choice == 0) {
                std::size_t n = 0;
                std::span<const std::uint8_t> raw;
                if (!r.length(n)) return wire::fail<GetResponse>("truncated raw-data length", r.offset());
                if (!r.bytes(n, raw))
                    return wire::fail<GetResponse>("raw-data length " + std::to_string(n) + " past the end",
                                                   r.offset());
                resp.raw_data.assign(raw.begin(), raw.end());
            } else if (choice == 1) {
                std::uint8_t code = 0;
                if (!r.u8(code)) return wire::fail<GetResponse>("truncated data-access-result", r.offset());
                resp.block_result = static_cast<AccessResult>(code);
            } else {
                return wire::fail<GetResponse>("bad data block choice", r.offset() - 1);
            }
            break;
        }
        case with_list: {
            resp.kind = GetResponse::Kind::with_list;
            std::size_t n = 0;
            if (!read_count(r, n, limits, error)) return failure<GetResponse>(error);
            for (std::size_t i = 0; i < n; ++i) {
                GetResult item;
                if (!wire::read_get_result(r, item, limits, error)) return failure<GetResponse>(error);
                resp.list.push_back(std::move(item));
            }
            break;
        }
        default: return wire::fail<GetResponse>("unknown GET-Response kind " + std::to_string(kind), 1);
    }
    return finish(r, std::move(resp));
}

std::vector<std::uint8_t> encode_set_request(const SetRequest& r) {
    auto out = start(ApduTag::set_request, normal, r.invoke_id_priority);
    wire::put_descriptor(out, r.attribute);
    wire::put_access(out, r.access);
    encode_data(r.value, out);
    return out;
}

Parsed<SetRequest> decode_set_request(std::span<const std::uint8_t> apdu) {
    Reader r(apdu);
    Parsed<SetRequest> bad;
    SetRequest req;
    std::uint8_t kind = 0;
    if (!open_head(r, ApduTag::set_request, kind, req.invoke_id_priority, bad)) return bad;
    if (kind != normal) return wire::fail<SetRequest>("SET-Request kind " + std::to_string(kind) + " not supported", 1);
    const AxdrLimits limits;
    std::string error;
    if (!wire::read_descriptor(r, req.attribute, error) || !wire::read_access(r, req.access, limits, error) ||
        !r.data(req.value, limits, error))
        return failure<SetRequest>(error);
    return finish(r, std::move(req));
}

std::vector<std::uint8_t> encode_set_response(const SetResponse& r) {
    auto out = start(ApduTag::set_response, normal, r.invoke_id_priority);
    out.push_back(static_cast<std::uint8_t>(r.result));
    return out;
}

Parsed<SetResponse> decode_set_response(std::span<const std::uint8_t> apdu) {
    Reader r(apdu);
    Parsed<SetResponse> bad;
    SetResponse resp;
    std::uint8_t kind = 0;
    if (!open_head(r, ApduTag::set_response, kind, resp.invoke_id_priority, bad)) return bad;
    if (kind != normal)
        return wire::fail<SetResponse>("SET-Response kind " + std::to_string(kind) + " not supported", 1);
    std::uint8_t code = 0;
    if (!r.u8(code)) return wire::fail<SetResponse>("truncated data-access-result", r.offset());
    resp.result = static_cast<AccessResult>(code);
    return finish(r, std::move(resp));
}

std::vector<std::uint8_t> encode_exception_response(const ExceptionResponse& e) {
    return {static_cast<std::uint8_t>(ApduTag::exception_response), e.state_error, e.service_error};
}

Parsed<ExceptionResponse> decode_exception_response(std::span<const std::uint8_t> apdu) {
    Reader r(apdu);
    std::uint8_t tag = 0;
    ExceptionResponse e;
    if (!r.u8(tag) || tag != static_cast<std::uint8_t>(ApduTag::exception_response))
        return wire::fail<ExceptionResponse>("not an EXCEPTION-Response", 0);
    if (!r.u8(e.state_error) || !r.u8(e.service_error))
        return wire::fail<ExceptionResponse>("truncated EXCEPTION-Response", r.offset());
    // service-error 6 (invocation-counter-error) carries the expected counter (ciphering
    // only); it is read past, not kept.
    std::uint32_t counter = 0;
    if (e.service_error == 6 && r.remaining() == 4) r.u32(counter);
    return finish(r, e);
}

}  // namespace gridgate::dlms
