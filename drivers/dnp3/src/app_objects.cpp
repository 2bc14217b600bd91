// DNP3 application layer basics: control octet, IIN, function and object catalogue,
// object headers (IEEE 1815 §4.2.2, §4.2.2.5, §4.2.2.7 and Annex A object definitions).
#include <array>

#include "app_codec.hpp"

namespace gridgate::dnp3 {

namespace {
constexpr std::uint8_t fir_bit = 0x80;
constexpr std::uint8_t fin_bit = 0x40;
constexpr std::uint8_t con_bit = 0x20;
constexpr std::uint8_t uns_bit = 0x10;
constexpr std::uint8_t seq_mask = 0x0F;
}  // namespace

const char* to_string(FunctionCode f) {
    switch (f) {
        case FunctionCode::confirm: return "CONFIRM";
        case FunctionCode::read: return "READ";
        case FunctionCode::write: return "WRITE";
        case FunctionCode::cold_restart: return "COLD_RESTART";
        case FunctionCode::warm_restart: return "WARM_RESTART";
        case FunctionCode::delay_measure: return "DELAY_MEASURE";
        case FunctionCode::record_current_time: return "RECORD_CURRENT_TIME";
        case FunctionCode::response: return "RESPONSE";
        case FunctionCode::unsolicited_response: return "UNSOLICITED_RESPONSE";
    }
    return "UNKNOWN";
}

std::uint8_t AppControl::encode() const {
    return static_cast<std::uint8_t>((fir ? fir_bit : 0) | (fin ? fin_bit : 0) | (con ? con_bit : 0) |
                                     (uns ? uns_bit : 0) | (seq & seq_mask));
}

AppControl AppControl::decode(std::uint8_t octet) {
    return AppControl{(octet & fir_bit) != 0, (octet & fin_bit) != 0, (octet & con_bit) != 0, (octet & uns_bit) != 0,
                      static_cast<std::uint8_t>(octet & seq_mask)};
}

std::string Iin::describe() const {
    static constexpr std::array<const char*, 16> names = {
        "BROADCAST",           "CLASS1_EVENTS",  "CLASS2_EVENTS",   "CLASS3_EVENTS",
        "NEED_TIME",           "LOCAL_CONTROL",  "DEVICE_TROUBLE",  "DEVICE_RESTART",
        "NO_FUNC_CODE_SUPPORT", "OBJECT_UNKNOWN", "PARAMETER_ERROR", "EVENT_BUFFER_OVERFLOW",
        "ALREADY_EXECUTING",   "CONFIG_CORRUPT", "IIN2.6",          "IIN2.7",
    };
    std::string s;
    for (std::size_t bit = 0; bit < names.size(); ++bit) {
        if ((bits & (1u << bit)) == 0) continue;
        if (!s.empty()) s += '|';
        s += names[bit];
    }
    return s;
}

const char* to_string(PointKind k) {
    switch (k) {
        case PointKind::binary_input: return "binary_input";
        case PointKind::binary_input_event: return "binary_input_event";
        case PointKind::binary_output: return "binary_output";
        case PointKind::counter: return "counter";
        case PointKind::frozen_counter: return "frozen_counter";
        case PointKind::counter_event: return "counter_event";
        case PointKind::frozen_counter_event: return "frozen_counter_event";
        case PointKind::analog_input: return "analog_input";
        case PointKind::analog_input_event: return "analog_input_event";
    }
    return "unknown";
}

bool is_event(PointKind k) {
    return k == PointKind::binary_input_event || k == PointKind::counter_event ||
           k == PointKind::frozen_counter_event || k == PointKind::analog_input_event;
}

namespace detail {

std::optional<PointLayout> point_layout(std::uint8_t group, std::uint8_t variation) {
    using VT = ValueType;
    auto packed = [](PointKind k) { return PointLayout{k, true, false, VT::bit, 0, false, false}; };
    auto flag_only = [](PointKind k, bool time48, bool relative) {
        return PointLayout{k, false, true, VT::none, 0, time48, relative};
    };
    auto value = [](PointKind k, bool flags, VT type, std::size_t size, bool time48) {
        return PointLayout{k, false, flags, type, size, time48, false};
    };
    const auto u = VT::unsigned_int;
    const auto s = VT::signed_int;
    const auto f = VT::real;

    switch (group) {
        case 1:
            if (variation == 1) return packed(PointKind::binary_input);
            if (variation == 2) return flag_only(PointKind::binary_input, false, false);
            break;
        case 2:
            if (variation == 1) return flag_only(PointKind::binary_input_event, false, false);
            if (variation == 2) return flag_only(PointKind::binary_input_event, true, false);
            if (variation == 3) return flag_only(PointKind::binary_input_event, false, true);
            break;
        case 10:
            if (variation == 1) return packed(PointKind::binary_output);
            if (variation == 2) return flag_only(PointKind::binary_output, false, false);
            break;
        case 20: {
            const auto k = PointKind::counter;
            if (variation == 1) return value(k, true, u, 4, false);
            if (variation == 2) return value(k, true, u, 2, false);
            if (variation == 5) return value(k, false, u, 4, false);
            if (variation == 6) return value(k, false, u, 2, false);
            break;
        }
        case 21: {
            const auto k = PointKind::frozen_counter;
            if (variation == 1) return value(k, true, u, 4, false);
            if (variation == 2) return value(k, true, u, 2, false);
            if (variation == 5) return value(k, true, u, 4, true);
            if (variation == 6) return value(k, true, u, 2, true);
            if (variation == 9) return value(k, false, u, 4, false);
            if (variation == 10) return value(k, false, u, 2, false);
            break;
        }
        case 22:
        case 23: {
            const auto k = group == 22 ? PointKind::counter_event : PointKind::frozen_counter_event;
            if (variation == 1) return value(k, true, u, 4, false);
            if (variation == 2) return value(k, true, u, 2, false);
            if (variation == 5) return value(k, true, u, 4, true);
            if (variation == 6) return value(k, true, u, 2, true);
            break;
        }
        case 30: {
            const auto k = PointKind::analog_input;
            if (variation == 1) return value(k, true, s, 4, false);
            if (variation == 2) return value(k, true, s, 2, false);
            if (variation == 3) return value(k, false, s, 4, false);
            if (variation == 4) return value(k, false, s, 2, false);
            if (variation == 5) return value(k, true, f, 4, false);
            if (variation == 6) return value(k, true, f, 8, false);
            break;
        }
        case 32: {
            const auto k = PointKind::analog_input_event;
            if (variation == 1) return value(k, true, s, 4, false);
            if (variation == 2) return value(k, true, s, 2, false);
            if (variation == 3) return value(k, true, s, 4, true);
            if (variation == 4) return value(k, true, s, 2, true);
            if (variation == 5) return value(k, true, f, 4, false);
            if (variation == 6) return value(k, true, f, 8, false);
            if (variation == 7) return value(k, true, f, 4, true);
            if (variation == 8) return value(k, true, f, 8, true);
            break;
        }
        default: break;
    }
    return std::nullopt;
}

ParseError error_at(std::size_t offset, std::string message) {
    message += " at offset " + std::to_string(offset);
    return ParseError{std::move(message), offset};
}

std::string hex_octet(std::uint8_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    return {digits[v >> 4], digits[v & 0x0F]};
}

std::string object_name(std::uint8_t group, std::uint8_t variation) {
    return "g" + std::to_string(group) + "v" + std::to_string(variation);
}

bool read_object_header(wire::Reader& r, ObjectHeader& h, ParseError& error) {
    const std::size_t at = r.offset();
    std::uint8_t q = 0;
    if (!r.u8(h.group) || !r.u8(h.variation) || !r.u8(q)) {
        error = error_at(at, "truncated object header");
        return false;
    }
    h.qualifier = static_cast<Qualifier>(q);
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    switch (h.qualifier) {
        case Qualifier::start_stop_8:
        case Qualifier::start_stop_16: {
            const std::size_t n = h.qualifier == Qualifier::start_stop_8 ? 1 : 2;
            if (!r.le(n, a) || !r.le(n, b)) {
                error = error_at(at, "truncated range of " + object_name(h.group, h.variation));
                return false;
            }
            if (b < a) {
                error = error_at(at, "stop before start in " + object_name(h.group, h.variation));
                return false;
            }
            h.start = static_cast<std::uint32_t>(a);
            h.stop = static_cast<std::uint32_t>(b);
            h.count = static_cast<std::uint32_t>(b - a + 1);
            return true;
        }
        case Qualifier::all:
            h.start = h.stop = h.count = 0;
            return true;
        case Qualifier::count_8:
        case Qualifier::count_16:
        case Qualifier::index_8:
        case Qualifier::index_16: {
            const bool wide = h.qualifier == Qualifier::count_16 || h.qualifier == Qualifier::index_16;
            if (!r.le(wide ? 2 : 1, a)) {
                error = error_at(at, "truncated count of " + object_name(h.group, h.variation));
                return false;
            }
            h.start = h.stop = 0;
            h.count = static_cast<std::uint32_t>(a);
            return true;
        }
    }
    error = error_at(at + 2, "qualifier 0x" + hex_octet(q) + " not supported");
    return false;
}

void write_object_header(std::vector<std::uint8_t>& out, const ObjectHeader& h) {
    wire::put_u8(out, h.group);
    wire::put_u8(out, h.variation);
    wire::put_u8(out, static_cast<std::uint8_t>(h.qualifier));
    switch (h.qualifier) {
        case Qualifier::start_stop_8:
            wire::put_le(out, h.start, 1);
            wire::put_le(out, h.stop, 1);
            break;
        case Qualifier::start_stop_16:
            wire::put_le(out, h.start, 2);
            wire::put_le(out, h.stop, 2);
            break;
        case Qualifier::all: break;
        case Qualifier::count_8:
        case Qualifier::index_8: wire::put_le(out, h.count, 1); break;
        case Qualifier::count_16:
        case Qualifier::index_16: wire::put_le(out, h.count, 2); break;
    }
}

}  // namespace detail

std::size_t object_size(std::uint8_t group, std::uint8_t variation) {
    if (const auto layout = detail::point_layout(group, variation)) return layout->packed ? 0 : layout->size();
    if ((group == 50 && (variation == 1 || variation == 3)) || (group == 51 && (variation == 1 || variation == 2)))
        return 6;
    if (group == 52 && (variation == 1 || variation == 2)) return 2;
    return 0;
}

bool is_supported(std::uint8_t group, std::uint8_t variation) {
    return object_size(group, variation) != 0 || (group == 1 && variation == 1) || (group == 10 && variation == 1) ||
           (group == 60 && variation >= 1 && variation <= 4) || (group == 80 && variation == 1);
}

}  // namespace gridgate::dnp3
