// DNP3 responses: parsing on the master side, building on the outstation side.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "app_codec.hpp"

namespace gridgate::dnp3 {

namespace {

using detail::error_at;
using detail::object_name;
using detail::PointLayout;
using detail::ValueType;

constexpr std::uint8_t state_bit = flags::state;

// Decodes one object of `layout` at the reader (the caller has checked the size).
PointValue read_point(wire::Reader& r, const PointLayout& layout, std::uint8_t group, std::uint8_t variation,
                      std::uint32_t index, std::optional<DnpTime> cto) {
    PointValue p;
    p.kind = layout.kind;
    p.group = group;
    p.variation = variation;
    p.index = index;
    if (layout.flags) {
        r.u8(p.flags);
        p.has_flags = true;
        if (detail::is_binary(layout.kind)) p.value = (p.flags & state_bit) ? 1.0 : 0.0;
    }
    std::uint64_t raw = 0;
    if (layout.value_size > 0) {
        r.le(layout.value_size, raw);
        switch (layout.type) {
            case ValueType::unsigned_int: p.value = static_cast<double>(raw); break;
            case ValueType::signed_int:
                p.value = layout.value_size == 2 ? static_cast<double>(static_cast<std::int16_t>(raw))
                                                 : static_cast<double>(static_cast<std::int32_t>(raw));
                break;
            case ValueType::real:
                p.value = layout.value_size == 4
                              ? static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(raw)))
                              : std::bit_cast<double>(raw);
                break;
            case ValueType::none:
            case ValueType::bit: break;
        }
    }
    if (layout.time48) {
        std::uint64_t t = 0;
        r.le(6, t);
        p.time = t;
    }
    if (layout.relative_time) {
        std::uint64_t rel = 0;
        r.le(2, rel);
        p.time = (*cto + rel) & wire::time48_mask;  // DNP3 time is 48 bits, and so is every DnpTime we return
    }
    return p;
}

// The part of a response that holds state across object headers.
struct ResponseParser {
    wire::Reader r;
    Response resp;
    std::optional<DnpTime> cto;  // the last common time of occurrence (g51)
    ParseError error;

    bool fail(std::size_t at, std::string message) {
        error = error_at(at, std::move(message));
        return false;
    }

    // Checks that `count` objects of `size` octets, each after a `prefix`-octet index,
    // are all there, before anything is allocated for them.
    bool objects_present(const ObjectHeader& h, std::size_t size, std::size_t prefix) {
        if (h.count > r.remaining() / (size + prefix))
            return fail(r.offset(), "truncated objects of " + object_name(h.group, h.variation) + " (count " +
                                        std::to_string(h.count) + ")");
        return true;
    }

    std::uint32_t next_index(const ObjectHeader& h, std::uint32_t i) {
        const std::size_t prefix = detail::prefix_size(h.qualifier);
        if (prefix == 0) return detail::implied_index(h, i);
        std::uint64_t index = 0;
        r.le(prefix, index);
        return static_cast<std::uint32_t>(index);
    }

    bool packed(const ObjectHeader& h, const PointLayout* layout) {
        if (detail::is_index_qualifier(h.qualifier))
            return fail(r.offset(), "packed " + object_name(h.group, h.variation) + " with an index qualifier");
        const std::size_t octets = (std::size_t{h.count} + 7) / 8;
        if (!r.has(octets)) return fail(r.offset(), "truncated bits of " + object_name(h.group, h.variation));
        const auto bits = r.rest().first(octets);
        if (layout) {
            for (std::uint32_t i = 0; i < h.count; ++i) {
                PointValue p;
                p.kind = layout->kind;
                p.group = h.group;
                p.variation = h.variation;
                p.index = detail::implied_index(h, i);
                p.value = ((bits[i / 8] >> (i % 8)) & 1u) ? 1.0 : 0.0;
                resp.points.push_back(p);
            }
        }
        r.skip(octets);
        return true;
    }

    bool points(const ObjectHeader& h, const PointLayout& layout) {
        const std::size_t prefix = detail::prefix_size(h.qualifier);
        if (!objects_present(h, layout.size(), prefix)) return false;
        if (layout.relative_time && !cto && h.count > 0)
            return fail(r.offset(), object_name(h.group, h.variation) + " without a preceding CTO (g51)");
        resp.points.reserve(resp.points.size() + h.count);
        for (std::uint32_t i = 0; i < h.count; ++i) {
            const std::uint32_t index = next_index(h, i);
            resp.points.push_back(read_point(r, layout, h.group, h.variation, index, cto));
        }
        return true;
    }

    // Objects that are not points: time (g50), CTO (g51), delay (g52), IIN bits (g80).
    bool other(const ObjectHeader& h, std::size_t at) {
        const std::size_t size = object_size(h.group, h.variation);
        if (h.group == 80 && h.variation == 1) return packed(h, nullptr);
        if (size == 0) return fail(at, "object " + object_name(h.group, h.variation) + " not supported");
        if (!objects_present(h, size, detail::prefix_size(h.qualifier))) return false;
        for (std::uint32_t i = 0; i < h.count; ++i) {
            next_index(h, i);
            std::uint64_t v = 0;
            r.le(size, v);
            if (h.group == 50 && h.variation == 1) resp.time = v;
            else if (h.group == 51) cto = v;
            else if (h.group == 52) resp.delay_ms = static_cast<std::uint32_t>(h.variation == 1 ? v * 1000 : v);
            // g50v3 (last recorded time) is only ever written by a master; skipped here.
        }
        return true;
    }

    bool run() {
        std::uint8_t control = 0;
        std::uint8_t function = 0;
        std::uint8_t iin1 = 0;
        std::uint8_t iin2 = 0;
        if (!r.u8(control) || !r.u8(function) || !r.u8(iin1) || !r.u8(iin2))
            return fail(0, "response shorter than 4 octets");
        if (function != static_cast<std::uint8_t>(FunctionCode::response) &&
            function != static_cast<std::uint8_t>(FunctionCode::unsolicited_response))
            return fail(1, "function " + std::to_string(function) + " is not a response");
        resp.control = AppControl::decode(control);
        resp.function = static_cast<FunctionCode>(function);
        resp.iin.bits = static_cast<std::uint16_t>(iin1 | (iin2 << 8));

        while (!r.at_end()) {
            const std::size_t at = r.offset();
            ObjectHeader h;
            if (!detail::read_object_header(r, h, error)) return false;
            if (h.qualifier == Qualifier::all)
                return fail(at + 2, "qualifier 0x06 in a response (" + object_name(h.group, h.variation) + ")");
            resp.headers.push_back(h);
            const auto layout = detail::point_layout(h.group, h.variation);
            const bool ok = !layout ? other(h, at) : layout->packed ? packed(h, &*layout) : points(h, *layout);
            if (!ok) return false;
        }
        return true;
    }
};

// ---------------------------------------------------------------- building

std::uint64_t clamp_unsigned(double v, std::size_t octets) {
    const double max = octets == 2 ? 65535.0 : 4294967295.0;
    if (!(v > 0.0)) return 0;  // also NaN
    if (v >= max) return static_cast<std::uint64_t>(max);
    return static_cast<std::uint64_t>(std::llround(v));
}

std::uint64_t clamp_signed(double v, std::size_t octets) {
    const double max = octets == 2 ? 32767.0 : 2147483647.0;
    const double min = -max - 1.0;
    std::int64_t i = 0;
    if (std::isnan(v)) i = 0;
    else if (v >= max) i = static_cast<std::int64_t>(max);
    else if (v <= min) i = static_cast<std::int64_t>(min);
    else i = std::llround(v);
    return static_cast<std::uint64_t>(i);  // two's complement; put_le keeps the low octets
}

float to_float(double v) {
    // A finite double outside float's range has no float value (converting it is undefined
    // behaviour); the meter's own behaviour for over-range values is to saturate.
    constexpr double max = std::numeric_limits<float>::max();
    if (std::isfinite(v) && v > max) return std::numeric_limits<float>::max();
    if (std::isfinite(v) && v < -max) return std::numeric_limits<float>::lowest();
    return static_cast<float>(v);
}

void write_point(std::vector<std::uint8_t>& out, const PointLayout& layout, const PointValue& p, DnpTime cto) {
    if (layout.flags) {
        std::uint8_t f = p.flags;
        if (detail::is_binary(layout.kind))
            f = static_cast<std::uint8_t>((f & ~state_bit) | (p.value != 0.0 ? state_bit : 0));
        wire::put_u8(out, f);
    }
    switch (layout.type) {
        case ValueType::unsigned_int:
            wire::put_le(out, clamp_unsigned(p.value, layout.value_size), layout.value_size);
            break;
        case ValueType::signed_int:
            wire::put_le(out, clamp_signed(p.value, layout.value_size), layout.value_size);
            break;
        case ValueType::real:
            if (layout.value_size == 4) wire::put_le(out, std::bit_cast<std::uint32_t>(to_float(p.value)), 4);
            else wire::put_le(out, std::bit_cast<std::uint64_t>(p.value), 8);
            break;
        case ValueType::none:
        case ValueType::bit: break;
    }
    if (layout.time48) detail::put_time48(out, p.time.value_or(0));
    if (layout.relative_time) wire::put_le(out, p.time.value_or(cto) - cto, 2);
}

constexpr std::size_t response_header_size = 4;

}  // namespace

std::variant<Response, ParseError> parse_response(std::span<const std::uint8_t> fragment) {
    ResponseParser parser{wire::Reader(fragment), {}, std::nullopt, {}};
    if (!parser.run()) return parser.error;
    return std::move(parser.resp);
}

ResponseBuilder::ResponseBuilder(std::size_t max_size) : max_(std::max(max_size, response_header_size)) {}

void ResponseBuilder::begin(AppControl control, Iin iin, FunctionCode function) {
    fragment_.clear();
    fragment_.push_back(control.encode());
    fragment_.push_back(static_cast<std::uint8_t>(function));
    wire::put_u16(fragment_, iin.bits);
}

void ResponseBuilder::set_control(AppControl control) {
    if (!fragment_.empty()) fragment_[0] = control.encode();
}

void ResponseBuilder::set_iin(Iin iin) {
    if (fragment_.size() < response_header_size) return;
    fragment_[2] = static_cast<std::uint8_t>(iin.bits & 0xFF);
    fragment_[3] = static_cast<std::uint8_t>(iin.bits >> 8);
}

std::size_t ResponseBuilder::add_range(std::uint8_t group, std::uint8_t variation, std::uint32_t start,
                                       std::span<const PointValue> values) {
    const auto layout = detail::point_layout(group, variation);
    if (fragment_.size() < response_header_size || values.empty() || !layout || layout->relative_time ||
        start > 0xFFFF)
        return 0;
    const std::size_t limit = std::min<std::size_t>(values.size(), 0x10000 - start);
    // How many values fit after a header of `header` octets.
    auto fit = [&](std::size_t header) -> std::size_t {
        if (room() <= header) return 0;
        const std::size_t octets = room() - header;
        return std::min(limit, layout->packed ? octets * 8 : octets / layout->size());
    };
    std::size_t n = fit(5);
    if (n > 0 && start + n - 1 > 0xFF) n = fit(7);
    if (n == 0) return 0;
    const std::uint32_t stop = static_cast<std::uint32_t>(start + n - 1);
    const Qualifier q = stop <= 0xFF ? Qualifier::start_stop_8 : Qualifier::start_stop_16;
    detail::write_object_header(fragment_,
                                ObjectHeader{group, variation, q, start, stop, static_cast<std::uint32_t>(n)});
    if (layout->packed) {
        const std::size_t first = fragment_.size();
        fragment_.resize(first + (n + 7) / 8, 0);
        for (std::size_t i = 0; i < n; ++i)
            if (values[i].value != 0.0) fragment_[first + i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
    } else {
        for (std::size_t i = 0; i < n; ++i) write_point(fragment_, *layout, values[i], 0);
    }
    return n;
}

std::size_t ResponseBuilder::add_indexed(std::uint8_t group, std::uint8_t variation, Qualifier qualifier,
                                         std::span<const PointValue> values) {
    const auto layout = detail::point_layout(group, variation);
    if (fragment_.size() < response_header_size || values.empty() || !layout || layout->packed ||
        !detail::is_index_qualifier(qualifier))
        return 0;
    const std::size_t prefix = detail::prefix_size(qualifier);
    const std::uint32_t max_index = prefix == 1 ? 0xFF : 0xFFFF;
    // Relative times (g2v3) are offsets from a CTO written just before the header: the
    // first value's time, so events must come in time order within 65.535 s of it.
    const bool relative = layout->relative_time;
    const DnpTime cto = relative ? (values[0].time.value_or(0) & wire::time48_mask) : 0;
    const std::size_t header = 3 + prefix + (relative ? 10 : 0);
    const std::size_t per = prefix + layout->size();

    std::size_t n = 0;
    while (n < values.size() && n < max_index && header + (n + 1) * per <= room()) {
        const PointValue& v = values[n];
        if (v.index > max_index) break;
        if (relative) {
            const DnpTime t = v.time.value_or(cto);
            if (t < cto || t - cto > 0xFFFF) break;
        }
        ++n;
    }
    if (n == 0) return 0;
    if (relative) {
        detail::write_object_header(fragment_, ObjectHeader{51, 1, Qualifier::count_8, 0, 0, 1});
        detail::put_time48(fragment_, cto);
    }
    detail::write_object_header(fragment_,
                                ObjectHeader{group, variation, qualifier, 0, 0, static_cast<std::uint32_t>(n)});
    for (std::size_t i = 0; i < n; ++i) {
        wire::put_le(fragment_, values[i].index, prefix);
        write_point(fragment_, *layout, values[i], cto);
    }
    return n;
}

bool ResponseBuilder::add_time(DnpTime time) {
    constexpr std::size_t size = 4 + 6;
    if (fragment_.size() < response_header_size || room() < size) return false;
    detail::write_object_header(fragment_, ObjectHeader{50, 1, Qualifier::count_8, 0, 0, 1});
    detail::put_time48(fragment_, time);
    return true;
}

bool ResponseBuilder::add_delay_fine(std::uint16_t ms) {
    constexpr std::size_t size = 4 + 2;
    if (fragment_.size() < response_header_size || room() < size) return false;
    detail::write_object_header(fragment_, ObjectHeader{52, 2, Qualifier::count_8, 0, 0, 1});
    wire::put_u16(fragment_, ms);
    return true;
}

}  // namespace gridgate::dnp3
