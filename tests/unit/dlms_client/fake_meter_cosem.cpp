// The fake meter's application: association (LLS passwords per client), GET of its
// objects (block transfer when an answer exceeds the PDU size), selective access to its
// profile buffer, SET of the clock.
#include <algorithm>

#include "fake_meter.hpp"

namespace gridgate::dlms::testing {

namespace {

std::string describe_item(const GetItem& item) {
    return std::to_string(item.attribute.class_id) + "/" + item.attribute.instance.to_string() + "/" +
           std::to_string(item.attribute.attribute);
}

std::vector<std::uint8_t> not_allowed() { return encode_exception_response(ExceptionResponse{1, 1}); }

const TimeInterpretation& as_meter(const LocalZone& zone, TimeInterpretation& how) {
    how.sign = DeviationSign::blue_book;
    how.zone = zone;
    return how;
}

}  // namespace

void FakeMeter::set_object(std::uint16_t class_id, const Obis& obis, std::int8_t attribute, Data value) {
    objects[{class_id, obis, attribute}] = MeterObject{std::move(value), AccessResult::success};
}

void FakeMeter::deny(std::uint16_t class_id, const Obis& obis, std::int8_t attribute, AccessResult result) {
    objects[{class_id, obis, attribute}] = MeterObject{Data::null(), result};
}

void FakeMeter::set_register(const Obis& obis, Data value, std::int8_t scaler, std::uint8_t unit) {
    set_object(3, obis, 2, std::move(value));
    set_object(3, obis, 3, Data::structure({Data::integer8(scaler), Data::enumeration(unit)}));
}

TimestampUs FakeMeter::meter_now_us() const { return clock_.now_utc_us() + clock_offset_us; }

void FakeMeter::record(TimestampUs first_end, TimestampUs last_end, std::uint32_t status) {
    const TimestampUs p = period.count();
    for (TimestampUs t = first_end; t <= last_end; t += p) {
        const double k = static_cast<double>(t / p);
        buffer.push_back(Interval{t, status, {k, 10 * k}});
        while (buffer.size() > capacity) buffer.pop_front();
    }
}

std::vector<std::uint8_t> FakeMeter::process(const std::vector<std::uint8_t>& apdu) {
    if (apdu.empty()) return {};
    switch (apdu[0]) {
        case static_cast<std::uint8_t>(ApduTag::aarq): return on_aarq(apdu);
        case static_cast<std::uint8_t>(ApduTag::rlrq):
            journal.push_back("RLRQ");
            associated_ = false;
            return encode_rlre();
        case static_cast<std::uint8_t>(ApduTag::get_request): {
            const auto req = decode_get_request(apdu);
            if (!req) {
                journal.push_back("BAD GET " + req.error);
                return not_allowed();
            }
            if (!associated_) {
                journal.push_back("GET (not associated)");
                return not_allowed();
            }
            return on_get(*req.value);
        }
        case static_cast<std::uint8_t>(ApduTag::set_request): {
            const auto req = decode_set_request(apdu);
            if (!req || !associated_) {
                journal.push_back("SET (refused)");
                return not_allowed();
            }
            return on_set(*req.value);
        }
        default: journal.push_back("UNKNOWN"); return not_allowed();
    }
}

std::vector<std::uint8_t> FakeMeter::on_aarq(const std::vector<std::uint8_t>& apdu) {
    const std::uint16_t client = hdlc ? client_.upper : tcp_client_;
    journal.push_back("AARQ " + std::to_string(client));
    const auto aarq = decode_aarq(apdu);
    Aare aare;
    associated_ = false;
    if (!aarq) {
        aare.result = AssociationResult::rejected_permanent;
        aare.diagnostic = acse_diagnostic::no_reason;
        return encode_aare(aare);
    }
    const auto secret = passwords.find(client);
    if (secret != passwords.end()) {
        const std::string given(aarq.value->password.begin(), aarq.value->password.end());
        if (aarq.value->authentication != Authentication::low) {
            aare.result = AssociationResult::rejected_permanent;
            aare.diagnostic = acse_diagnostic::authentication_required;
            return encode_aare(aare);
        }
        if (given != secret->second) {
            aare.result = AssociationResult::rejected_permanent;
            aare.diagnostic = acse_diagnostic::authentication_failure;
            return encode_aare(aare);
        }
    }
    associated_ = true;
    client_sap_ = client;
    client_max_pdu_ = aarq.value->initiate.max_receive_pdu;
    granted_ = conformance & aarq.value->initiate.conformance;
    blocks_.clear();
    aare.initiate = InitiateResponse{6, granted_, max_pdu, 0x0007};
    return encode_aare(aare);
}

std::vector<std::uint8_t> FakeMeter::on_get(const GetRequest& req) {
    switch (req.kind) {
        case GetRequest::Kind::normal:
            journal.push_back("GET " + describe_item(req.item));
            return respond(req.invoke_id_priority, {read(req.item)}, false);
        case GetRequest::Kind::with_list: {
            std::string what = "GET-LIST " + std::to_string(req.list.size());
            std::vector<GetResult> results;
            for (const auto& item : req.list) {
                what += " " + describe_item(item);
                results.push_back(read(item));
            }
            journal.push_back(what);
            return respond(req.invoke_id_priority, std::move(results), true);
        }
        case GetRequest::Kind::next: {
            journal.push_back("GET-NEXT " + std::to_string(req.block_number));
            if (blocks_.empty() || req.block_number != last_block_) {
                GetResponse r;
                r.kind = GetResponse::Kind::with_datablock;
                r.invoke_id_priority = req.invoke_id_priority;
                r.last_block = true;
                r.block_number = req.block_number;
                r.block_result = AccessResult::no_long_get_in_progress;
                return encode_get_response(r);
            }
            auto block = std::move(blocks_.front());
            blocks_.pop_front();
            ++last_block_;
            return block;
        }
    }
    return not_allowed();
}

std::vector<std::uint8_t> FakeMeter::respond(std::uint8_t invoke, std::vector<GetResult> results, bool list) {
    GetResponse r;
    r.invoke_id_priority = invoke;
    if (list) {
        r.kind = GetResponse::Kind::with_list;
        r.list = results;
    } else {
        r.kind = GetResponse::Kind::normal;
        r.result = results.at(0);
    }
    auto apdu = encode_get_response(r);
    const std::size_t max_send = std::min<std::size_t>(client_max_pdu_, max_pdu);
    if (apdu.size() <= max_send || (granted_ & conformance::block_transfer_with_get) == 0) return apdu;
    const auto encoded = list ? encode_get_result_list(results) : encode_data(*results.at(0).data);
    auto blocks = split_into_blocks(invoke, encoded, max_send);
    blocks_.assign(blocks.begin() + 1, blocks.end());
    last_block_ = 1;
    return blocks.front();
}

GetResult FakeMeter::read(const GetItem& item) {
    const AttributeDescriptor& a = item.attribute;
    const auto found = objects.find({a.class_id, a.instance, a.attribute});
    if (found != objects.end()) {
        if (found->second.error != AccessResult::success) return GetResult{std::nullopt, found->second.error};
        return GetResult{found->second.value, AccessResult::success};
    }
    if (a.class_id == 8 && a.instance == obis::clock && a.attribute == 2) {
        const auto octets = encode_date_time(from_utc_us(meter_now_us(), zone));
        return GetResult{Data::octet_string({octets.begin(), octets.end()}), AccessResult::success};
    }
    if (a.class_id == 7 && a.instance == profile_obis) {
        switch (a.attribute) {
            case 2: return read_buffer(item);
            case 3: {
                std::vector<CaptureObject> columns{{8, obis::clock, 2, 0}, {1, status_obis, 2, 0}};
                for (const auto& c : channels) columns.push_back({3, c, 2, 0});
                return GetResult{encode_capture_objects(columns), AccessResult::success};
            }
            case 4:
                return GetResult{Data::double_long_unsigned(static_cast<std::uint32_t>(
                                     std::chrono::duration_cast<std::chrono::seconds>(period).count())),
                                 AccessResult::success};
            case 7: return GetResult{Data::double_long_unsigned(static_cast<std::uint32_t>(buffer.size())), {}};
            case 8: return GetResult{Data::double_long_unsigned(static_cast<std::uint32_t>(capacity)), {}};
            default: break;
        }
    }
    return GetResult{std::nullopt, AccessResult::object_undefined};
}

Data FakeMeter::entry_data(const Interval& i) const {
    const auto octets = encode_date_time(from_utc_us(i.end_us, zone));
    std::vector<Data> columns{Data::octet_string({octets.begin(), octets.end()}), Data::double_long_unsigned(i.status)};
    for (const double v : i.values) columns.push_back(Data::float32(static_cast<float>(v)));
    return Data::structure(std::move(columns));
}

GetResult FakeMeter::read_buffer(const GetItem& item) {
    std::vector<Data> entries;
    if (!item.access) {
        for (const auto& i : buffer) entries.push_back(entry_data(i));
    } else if (item.access->selector == 1) {
        const auto sel = parse_range_descriptor(item.access->parameters);
        TimeInterpretation how;
        const auto from = sel ? to_utc_us(sel.value->from, as_meter(zone, how)) : std::nullopt;
        const auto to = sel ? to_utc_us(sel.value->to, as_meter(zone, how)) : std::nullopt;
        if (!from || !to) return GetResult{std::nullopt, AccessResult::other_reason};
        journal.push_back("GET-RANGE " + format_iso8601_utc(*from) + " " + format_iso8601_utc(*to));
        ranges.emplace_back(*from, *to);
        for (const auto& i : buffer)
            if (i.end_us >= *from && i.end_us <= *to) entries.push_back(entry_data(i));
    } else {
        const auto sel = parse_entry_descriptor(item.access->parameters);
        if (!sel) return GetResult{std::nullopt, AccessResult::other_reason};
        journal.push_back("GET-ENTRY " + std::to_string(sel.value->from_entry) + " " +
                          std::to_string(sel.value->to_entry));
        const std::size_t last = sel.value->to_entry == 0 ? buffer.size() : sel.value->to_entry;
        for (std::size_t n = sel.value->from_entry; n >= 1 && n <= last && n <= buffer.size(); ++n)
            entries.push_back(entry_data(buffer[n - 1]));
    }
    return GetResult{Data::array(std::move(entries)), AccessResult::success};
}

std::vector<std::uint8_t> FakeMeter::on_set(const SetRequest& req) {
    const AttributeDescriptor& a = req.attribute;
    journal.push_back("SET " + std::to_string(a.class_id) + "/" + a.instance.to_string() + "/" +
                      std::to_string(a.attribute));
    SetResponse r;
    r.invoke_id_priority = req.invoke_id_priority;
    r.result = AccessResult::read_write_denied;
    if (a.class_id == 8 && a.instance == obis::clock && a.attribute == 2 && clock_writers.count(client_sap_) != 0) {
        const auto t = req.value.bytes.size() == 12 ? decode_date_time(req.value.bytes) : std::nullopt;
        TimeInterpretation how;
        const auto utc = t ? to_utc_us(*t, as_meter(zone, how)) : std::nullopt;
        if (utc) {
            last_set_time = *t;
            clock_offset_us = *utc - clock_.now_utc_us();
            r.result = AccessResult::success;
        } else {
            r.result = AccessResult::type_unmatched;
        }
    }
    return encode_set_response(r);
}

}  // namespace gridgate::dlms::testing
