#pragma once
// Loader internals: readers for one scalar value. Each checks the value, reports what is
// wrong as "must be <what>, got <value as written>" and returns nullopt then. The get_*
// helpers read an optional key of a map into `out`, leaving the default when the key is
// absent or the value is refused.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config_limits.hpp"
#include "config_yaml.hpp"

namespace gridgate::gateway::config_detail {

// Any scalar, as text. Quoted and plain scalars are both strings here.
std::optional<std::string> read_text(const Located& v, Issues& issues, bool allow_empty = false);
// An id: [A-Za-z0-9_.-]{1,64}, so that it can be an MQTT topic segment.
std::optional<std::string> read_identifier(const Located& v, Issues& issues);
// Like read_identifier, but returns the text as written even when it is refused (empty if
// not a scalar), so that references to a badly spelled id do not cause a second issue.
std::string read_name(const Located& v, Issues& issues);
// A host name or IP address: a non-empty scalar without spaces.
std::optional<std::string> read_host(const Located& v, Issues& issues);
// A plain (unquoted) decimal or 0x-hex integer within `range`.
std::optional<long long> read_integer(const Located& v, Issues& issues, IntRange range);
// Exactly true or false.
std::optional<bool> read_boolean(const Located& v, Issues& issues);
// A plain finite number for which `acceptable` holds; `what` describes it ("a finite,
// non-zero number").
std::optional<double> read_number(const Located& v, Issues& issues, std::string_view what,
                                  bool (*acceptable)(double));
// A byte size: a plain integer or a number with a unit (kB, MB, GB, KiB, MiB, GiB; B),
// within `range`.
std::optional<long long> read_size(const Located& v, Issues& issues, IntRange range);
// A duration with its unit ("250ms", "15m") within `range`.
std::optional<Duration> read_duration(const Located& v, Issues& issues, DurationRange range);
// One of `names`; returns its index.
std::optional<std::size_t> read_choice(const Located& v, Issues& issues, std::span<const std::string_view> names);

// "a, b or c"
std::string list_names(std::span<const std::string_view> names);

bool get_text(const MapReader& m, std::string_view key, std::string& out, bool allow_empty = false);
bool get_boolean(const MapReader& m, std::string_view key, bool& out);
bool get_duration(const MapReader& m, std::string_view key, DurationRange range, Duration& out);

template <class T>
bool get_size(const MapReader& m, std::string_view key, IntRange range, T& out) {
    const Located* v = m.find(key);
    if (!v) return false;
    const auto value = read_size(*v, m.issues(), range);
    if (!value) return false;
    out = static_cast<T>(*value);
    return true;
}

template <class T>
bool get_integer(const MapReader& m, std::string_view key, IntRange range, T& out) {
    const Located* v = m.find(key);
    if (!v) return false;
    const auto value = read_integer(*v, m.issues(), range);
    if (!value) return false;
    out = static_cast<T>(*value);
    return true;
}

}  // namespace gridgate::gateway::config_detail
