#pragma once
// Big-endian field access for the xDLMS APDUs (private to the APDU codec). A Reader never
// reads past its span: every read checks the size first, and a failed read leaves the
// position where it was, so the caller can name the offset in its error.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gridgate/dlms/apdu.hpp"
#include "gridgate/dlms/axdr.hpp"

namespace gridgate::dlms::wire {

inline void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

inline void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

inline void put_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
}

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

    std::size_t offset() const { return pos_; }
    std::size_t remaining() const { return data_.size() - pos_; }
    bool at_end() const { return pos_ == data_.size(); }
    std::span<const std::uint8_t> rest() const { return data_.subspan(pos_); }

    bool u8(std::uint8_t& v) {
        if (remaining() < 1) return false;
        v = data_[pos_++];
        return true;
    }
    bool u16(std::uint16_t& v) {
        if (remaining() < 2) return false;
        v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return true;
    }
    bool u24(std::uint32_t& v) {
        if (remaining() < 3) return false;
        v = (std::uint32_t{data_[pos_]} << 16) | (std::uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
        pos_ += 3;
        return true;
    }
    bool u32(std::uint32_t& v) {
        if (remaining() < 4) return false;
        v = (std::uint32_t{data_[pos_]} << 24) | (std::uint32_t{data_[pos_ + 1]} << 16) |
            (std::uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
        pos_ += 4;
        return true;
    }
    bool bytes(std::size_t n, std::span<const std::uint8_t>& out) {
        if (remaining() < n) return false;
        out = data_.subspan(pos_, n);
        pos_ += n;
        return true;
    }
    // The variable-length count of A-XDR (also the BER definite length): false when
    // truncated or wider than the decoder accepts.
    bool length(std::size_t& n) {
        const auto l = decode_length(rest());
        if (!l) return false;
        n = l->first;
        pos_ += l->second;
        return true;
    }
    // One Data; `error` gets the A-XDR decoder's reason, with this reader's offset.
    bool data(Data& d, const AxdrLimits& limits, std::string& error) {
        auto r = decode_data(rest(), limits);
        if (!r.data) {
            error = "bad data at offset " + std::to_string(pos_) + ": " + r.error;
            return false;
        }
        d = std::move(*r.data);
        pos_ += r.consumed;
        return true;
    }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

// A decode failure, with the offset where it was noticed.
template <class T>
Parsed<T> fail(const std::string& what, std::size_t offset) {
    Parsed<T> p;
    p.error = what + " at offset " + std::to_string(offset);
    return p;
}

template <class T>
Parsed<T> ok(T value) {
    Parsed<T> p;
    p.value = std::move(value);
    return p;
}

// The parts GET and SET APDUs share (apdu_get_set.cpp): Cosem-Attribute-Descriptor
// (class, instance, attribute), the optional Selective-Access-Descriptor, and one
// Get-Data-Result (00 Data | 01 Data-Access-Result). The readers put a reason, with
// the offset, in `error` when they fail.
void put_descriptor(std::vector<std::uint8_t>& out, const AttributeDescriptor& d);
bool read_descriptor(Reader& r, AttributeDescriptor& d, std::string& error);
void put_access(std::vector<std::uint8_t>& out, const std::optional<SelectiveAccess>& access);
bool read_access(Reader& r, std::optional<SelectiveAccess>& access, const AxdrLimits& limits, std::string& error);
void put_get_result(std::vector<std::uint8_t>& out, const GetResult& result);
bool read_get_result(Reader& r, GetResult& result, const AxdrLimits& limits, std::string& error);

// The xDLMS initiate exchange inside user-information (apdu_initiate.cpp). `base` is the
// offset of `xdlms` in the APDU, for the error text.
std::vector<std::uint8_t> encode_initiate_request(const InitiateRequest& ir);
std::vector<std::uint8_t> encode_initiate_response(const InitiateResponse& ir);
std::vector<std::uint8_t> encode_initiate_error(std::uint8_t error);
Parsed<InitiateRequest> parse_initiate_request(std::span<const std::uint8_t> xdlms, std::size_t base);
struct AareUserInformation {
    std::optional<InitiateResponse> initiate;
    std::optional<std::uint8_t> initiate_error;
};
Parsed<AareUserInformation> parse_aare_user_information(std::span<const std::uint8_t> xdlms, std::size_t base);

}  // namespace gridgate::dlms::wire
