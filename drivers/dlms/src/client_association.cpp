// The association and the xDLMS services the client uses: AARQ/AARE, GET (normal, with
// list, block transfer: each GET-Request-Next its own exchange), SET, RLRQ (and DISC).
#include <algorithm>

#include "client_impl.hpp"

namespace gridgate::dlms::detail {

namespace {

constexpr std::size_t max_list = 10;                // attributes per GET-with-list
constexpr std::size_t max_block_result = 16u << 20;  // a reassembled result larger than this is refused

std::string hex32(std::uint32_t v) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s = "0x";
    for (int shift = 20; shift >= 0; shift -= 4) s.push_back(digits[(v >> shift) & 0xF]);
    return s;
}

}  // namespace

void Impl::trace_apdu(const char* direction, std::span<const std::uint8_t> apdu) {
    if (!logger.trace_enabled(options.id)) return;
    // Described from a copy without the password, whatever the describer shows of an AARQ.
    const auto shown = masked(apdu, aarq_password_mask(apdu));
    logger.info("dlms", options.id + " " + direction + " " + describe_apdu(shown));
}

std::uint8_t Impl::next_invoke_id() {
    invoke = static_cast<std::uint8_t>((invoke + 1) & 0x0F);
    return invoke;
}

// ------------------------------------------------------------------ association

void Impl::associate(std::function<void()> then) {
    Aarq aarq;
    aarq.ln_referencing = true;
    if (!options.password.empty()) {
        aarq.authentication = Authentication::low;
        aarq.password.assign(options.password.begin(), options.password.end());
    }
    aarq.initiate.max_receive_pdu = options.max_receive_pdu;
    exchange(Step::data, [aarq] { return encode_aarq(aarq); },
             [this, then = std::move(then)](const LinkResult& r) {
                 const auto aare = decode_aare(r.apdu);
                 if (!aare) {
                     association_lost();
                     return end_task(Outcome::failed, "unreadable AARE: " + aare.error);
                 }
                 const Aare& a = *aare.value;
                 const std::string client = std::to_string(options.client_sap);
                 if (a.result != AssociationResult::accepted || !a.initiate) {
                     const std::string reason =
                         a.initiate_error ? "xDLMS initiate refused (" + std::to_string(*a.initiate_error) + ")"
                                          : describe_acse_diagnostic(a.diagnostic);
                     update_stats([](ClientStats& s) { ++s.association_failures; });
                     emit("dlms_association_failed",
                          "{\"client\":" + client + ",\"result\":" + std::to_string(static_cast<int>(a.result)) +
                              ",\"diagnostic\":" + std::to_string(a.diagnostic) + ",\"reason\":" + json_quote(reason) +
                              "}");
                     return end_task(Outcome::soft_failure, "association refused: " + reason);
                 }
                 associated = true;
                 conformance = a.initiate->conformance;
                 server_max_pdu = a.initiate->max_receive_pdu;
                 reported.clear();
                 scalers.clear();
                 clock_read = false;
                 time_set_refused = false;
                 update_stats([&](ClientStats& s) {
                     s.associated = true;
                     ++s.associations;
                     s.negotiated_pdu = server_max_pdu;
                     s.negotiated_conformance = conformance;
                 });
                 logger.info("dlms", options.id + ": associated as client " + client + ", max PDU " +
                                         std::to_string(server_max_pdu) + ", conformance " + hex32(conformance));
                 emit("dlms_associated", "{\"client\":" + client + ",\"max_pdu\":" + std::to_string(server_max_pdu) +
                                             ",\"conformance\":" + json_quote(hex32(conformance)) + "}");
                 then();
             });
}

void Impl::release_association() {
    if (!associated) return end_task(Outcome::ok);
    // TCP: the connection closes with the release, which frees the meter's one association.
    exchange(
        Step::data, [] { return encode_rlrq(); },
        [this](const LinkResult& r) {
            if (!is_rlre(r.apdu)) logger.debug("dlms", options.id + ": release answered with " + describe_apdu(r.apdu));
            associated = false;
            update_stats([](ClientStats& s) { s.associated = false; });
            if (tcp || !link->connected()) {
                association_lost();
                return end_task(Outcome::ok);
            }
            exchange(Step::disconnect, {}, [this](const LinkResult&) {
                association_lost();
                end_task(Outcome::ok);
            });
        },
        tcp);
}

// ------------------------------------------------------------------ GET

void Impl::get(const GetItem& item, std::function<void(Got)> then) {
    const std::uint8_t id = next_invoke_id();
    GetRequest req;
    req.kind = GetRequest::Kind::normal;
    req.invoke_id_priority = static_cast<std::uint8_t>(0xC0 | id);
    req.item = item;
    exchange(Step::data, [req] { return encode_get_request(req); },
             [this, id, then = std::move(then)](const LinkResult& r) {
                 on_get_response(r, id, std::make_shared<std::vector<std::uint8_t>>(), 1, false, 1,
                                 [then](std::vector<Got> got) { then(std::move(got.at(0))); });
             });
}

void Impl::get_next(std::uint8_t id, std::uint32_t block, std::shared_ptr<std::vector<std::uint8_t>> raw, bool list,
                    std::size_t count, GotHandler then) {
    GetRequest req;
    req.kind = GetRequest::Kind::next;
    req.invoke_id_priority = static_cast<std::uint8_t>(0xC0 | id);
    req.block_number = block;
    exchange(Step::data, [req] { return encode_get_request(req); },
             [this, id, block, raw, list, count, then = std::move(then)](const LinkResult& r) mutable {
                 on_get_response(r, id, std::move(raw), block + 1, list, count, std::move(then));
             });
}

void Impl::on_get_response(const LinkResult& r, std::uint8_t id, std::shared_ptr<std::vector<std::uint8_t>> raw,
                           std::uint32_t expected_block, bool list, std::size_t count, GotHandler then) {
    const TimestampUs at = r.received_us;
    const TimestampUs sent = r.sent_us;
    const auto all = [&](AccessResult result) {
        std::vector<Got> out(count);
        for (auto& g : out) {
            g.result.result = result;
            g.at_us = at;
            g.sent_us = sent;
        }
        return out;
    };
    if (!r.apdu.empty() && r.apdu[0] == static_cast<std::uint8_t>(ApduTag::exception_response)) {
        const auto e = decode_exception_response(r.apdu);
        // Service not allowed: the meter has no association with us (it lost it).
        if (e && e.value->state_error == 1) {
            association_lost();
            return end_task(Outcome::failed, "meter answered EXCEPTION-Response: not associated");
        }
        logger.debug("dlms", options.id + ": " + describe_apdu(r.apdu));
        return then(all(AccessResult::other_reason));
    }
    const auto parsed = decode_get_response(r.apdu);
    if (!parsed) {
        association_lost();
        return end_task(Outcome::failed, "unreadable GET response: " + parsed.error);
    }
    const GetResponse& resp = *parsed.value;
    if ((resp.invoke_id_priority & 0x0F) != id) {
        association_lost();
        return end_task(Outcome::failed, "GET response for another request (invoke id " +
                                             std::to_string(resp.invoke_id_priority & 0x0F) + ")");
    }
    switch (resp.kind) {
        case GetResponse::Kind::normal:
            if (list) break;
            return then({Got{resp.result, at, sent}});
        case GetResponse::Kind::with_list: {
            if (!list || resp.list.size() != count) break;
            std::vector<Got> out;
            for (const auto& res : resp.list) out.push_back(Got{res, at, sent});
            return then(std::move(out));
        }
        case GetResponse::Kind::with_datablock: {
            update_stats([](ClientStats& s) { ++s.blocks; });
            if (resp.block_result) return then(all(*resp.block_result));
            if (resp.block_number != expected_block) {
                association_lost();
                return end_task(Outcome::failed, "data block " + std::to_string(resp.block_number) + ", expected " +
                                                     std::to_string(expected_block));
            }
            if (raw->size() + resp.raw_data.size() > max_block_result) {
                logger.warn("dlms", options.id + ": block transfer over " + std::to_string(max_block_result) +
                                        " octets abandoned");
                return then(all(AccessResult::long_get_aborted));
            }
            raw->insert(raw->end(), resp.raw_data.begin(), resp.raw_data.end());
            if (!resp.last_block) return get_next(id, resp.block_number, std::move(raw), list, count, std::move(then));
            if (!list) {
                auto data = decode_block_result(*raw);
                if (!data) {
                    logger.warn("dlms", options.id + ": unreadable block transfer result: " + data.error);
                    return then(all(AccessResult::other_reason));
                }
                return then({Got{GetResult{std::move(*data.value), AccessResult::success}, at, sent}});
            }
            auto results = decode_block_result_list(*raw);
            if (!results || results.value->size() != count) {
                logger.warn("dlms", options.id + ": unreadable block transfer list: " + results.error);
                return then(all(AccessResult::other_reason));
            }
            std::vector<Got> out;
            for (auto& res : *results.value) out.push_back(Got{std::move(res), at, sent});
            return then(std::move(out));
        }
    }
    association_lost();
    end_task(Outcome::failed, "GET response of the wrong kind");
}

void Impl::get_many(std::vector<GetItem> items, GotHandler then) {
    auto list = std::make_shared<std::vector<GetItem>>(std::move(items));
    get_list_from(std::move(list), 0, std::make_shared<std::vector<Got>>(), std::move(then));
}

void Impl::get_list_from(std::shared_ptr<std::vector<GetItem>> items, std::size_t from,
                         std::shared_ptr<std::vector<Got>> out, GotHandler then) {
    if (from >= items->size()) return then(std::move(*out));
    const bool with_list = granted(conformance::multiple_references) && items->size() - from > 1;
    if (!with_list) {
        return get((*items)[from], [this, items, from, out, then = std::move(then)](Got got) mutable {
            out->push_back(std::move(got));
            get_list_from(std::move(items), from + 1, std::move(out), std::move(then));
        });
    }
    const std::size_t n = std::min(max_list, items->size() - from);
    const std::uint8_t id = next_invoke_id();
    GetRequest req;
    req.kind = GetRequest::Kind::with_list;
    req.invoke_id_priority = static_cast<std::uint8_t>(0xC0 | id);
    req.list.assign(items->begin() + static_cast<std::ptrdiff_t>(from),
                    items->begin() + static_cast<std::ptrdiff_t>(from + n));
    exchange(Step::data, [req] { return encode_get_request(req); },
             [this, id, n, items, from, out, then = std::move(then)](const LinkResult& r) mutable {
                 on_get_response(r, id, std::make_shared<std::vector<std::uint8_t>>(), 1, true, n,
                                 [this, items, from, n, out, then = std::move(then)](std::vector<Got> got) mutable {
                                     for (auto& g : got) out->push_back(std::move(g));
                                     get_list_from(std::move(items), from + n, std::move(out), std::move(then));
                                 });
             });
}

// ------------------------------------------------------------------ SET

void Impl::set(const AttributeDescriptor& attribute, std::function<Data()> make_value,
               std::function<void(AccessResult)> then) {
    const std::uint8_t id = next_invoke_id();
    exchange(
        Step::data,
        [id, attribute, make_value = std::move(make_value)] {
            SetRequest req;
            req.invoke_id_priority = static_cast<std::uint8_t>(0xC0 | id);
            req.attribute = attribute;
            req.value = make_value();
            return encode_set_request(req);
        },
        [this, id, then = std::move(then)](const LinkResult& r) {
            const auto resp = decode_set_response(r.apdu);
            if (!resp) {
                // An exception or a confirmed-service-error: the set did not happen.
                logger.debug("dlms", options.id + ": SET answered with " + describe_apdu(r.apdu));
                return then(AccessResult::other_reason);
            }
            if ((resp.value->invoke_id_priority & 0x0F) != id) {
                association_lost();
                return end_task(Outcome::failed, "SET response for another request");
            }
            then(resp.value->result);
        });
}

}  // namespace gridgate::dlms::detail
