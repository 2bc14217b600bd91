// Fuzz target for the xDLMS application layer: every APDU decoder (what a meter sends the
// gateway and what metersim's server receives), the trace text, block results, and the
// profile helpers on whatever Data the input holds. Decoders must answer a value or an
// error for any input; what decodes must survive a round trip: re-encoded, it decodes
// back equal (a struct that does not is a decoder or encoder bug, so the target traps).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gridgate/dlms/apdu.hpp"
#include "gridgate/dlms/profile.hpp"

using namespace gridgate::dlms;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

template <class T, class Encode, class Decode>
void round_trip(const Parsed<T>& p, Encode encode, Decode decode) {
    if (!p) return;
    const auto again = decode(encode(*p.value));
    check(static_cast<bool>(again) && *again.value == *p.value);
}

// Data compares NaN floats unequal to themselves; round trips with a NaN are checked on the
// octets instead.
bool has_nan(const Data& d) {
    if ((d.tag == DataTag::float32 || d.tag == DataTag::float64) && d.real != d.real) return true;
    for (const auto& item : d.items)
        if (has_nan(item)) return true;
    return false;
}

bool request_has_nan(const GetRequest& r) {
    if (r.item.access && has_nan(r.item.access->parameters)) return true;
    for (const auto& item : r.list)
        if (item.access && has_nan(item.access->parameters)) return true;
    return false;
}

bool response_has_nan(const GetResponse& r) {
    if (r.result.data && has_nan(*r.result.data)) return true;
    for (const auto& item : r.list)
        if (item.data && has_nan(*item.data)) return true;
    return false;
}

void profile_helpers(const Data& d) {
    const auto columns = parse_capture_objects(d);
    if (columns) {
        check(parse_capture_objects(encode_capture_objects(*columns.value)).value == columns.value);
        (void)find_layout(*columns.value);
    }
    // The Data as a buffer: its first row's size as the column count, the first two
    // columns as clock and status.
    std::size_t width = 0;
    if (d.tag == DataTag::array && !d.items.empty()) width = d.items.front().items.size();
    ProfileLayout layout;
    layout.clock_column = 0;
    layout.status_column = 1;
    TimeInterpretation how;
    how.zone = LocalZone{60, DstRule::eu, 60};
    const auto decoded = decode_profile_buffer(d, width, layout, gridgate::Duration{900'000'000}, how);
    check(decoded.entries.size() + decoded.skipped == (d.tag == DataTag::array ? d.items.size() : 0));
    for (const auto& e : decoded.entries) (void)describe_interval_status(e.status.value_or(0));
    (void)parse_range_descriptor(d);
    (void)parse_entry_descriptor(d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> in(data, size);
    AxdrLimits limits;
    limits.max_elements = 1u << 14;  // keeps each run fast; the limit itself is under test too

    (void)describe_apdu(in);
    (void)is_rlrq(in);
    (void)is_rlre(in);

    round_trip(decode_aarq(in), encode_aarq, decode_aarq);
    round_trip(decode_aare(in), encode_aare, decode_aare);
    round_trip(decode_exception_response(in), encode_exception_response, decode_exception_response);
    round_trip(decode_set_response(in), encode_set_response, decode_set_response);

    if (const auto req = decode_get_request(in)) {
        const auto bytes = encode_get_request(*req.value);
        const auto again = decode_get_request(bytes);
        check(static_cast<bool>(again));
        if (!request_has_nan(*req.value)) check(*again.value == *req.value);
        check(encode_get_request(*again.value) == bytes);
        if (req.value->item.access) {
            (void)parse_range_descriptor(req.value->item.access->parameters);
            (void)parse_entry_descriptor(req.value->item.access->parameters);
        }
    }
    if (const auto set = decode_set_request(in)) {
        const auto bytes = encode_set_request(*set.value);
        const auto again = decode_set_request(bytes);
        check(static_cast<bool>(again));
        if (!has_nan(set.value->value)) check(*again.value == *set.value);
        check(encode_set_request(*again.value) == bytes);
    }
    if (const auto resp = decode_get_response(in, limits)) {
        const auto bytes = encode_get_response(*resp.value);
        const auto again = decode_get_response(bytes, limits);
        check(static_cast<bool>(again));
        if (!response_has_nan(*resp.value)) check(*again.value == *resp.value);
        check(encode_get_response(*again.value) == bytes);
        if (resp.value->result.data) profile_helpers(*resp.value->result.data);
        // A block's raw part: as one Data and as a list, then split again and reassembled.
        if (!resp.value->raw_data.empty()) {
            (void)decode_block_result_list(resp.value->raw_data, limits);
            if (const auto whole = decode_block_result(resp.value->raw_data, limits)) profile_helpers(*whole.value);
            std::vector<std::uint8_t> raw;
            for (const auto& block : split_into_blocks(0xC1, resp.value->raw_data, 64)) {
                const auto b = decode_get_response(block);
                check(static_cast<bool>(b) && block.size() <= 64);
                raw.insert(raw.end(), b.value->raw_data.begin(), b.value->raw_data.end());
            }
            check(raw == resp.value->raw_data);
        }
    }
    // The input as raw block data (what a reassembled transfer is).
    if (const auto whole = decode_block_result(in, limits)) profile_helpers(*whole.value);
    if (const auto list = decode_block_result_list(in, limits)) {
        const auto bytes = encode_get_result_list(*list.value);
        check(static_cast<bool>(decode_block_result_list(bytes, limits)));
    }
    return 0;
}
