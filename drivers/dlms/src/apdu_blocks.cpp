// Block transfer with GET (IEC 62056-5-3 §9.4.6.4): the server cuts an encoded result
// into GET-Response-With-Datablock APDUs, the client decodes the reassembled raw data.
#include <algorithm>
#include <stdexcept>

#include "apdu_wire.hpp"

namespace gridgate::dlms {

namespace {

// C4 02 invoke-id-priority last-block block-number(4) raw-data choice (00).
constexpr std::size_t block_header_size = 9;

std::size_t length_size(std::size_t n) {
    std::vector<std::uint8_t> tmp;
    encode_length(n, tmp);
    return tmp.size();
}

// The most raw octets one block can carry within max_apdu (header, length, raw).
std::size_t block_capacity(std::size_t max_apdu) {
    if (max_apdu < block_header_size + 2)
        throw std::invalid_argument("split_into_blocks: max_apdu too small for one octet of data");
    std::size_t n = max_apdu - block_header_size - 1;
    while (block_header_size + length_size(n) + n > max_apdu) --n;
    return n;
}

}  // namespace

std::vector<std::vector<std::uint8_t>> split_into_blocks(std::uint8_t invoke_id_priority,
                                                         std::span<const std::uint8_t> encoded_result,
                                                         std::size_t max_apdu) {
    const std::size_t capacity = block_capacity(max_apdu);
    std::vector<std::vector<std::uint8_t>> blocks;
    std::size_t at = 0;
    std::uint32_t number = 1;
    do {
        const std::size_t n = std::min(capacity, encoded_result.size() - at);
        GetResponse block;
        block.kind = GetResponse::Kind::with_datablock;
        block.invoke_id_priority = invoke_id_priority;
        block.block_number = number++;
        block.last_block = at + n == encoded_result.size();
        block.raw_data.assign(encoded_result.begin() + static_cast<std::ptrdiff_t>(at),
                              encoded_result.begin() + static_cast<std::ptrdiff_t>(at + n));
        blocks.push_back(encode_get_response(block));
        at += n;
    } while (at < encoded_result.size());
    return blocks;
}

std::vector<std::uint8_t> encode_get_result_list(const std::vector<GetResult>& results) {
    std::vector<std::uint8_t> out;
    encode_length(results.size(), out);
    for (const auto& r : results) wire::put_get_result(out, r);
    return out;
}

Parsed<Data> decode_block_result(std::span<const std::uint8_t> raw, const AxdrLimits& limits) {
    wire::Reader r(raw);
    Data d;
    std::string error;
    if (!r.data(d, limits, error)) {
        Parsed<Data> p;
        p.error = error;
        return p;
    }
    if (!r.at_end()) return wire::fail<Data>("trailing octets after the data", r.offset());
    return wire::ok(std::move(d));
}

Parsed<std::vector<GetResult>> decode_block_result_list(std::span<const std::uint8_t> raw,
                                                         const AxdrLimits& limits) {
    using List = std::vector<GetResult>;
    wire::Reader r(raw);
    std::size_t n = 0;
    if (!r.length(n)) return wire::fail<List>("truncated list count", 0);
    if (n > limits.max_elements) return wire::fail<List>("list count " + std::to_string(n) + " over the limit", 0);
    List results;
    std::string error;
    for (std::size_t i = 0; i < n; ++i) {
        GetResult item;
        if (!wire::read_get_result(r, item, limits, error)) {
            Parsed<List> p;
            p.error = error;
            return p;
        }
        results.push_back(std::move(item));
    }
    if (!r.at_end()) return wire::fail<List>("trailing octets after the list", r.offset());
    return wire::ok(std::move(results));
}

}  // namespace gridgate::dlms
