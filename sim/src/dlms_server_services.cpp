// The xDLMS services the meter offers inside an association: GET (normal, with list,
// and the next blocks of a long response) and SET (of the clock's time only).
#include <algorithm>

#include "dlms_server_impl.hpp"

namespace gridgate::sim {

namespace {

using dlms::AccessResult;
using dlms::GetResponse;

// Responses are never cut smaller than this, whatever the negotiated size (a block
// carries ~10 octets of header).
constexpr std::size_t min_response_limit = 32;

dlms::ExceptionResponse service_not_allowed() { return {.state_error = 1, .service_error = 2}; }

std::vector<std::uint8_t> block_failure(std::uint8_t invoke, std::uint32_t block_number, AccessResult why) {
    GetResponse resp;
    resp.kind = GetResponse::Kind::with_datablock;
    resp.invoke_id_priority = invoke;
    resp.last_block = true;
    resp.block_number = block_number;
    resp.block_result = why;
    return dlms::encode_get_response(resp);
}

}  // namespace

std::size_t DlmsServer::Impl::response_limit(const DlmsAssociation& a) const {
    return std::max<std::size_t>(std::min<std::size_t>(a.client_max_pdu, options.max_pdu), min_response_limit);
}

std::vector<std::uint8_t> DlmsServer::Impl::on_get(Request& r, std::span<const std::uint8_t> apdu) {
    DlmsAssociation& a = r.association;
    const auto decoded = dlms::decode_get_request(apdu);
    if (!decoded) {
        ++stats.bad_apdus;
        return dlms::encode_exception_response({.state_error = 2, .service_error = 3});
    }
    const dlms::GetRequest& req = *decoded.value;
    if ((a.conformance & dlms::conformance::get) == 0) return dlms::encode_exception_response(service_not_allowed());

    if (req.kind == dlms::GetRequest::Kind::next) {
        // The client acknowledges block n and asks for n + 1 (held at [n]). The block
        // before may be asked again (its response was lost); any other number ends the
        // transfer.
        if (a.pending_blocks.empty())
            return block_failure(req.invoke_id_priority, req.block_number, AccessResult::no_long_get_in_progress);
        const std::uint32_t n = req.block_number;
        if (n == 0 || n >= a.pending_blocks.size() || (n != a.last_block_sent && n + 1 != a.last_block_sent)) {
            a.pending_blocks.clear();
            return block_failure(req.invoke_id_priority, n, AccessResult::data_block_number_invalid);
        }
        std::vector<std::uint8_t> block = a.pending_blocks[n];
        ++stats.blocks_sent;
        a.last_block_sent = n + 1;
        if (a.last_block_sent == a.pending_blocks.size()) a.pending_blocks.clear();  // the last one went
        return block;
    }

    // A new request abandons a transfer in progress.
    a.pending_blocks.clear();
    GetResponse resp;
    resp.invoke_id_priority = req.invoke_id_priority;
    if (req.kind == dlms::GetRequest::Kind::with_list) {
        if ((a.conformance & dlms::conformance::multiple_references) == 0)
            return dlms::encode_exception_response(service_not_allowed());
        resp.kind = GetResponse::Kind::with_list;
        for (const dlms::GetItem& item : req.list) resp.list.push_back(get(r, item));
    } else {
        resp.kind = GetResponse::Kind::normal;
        resp.result = get(r, req.item);
    }
    std::vector<std::uint8_t> out = dlms::encode_get_response(resp);
    const std::size_t limit = response_limit(a);
    if (out.size() <= limit) return out;

    if ((a.conformance & dlms::conformance::block_transfer_with_get) == 0) {
        // Too long for one APDU and no block transfer negotiated: the data cannot be
        // delivered (each item of a list fails alike).
        for (dlms::GetResult& g : resp.list) g = {std::nullopt, AccessResult::other_reason};
        resp.result = {std::nullopt, AccessResult::other_reason};
        return dlms::encode_get_response(resp);
    }
    // The encoded result (a Data, or the list's count and results) cut into blocks.
    const std::vector<std::uint8_t> whole = resp.kind == GetResponse::Kind::with_list ? dlms::encode_get_result_list(resp.list)
                                                      : dlms::encode_data(*resp.result.data);
    a.pending_blocks = dlms::split_into_blocks(req.invoke_id_priority, whole, limit);
    a.pending_invoke = req.invoke_id_priority;
    if (a.pending_blocks.empty()) return block_failure(req.invoke_id_priority, 1, AccessResult::other_reason);
    ++stats.blocks_sent;
    a.last_block_sent = 1;
    std::vector<std::uint8_t> first = a.pending_blocks.front();
    if (a.pending_blocks.size() == 1) a.pending_blocks.clear();
    return first;
}

std::vector<std::uint8_t> DlmsServer::Impl::on_set(Request& r, std::span<const std::uint8_t> apdu) {
    const auto decoded = dlms::decode_set_request(apdu);
    if (!decoded) {
        ++stats.bad_apdus;
        return dlms::encode_exception_response({.state_error = 2, .service_error = 3});
    }
    if ((r.association.conformance & dlms::conformance::set) == 0)
        return dlms::encode_exception_response(service_not_allowed());
    r.association.pending_blocks.clear();
    const dlms::SetRequest& req = *decoded.value;
    dlms::SetResponse resp;
    resp.invoke_id_priority = req.invoke_id_priority;

    const dlms_server::CosemObject* object = objects.find(req.attribute.instance);
    if (object == nullptr) {
        resp.result = AccessResult::object_undefined;
    } else if (object->class_id != req.attribute.class_id) {
        resp.result = AccessResult::object_class_inconsistent;
    } else if (req.attribute.attribute < 1 || req.attribute.attribute > dlms_server::attribute_count(object->class_id)) {
        resp.result = AccessResult::object_undefined;
    } else if (req.access ||
               (static_cast<std::uint8_t>(dlms_server::attribute_access(*object, req.attribute.attribute, r.client)) &
                static_cast<std::uint8_t>(dlms_server::AccessMode::write)) == 0) {
        resp.result = AccessResult::read_write_denied;
        ++stats.denied;
    } else {
        // Only the clock's time is writable (attribute_access says so).
        resp.result = set_clock_from(req.value, r.now_us);
    }
    return dlms::encode_set_response(resp);
}

}  // namespace gridgate::sim
