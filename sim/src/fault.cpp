#include "gridgate/sim/fault.hpp"

#include <charconv>
#include <optional>

namespace gridgate::sim {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool parse_exception_code(std::string_view text, std::uint8_t& out) {
    int base = 10;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        text.remove_prefix(2);
        base = 16;
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 255) return false;
    out = static_cast<std::uint8_t>(value);
    return true;
}

// The faults that take no argument.
std::optional<FaultKind> simple_fault(std::string_view kind) {
    if (kind == "none") return FaultKind::none;
    if (kind == "off") return FaultKind::off;
    if (kind == "garbage") return FaultKind::garbage;
    if (kind == "crc") return FaultKind::crc;
    if (kind == "wrong-address") return FaultKind::wrong_address;
    if (kind == "noise") return FaultKind::noise;
    return std::nullopt;
}

}  // namespace

bool parse_fault(std::string_view text, Fault& out, std::string& error) {
    text = trim(text);
    const auto split = text.find_first_of(" :");
    const std::string_view kind = text.substr(0, split);
    const std::string_view arg = split == std::string_view::npos ? std::string_view{} : trim(text.substr(split + 1));

    Fault fault;
    if (const auto simple = simple_fault(kind)) {
        if (!arg.empty()) {
            error = "fault '" + std::string(kind) + "' takes no argument";
            return false;
        }
        fault.kind = *simple;
    } else if (kind == "slow" || kind == "late") {
        fault.kind = FaultKind::slow;
        if (!parse_duration(std::string(arg), fault.delay)) {
            error = "slow needs a duration such as 500ms or 2s";
            return false;
        }
    } else if (kind == "exception") {
        fault.kind = FaultKind::exception;
        if (!parse_exception_code(arg, fault.exception_code)) {
            error = "exception needs a code 1..255";
            return false;
        }
    } else {
        error = "unknown fault '" + std::string(kind) + "' (" + std::string(fault_usage) + ")";
        return false;
    }
    out = fault;
    return true;
}

bool parse_fault_assignment(std::string_view text, std::string& meter, Fault& out, std::string& error) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        error = "expected <meter>=<fault>, e.g. jem2=off";
        return false;
    }
    meter = std::string(trim(text.substr(0, eq)));
    return parse_fault(text.substr(eq + 1), out, error);
}

std::string to_string(const Fault& fault) {
    switch (fault.kind) {
        case FaultKind::none: return "none";
        case FaultKind::off: return "off";
        case FaultKind::slow: return "slow " + format_duration(fault.delay);
        case FaultKind::exception: return "exception " + std::to_string(fault.exception_code);
        case FaultKind::garbage: return "garbage";
        case FaultKind::crc: return "crc";
        case FaultKind::wrong_address: return "wrong-address";
        case FaultKind::noise: return "noise";
    }
    return "?";
}

std::uint8_t wrong_address_for(std::uint8_t address) {
    constexpr std::uint8_t highest_slave = 247;
    return address >= highest_slave ? std::uint8_t{1} : static_cast<std::uint8_t>(address + 1);
}

}  // namespace gridgate::sim
