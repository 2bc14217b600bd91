#pragma once
// Drives metersim's DlmsServer APDU by APDU through the codec: associates as a client,
// sends GET / SET requests, follows block transfers to the end.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "gridgate/dlms/apdu.hpp"
#include "gridgate/dlms/profile.hpp"
#include "gridgate/sim/dlms_server.hpp"

namespace gridgate::sim::test {

// UTC µs of a civil date and time (proleptic Gregorian).
inline TimestampUs utc_us(int y, unsigned m, unsigned d, unsigned hh = 0, unsigned mm = 0, unsigned ss = 0) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
    return ((days * 24 + hh) * 60 + mm) * 60'000'000LL + static_cast<std::int64_t>(ss) * 1'000'000LL;
}

inline constexpr std::int64_t minute_us = 60'000'000;
inline constexpr std::int64_t hour_us = 60 * minute_us;

inline std::vector<std::uint8_t> hex(const std::string& text) {
    std::vector<std::uint8_t> out;
    int hi = -1;
    for (const char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (v < 0) continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
            hi = -1;
        }
    }
    return out;
}

inline dlms::Obis obis(const char* text) { return *dlms::Obis::parse(text); }

struct Harness {
    DlmsServer server;
    DlmsAssociation association;
    std::uint16_t client = 16;
    TimestampUs now;
    std::size_t blocks_received = 0;
    std::size_t largest_response = 0;
    std::vector<std::pair<std::string, std::string>> events;

    explicit Harness(DlmsServerOptions options = {}, TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0))
        : server(std::move(options), start), now(start) {
        server.set_event_hook([this](const std::string& kind, const std::string& detail) {
            events.emplace_back(kind, detail);
        });
    }

    std::vector<std::uint8_t> send(const std::vector<std::uint8_t>& apdu) {
        auto response = server.handle_apdu(association, client, apdu, now);
        largest_response = std::max(largest_response, response.size());
        return response;
    }

    dlms::Aare associate(std::uint16_t sap, const std::string& password = "",
                         dlms::InitiateRequest initiate = {}) {
        client = sap;
        dlms::Aarq aarq;
        if (!password.empty()) {
            aarq.authentication = dlms::Authentication::low;
            aarq.password.assign(password.begin(), password.end());
        }
        aarq.initiate = initiate;
        const auto reply = dlms::decode_aare(send(dlms::encode_aarq(aarq)));
        REQUIRE(reply);
        return *reply.value;
    }
    void associate_ok(std::uint16_t sap, const std::string& password = "", std::uint16_t max_pdu = 0xFFFF) {
        dlms::InitiateRequest initiate;
        initiate.max_receive_pdu = max_pdu;
        REQUIRE(associate(sap, password, initiate).result == dlms::AssociationResult::accepted);
    }

    dlms::GetResponse get_raw(const dlms::GetRequest& request) {
        const auto reply = dlms::decode_get_response(send(dlms::encode_get_request(request)));
        REQUIRE(reply);
        return *reply.value;
    }

    // A normal GET, following a block transfer to its end.
    dlms::GetResult get(std::uint16_t class_id, const dlms::Obis& instance, std::int8_t attribute,
                        std::optional<dlms::SelectiveAccess> access = std::nullopt) {
        dlms::GetRequest request;
        request.item = {{class_id, instance, attribute}, std::move(access)};
        dlms::GetResponse first = get_raw(request);
        if (first.kind == dlms::GetResponse::Kind::normal) return first.result;
        REQUIRE(first.kind == dlms::GetResponse::Kind::with_datablock);
        const auto raw = follow_blocks(first);
        const auto data = dlms::decode_block_result(raw);
        REQUIRE(data);
        return {*data.value, dlms::AccessResult::success};
    }
    dlms::Data get_ok(std::uint16_t class_id, const dlms::Obis& instance, std::int8_t attribute,
                      std::optional<dlms::SelectiveAccess> access = std::nullopt) {
        auto r = get(class_id, instance, attribute, std::move(access));
        INFO(dlms::to_string(r.result));
        REQUIRE(r.result == dlms::AccessResult::success);
        REQUIRE(r.data);
        return *r.data;
    }
    std::vector<dlms::GetResult> get_list(const std::vector<dlms::GetItem>& items) {
        dlms::GetRequest request;
        request.kind = dlms::GetRequest::Kind::with_list;
        request.list = items;
        dlms::GetResponse first = get_raw(request);
        if (first.kind == dlms::GetResponse::Kind::with_list) return first.list;
        REQUIRE(first.kind == dlms::GetResponse::Kind::with_datablock);
        const auto results = dlms::decode_block_result_list(follow_blocks(first));
        REQUIRE(results);
        return *results.value;
    }

    std::vector<std::uint8_t> follow_blocks(dlms::GetResponse block) {
        std::vector<std::uint8_t> raw;
        std::uint32_t expected = 1;
        for (;;) {
            REQUIRE(block.kind == dlms::GetResponse::Kind::with_datablock);
            REQUIRE_FALSE(block.block_result);
            REQUIRE(block.block_number == expected);
            ++blocks_received;
            raw.insert(raw.end(), block.raw_data.begin(), block.raw_data.end());
            if (block.last_block) return raw;
            dlms::GetRequest next;
            next.kind = dlms::GetRequest::Kind::next;
            next.block_number = expected++;
            block = get_raw(next);
        }
    }

    dlms::AccessResult set(std::uint16_t class_id, const dlms::Obis& instance, std::int8_t attribute, dlms::Data value) {
        dlms::SetRequest request;
        request.attribute = {class_id, instance, attribute};
        request.value = std::move(value);
        const auto reply = dlms::decode_set_response(send(dlms::encode_set_request(request)));
        REQUIRE(reply);
        return reply.value->result;
    }
};

// The load profile buffer decoded by the codec's profile helper.
inline std::vector<dlms::ProfileEntry> decode_buffer(const dlms::Data& buffer, const DlmsServerOptions& options) {
    dlms::ProfileLayout layout;
    layout.clock_column = 0;
    layout.status_column = 1;
    dlms::TimeInterpretation how;
    how.sign = options.deviation == DlmsServerOptions::DeviationMode::iso ? dlms::DeviationSign::iso
                                                                           : dlms::DeviationSign::blue_book;
    how.zone = options.zone;
    const auto decoded = dlms::decode_profile_buffer(buffer, 8, layout, options.capture_period, how);
    REQUIRE(decoded.error.empty());
    REQUIRE(decoded.skipped == 0);
    return decoded.entries;
}

inline dlms::LocalZone cet() {
    dlms::LocalZone z;
    z.utc_offset_min = 60;
    z.dst = dlms::DstRule::eu;
    return z;
}

}  // namespace gridgate::sim::test
