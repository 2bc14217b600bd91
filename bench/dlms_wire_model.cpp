// The load-profile readout's octets on the wire, from the codec's own encoders.
#include "dlms_wire_model.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "gridgate/dlms/apdu.hpp"
#include "gridgate/dlms/hdlc.hpp"
#include "gridgate/dlms/wrapper.hpp"

namespace gridgate::bench {

namespace {

using namespace gridgate::dlms;

constexpr std::size_t llc_octets = 3;  // E6 E6 00 / E6 E7 00

// The reference meter's default addresses: client SAP 2 (1 octet), server 1/100 (4 octets).
// frame_overhead() is the same whichever way the frame goes.
const HdlcAddress client_address = HdlcAddress::client(2);
const HdlcAddress server_address = HdlcAddress::server(1, 100, 4);

std::size_t rr_frame_size() {
    HdlcFrame rr;
    rr.destination = server_address;
    rr.source = client_address;
    rr.control = HdlcControl{FrameType::rr, 0, 0, true};
    return encode_frame(rr).size();
}

// One APDU of `apdu` octets one way: its frames, and the receiver's RRs the other way.
struct Leg {
    std::uint64_t forward = 0, backward = 0, frames = 0, rrs = 0;
};
Leg carry(const WireModelParams& p, std::size_t apdu, std::size_t max_info, unsigned window) {
    Leg leg;
    if (!p.hdlc) {
        leg.forward = apdu + wrapper_header_size;
        leg.frames = 1;
        return leg;
    }
    const std::size_t info = apdu + llc_octets;
    const std::size_t frames = (info + max_info - 1) / max_info;
    const std::size_t windows = (frames + window - 1) / window;
    leg.frames = frames;
    leg.forward = info + frames * frame_overhead(client_address, server_address);
    leg.rrs = windows - 1;  // after the last window the other side answers with data
    leg.backward = leg.rrs * rr_frame_size();
    return leg;
}

Data entry(std::size_t channels) {
    std::vector<Data> columns;
    columns.push_back(Data::octet_string(std::vector<std::uint8_t>(12, 0)));
    columns.push_back(Data::double_long_unsigned(1));
    for (std::size_t c = 0; c < channels; ++c) columns.push_back(Data::float32(0.0f));
    return Data::structure(std::move(columns));
}

std::vector<std::uint8_t> range_request() {
    GetRequest r;
    r.kind = GetRequest::Kind::normal;
    r.item = GetItem{{7, obis::load_profile_1, 2}, range_descriptor(CosemDateTime{}, CosemDateTime{})};
    return encode_get_request(r);
}

std::vector<std::uint8_t> next_request() {
    GetRequest r;
    r.kind = GetRequest::Kind::next;
    r.block_number = 1;
    return encode_get_request(r);
}

// What the meter answers a GET of `entries` entries with: the APDU sizes, as metersim
// cuts them (one GET-Response-Normal when it fits the PDU, else blocks).
std::vector<std::size_t> response_apdus(const WireModelParams& p, std::size_t entries) {
    const Data buffer = Data::array(std::vector<Data>(entries, entry(p.channels)));
    GetResponse normal;
    normal.kind = GetResponse::Kind::normal;
    normal.result = GetResult{buffer, AccessResult::success};
    const std::size_t whole = encode_get_response(normal).size();
    if (whole <= p.max_pdu) return {whole};
    std::vector<std::size_t> sizes;
    for (const auto& block : split_into_blocks(0xC1, encode_data(buffer), p.max_pdu)) sizes.push_back(block.size());
    return sizes;
}

}  // namespace

WireCost& WireCost::operator+=(const WireCost& o) {
    to_client += o.to_client;
    to_meter += o.to_meter;
    apdus_to_client += o.apdus_to_client;
    frames_to_client += o.frames_to_client;
    frames_to_meter += o.frames_to_meter;
    return *this;
}

WireConstants wire_constants(const WireModelParams& p) {
    WireConstants k;
    k.entry = encode_data(entry(p.channels)).size();
    k.frame_overhead = frame_overhead(client_address, server_address);
    k.rr_frame = rr_frame_size();
    k.range_request = range_request().size();
    k.next_request = next_request().size();
    GetResponse block;
    block.kind = GetResponse::Kind::with_datablock;
    block.block_number = 1;
    block.raw_data.assign(300, 0);
    k.block_header = encode_get_response(block).size() - block.raw_data.size();
    return k;
}

WireCost chunk_cost(const WireModelParams& p, std::size_t entries) {
    WireCost cost;
    const auto request = [&](std::size_t apdu) {
        const Leg leg = carry(p, apdu, p.info_to_meter, p.window_to_meter);
        cost.to_meter += leg.forward;
        cost.to_client += leg.backward;
        cost.frames_to_meter += leg.frames;
        cost.frames_to_client += leg.rrs;
    };
    const auto responses = response_apdus(p, entries);
    request(range_request().size());
    for (std::size_t b = 0; b < responses.size(); ++b) {
        if (b > 0) request(next_request().size());
        const Leg leg = carry(p, responses[b], p.info_to_client, p.window_to_client);
        cost.to_client += leg.forward;
        cost.to_meter += leg.backward;
        cost.frames_to_client += leg.frames;
        cost.frames_to_meter += leg.rrs;
        ++cost.apdus_to_client;
    }
    return cost;
}

WireCost readout_cost(const WireModelParams& p, std::size_t intervals, std::size_t chunk, std::size_t skip_chunks) {
    WireCost total;
    chunk = std::max<std::size_t>(chunk, 1);
    const std::size_t full = intervals / chunk;
    if (full > skip_chunks) {
        WireCost one = chunk_cost(p, chunk);
        for (std::size_t i = skip_chunks; i < full; ++i) total += one;
    }
    if (intervals % chunk != 0 && full >= skip_chunks) total += chunk_cost(p, intervals % chunk);
    return total;
}

std::string describe_model(const WireModelParams& p, std::size_t chunk) {
    const WireConstants k = wire_constants(p);
    const WireCost c = chunk_cost(p, chunk);
    char text[1600];
    if (p.hdlc) {
        std::snprintf(
            text, sizeof text,
            "wire model (HDLC, 8N1, half duplex): per range request of n = %zu entries\n"
            "  E = 2 + 14 + 5 + 5 x %zu = %zu octets per entry; the buffer D = array header + n E, one\n"
            "  GET-Response-Normal if it fits P = %zu, else blocks of <= P (header %zu octets) each asked\n"
            "  for by a GET-Request-Next (%zu-octet APDU); the range request is a %zu-octet APDU;\n"
            "  each APDU a: a + 3 LLC octets in ceil((a + 3) / I) frames of F = %zu octets overhead,\n"
            "  plus one RR (%zu octets) back per window of W frames but the last; I = %zu/%zu, W = %u/%u\n"
            "  (to client / to meter)\n"
            "  -> %zu APDUs, %llu frames to the client, %llu to the meter; %llu + %llu = %llu octets\n"
            "  ceiling = (baud / 10) x n / octets(chunk) = baud / 10 / %.2f intervals/s\n",
            chunk, p.channels, k.entry, p.max_pdu, k.block_header, k.next_request, k.range_request,
            k.frame_overhead, k.rr_frame, p.info_to_client, p.info_to_meter, p.window_to_client, p.window_to_meter,
            static_cast<std::size_t>(c.apdus_to_client), static_cast<unsigned long long>(c.frames_to_client),
            static_cast<unsigned long long>(c.frames_to_meter), static_cast<unsigned long long>(c.to_client),
            static_cast<unsigned long long>(c.to_meter), static_cast<unsigned long long>(c.total()),
            double(c.total()) / double(chunk));
    } else {
        std::snprintf(text, sizeof text,
                      "wire model (TCP wrapper): per range request of n = %zu entries: E = %zu octets per entry,\n"
                      "  blocks of <= P = %zu octets, 8-octet wrapper header per APDU: %llu octets to the client,\n"
                      "  %llu to the meter (%.2f octets per interval; TCP/IP headers not counted); no wire ceiling\n",
                      chunk, k.entry, p.max_pdu, static_cast<unsigned long long>(c.to_client),
                      static_cast<unsigned long long>(c.to_meter), double(c.total()) / double(chunk));
    }
    return text;
}

}  // namespace gridgate::bench
