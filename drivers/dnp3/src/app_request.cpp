// DNP3 requests: what a master sends (encoding) and what an outstation receives (parsing).
#include <stdexcept>

#include "app_codec.hpp"

namespace gridgate::dnp3 {

namespace {

using detail::write_object_header;

std::vector<std::uint8_t> start_request(AppControl control, FunctionCode function) {
    std::vector<std::uint8_t> out;
    out.push_back(control.encode());
    out.push_back(static_cast<std::uint8_t>(function));
    return out;
}

void require(bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("DNP3 read request: ") + what);
}

void write_read_item(std::vector<std::uint8_t>& out, const ReadItem& item) {
    ObjectHeader h;
    h.group = item.group;
    h.variation = item.variation;
    h.qualifier = item.qualifier;
    switch (item.qualifier) {
        case Qualifier::start_stop_8:
        case Qualifier::start_stop_16: {
            const std::uint32_t limit = item.qualifier == Qualifier::start_stop_8 ? 0xFF : 0xFFFF;
            require(item.start <= item.stop, "stop before start");
            require(item.stop <= limit, "range does not fit the qualifier");
            h.start = item.start;
            h.stop = item.stop;
            break;
        }
        case Qualifier::all: break;
        case Qualifier::count_8:
        case Qualifier::count_16:
            require(item.count <= (item.qualifier == Qualifier::count_8 ? 0xFFu : 0xFFFFu),
                    "count does not fit the qualifier");
            h.count = item.count;
            break;
        case Qualifier::index_8:
        case Qualifier::index_16: {
            const std::uint32_t limit = item.qualifier == Qualifier::index_8 ? 0xFF : 0xFFFF;
            require(item.indices.size() <= limit, "too many indices for the qualifier");
            h.count = static_cast<std::uint32_t>(item.indices.size());
            break;
        }
        default: require(false, "qualifier not supported");
    }
    write_object_header(out, h);
    if (detail::is_index_qualifier(item.qualifier)) {
        const std::size_t width = detail::prefix_size(item.qualifier);
        for (const std::uint32_t index : item.indices) {
            require(index <= (width == 1 ? 0xFFu : 0xFFFFu), "index does not fit the qualifier");
            wire::put_le(out, index, width);
        }
    }
}

std::vector<std::uint8_t> write_time_object(AppControl control, std::uint8_t variation, DnpTime time) {
    auto out = start_request(control, FunctionCode::write);
    write_object_header(out, ObjectHeader{50, variation, Qualifier::count_8, 0, 0, 1});
    detail::put_time48(out, time);
    return out;
}

}  // namespace

std::vector<std::uint8_t> encode_read(AppControl control, std::span<const ReadItem> items) {
    auto out = start_request(control, FunctionCode::read);
    for (const auto& item : items) write_read_item(out, item);
    return out;
}

std::vector<std::uint8_t> encode_class_read(AppControl control, ClassSet classes) {
    auto out = start_request(control, FunctionCode::read);
    const std::pair<bool, std::uint8_t> order[] = {
        {classes.class1, 2}, {classes.class2, 3}, {classes.class3, 4}, {classes.class0, 1}};
    for (const auto& [wanted, variation] : order)
        if (wanted) write_object_header(out, ObjectHeader{60, variation, Qualifier::all, 0, 0, 0});
    return out;
}

std::vector<std::uint8_t> encode_confirm(std::uint8_t seq, bool uns) {
    return start_request(AppControl{true, true, false, uns, static_cast<std::uint8_t>(seq & 0x0F)},
                         FunctionCode::confirm);
}

std::vector<std::uint8_t> encode_write_time(AppControl control, DnpTime time) {
    return write_time_object(control, 1, time);
}

std::vector<std::uint8_t> encode_write_last_recorded_time(AppControl control, DnpTime time) {
    return write_time_object(control, 3, time);
}

std::vector<std::uint8_t> encode_clear_restart(AppControl control) {
    auto out = start_request(control, FunctionCode::write);
    // IIN1.7 DEVICE_RESTART is bit index 7 of the IIN object; one packed octet, value 0.
    write_object_header(out, ObjectHeader{80, 1, Qualifier::start_stop_8, 7, 7, 1});
    wire::put_u8(out, 0x00);
    return out;
}

std::vector<std::uint8_t> encode_function_only(AppControl control, FunctionCode function) {
    return start_request(control, function);
}

// ---------------------------------------------------------------- parsing

namespace {

using detail::error_at;
using detail::object_name;

bool parse_read_objects(wire::Reader& r, Request& req, ParseError& error) {
    while (!r.at_end()) {
        RequestObject obj;
        if (!detail::read_object_header(r, obj.header, error)) return false;
        // A READ carries no object data, so every header can be parsed whatever its group;
        // whether the object is known is the outstation's answer (IIN2.1), not a parse error.
        if (detail::is_index_qualifier(obj.header.qualifier)) {
            const std::size_t width = detail::prefix_size(obj.header.qualifier);
            if (obj.header.count > r.remaining() / width) {
                error = error_at(r.offset(), "truncated index list of " +
                                                 object_name(obj.header.group, obj.header.variation));
                return false;
            }
            obj.indices.reserve(obj.header.count);
            for (std::uint32_t i = 0; i < obj.header.count; ++i) {
                std::uint64_t index = 0;
                r.le(width, index);
                obj.indices.push_back(static_cast<std::uint32_t>(index));
            }
        }
        req.objects.push_back(std::move(obj));
    }
    return true;
}

bool parse_write_objects(wire::Reader& r, Request& req, ParseError& error) {
    while (!r.at_end()) {
        const std::size_t at = r.offset();
        RequestObject obj;
        ObjectHeader& h = obj.header;
        if (!detail::read_object_header(r, h, error)) return false;
        const std::string name = object_name(h.group, h.variation);
        if (h.group == 50 && (h.variation == 1 || h.variation == 3)) {
            if (!detail::is_count_qualifier(h.qualifier) || h.count != 1) {
                error = error_at(at, "WRITE " + name + " needs qualifier 07/08 with count 1");
                return false;
            }
            std::uint64_t t = 0;
            if (!r.le(6, t)) {
                error = error_at(r.offset(), "truncated time in WRITE " + name);
                return false;
            }
            obj.time = t;
        } else if (h.group == 80 && h.variation == 1) {
            if (!detail::is_range_qualifier(h.qualifier)) {
                error = error_at(at, "WRITE g80v1 needs a start-stop qualifier");
                return false;
            }
            const std::size_t octets = (std::size_t{h.count} + 7) / 8;
            if (!r.has(octets)) {
                error = error_at(r.offset(), "truncated bits in WRITE g80v1");
                return false;
            }
            const auto bits = r.rest().first(octets);
            obj.iin_bits.reserve(h.count);
            for (std::uint32_t i = 0; i < h.count; ++i)
                obj.iin_bits.emplace_back(h.start + i, ((bits[i / 8] >> (i % 8)) & 1u) != 0);
            r.skip(octets);
        } else {
            error = error_at(at, "object " + name + " not supported in WRITE");
            return false;
        }
        req.objects.push_back(std::move(obj));
    }
    return true;
}

}  // namespace

std::variant<Request, ParseError> parse_request(std::span<const std::uint8_t> fragment) {
    wire::Reader r(fragment);
    std::uint8_t control = 0;
    std::uint8_t function = 0;
    if (!r.u8(control) || !r.u8(function)) return error_at(0, "request shorter than 2 octets");
    Request req;
    req.control = AppControl::decode(control);
    req.function = static_cast<FunctionCode>(function);

    ParseError error;
    switch (req.function) {
        case FunctionCode::read:
            if (!parse_read_objects(r, req, error)) return error;
            return req;
        case FunctionCode::write:
            if (!parse_write_objects(r, req, error)) return error;
            return req;
        case FunctionCode::confirm:
        case FunctionCode::cold_restart:
        case FunctionCode::warm_restart:
        case FunctionCode::delay_measure:
        case FunctionCode::record_current_time:
            if (!r.at_end())
                return error_at(r.offset(), std::string("unexpected objects after ") + to_string(req.function));
            return req;
        case FunctionCode::response:
        case FunctionCode::unsolicited_response:
            return error_at(1, "a response is not a request");
    }
    // Any other function code: returned unparsed, so the outstation can answer it with
    // IIN2.0 NO_FUNC_CODE_SUPPORT instead of staying silent.
    return req;
}

}  // namespace gridgate::dnp3
