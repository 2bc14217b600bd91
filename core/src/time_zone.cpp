// TimeZone: where zones come from (tz directory, POSIX rule, UTC) and the conversions
// between UTC instants and the local wall-clock times meters report.
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "gridgate/core/time_zone.hpp"
#include "time_zone_detail.hpp"

namespace gridgate {
namespace {

using tz_detail::Change;
using tz_detail::LocalType;
using tz_detail::ZoneData;

constexpr std::int64_t us_per_s = 1'000'000;
constexpr std::uintmax_t max_tzif_size = 1 << 20;  // real files are a few KiB
// Local seconds whose UTC µs cannot overflow (about ±285,000 years).
constexpr std::int64_t max_abs_local_s = 9'000'000'000'000;

// Zone names are relative paths inside the tz directory, like "America/New_York" or
// "Etc/GMT+5". Anything that could leave that directory is refused before touching disk.
void check_zone_name(std::string_view name) {
    const auto refuse = [&](std::string_view why) {
        throw TimeZoneError("time zone name \"" + std::string(name) + "\" refused: " + std::string(why));
    };
    if (name.empty()) refuse("empty");
    if (name.size() > 255) refuse("too long");
    if (name.front() == '/') refuse("absolute paths are not zone names");
    for (const char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
                        c == '_' || c == '-' || c == '+' || c == '.';
        if (!ok) refuse("character not allowed in a zone name");
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t slash = std::min(name.find('/', start), name.size());
        const std::string_view part = name.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..") refuse("it must stay inside the tz directory");
        start = slash + 1;
    }
}

std::string read_zone_file(const std::filesystem::path& path, std::string_view name) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) {
        throw TimeZoneError("unknown time zone \"" + std::string(name) + "\": no file " + path.string());
    }
    if (!std::filesystem::is_regular_file(status)) {
        throw TimeZoneError("time zone \"" + std::string(name) + "\": " + path.string() + " is not a zone file");
    }
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec || size > max_tzif_size) {
        throw TimeZoneError("time zone \"" + std::string(name) + "\": " + path.string() + " is unreadable or too large");
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw TimeZoneError("time zone \"" + std::string(name) + "\": cannot read " + path.string());
    return bytes;
}

ZoneOffset to_zone_offset(const LocalType& type) {
    return {type.utc_offset_s, type.dst, type.abbreviation};
}

}  // namespace

TimeZone::TimeZone(std::string name, std::shared_ptr<const ZoneData> data) : name_(std::move(name)), data_(std::move(data)) {}

TimeZone TimeZone::utc() {
    auto data = std::make_shared<ZoneData>();
    data->types.push_back({0, false, "UTC"});
    return TimeZone("UTC", std::move(data));
}

TimeZone TimeZone::load(std::string_view name, const std::filesystem::path& tzdir) {
    check_zone_name(name);
    const std::filesystem::path path = tzdir / std::filesystem::path(std::string(name));
    const std::string bytes = read_zone_file(path, name);
    return TimeZone(std::string(name), std::make_shared<ZoneData>(tz_detail::parse_tzif(bytes, path.string())));
}

TimeZone TimeZone::from_tzif(std::string_view name, std::string_view bytes) {
    return TimeZone(std::string(name), std::make_shared<ZoneData>(tz_detail::parse_tzif(bytes, name)));
}

TimeZone TimeZone::from_posix(std::string_view rule) {
    auto data = std::make_shared<ZoneData>();
    data->footer = tz_detail::parse_posix_rule(rule);
    data->types.push_back(data->footer->standard);
    return TimeZone(std::string(rule), std::move(data));
}

ZoneOffset TimeZone::at(TimestampUs utc) const {
    return to_zone_offset(data_->type_at(tz_detail::floor_div(utc, us_per_s)));
}

LocalTime TimeZone::to_local(TimestampUs utc) const {
    const std::int64_t seconds = tz_detail::floor_div(utc, us_per_s);
    const auto micros = static_cast<std::int32_t>(utc - seconds * us_per_s);
    return {seconds + data_->type_at(seconds).utc_offset_s, micros};
}

LocalResolution TimeZone::resolve(LocalTime local) const {
    if (local.seconds > max_abs_local_s || local.seconds < -max_abs_local_s || local.micros < 0 ||
        local.micros >= us_per_s) {
        throw std::out_of_range("local time out of range: " + std::to_string(local.seconds) + " s");
    }
    const std::int64_t wall = local.seconds;
    // Any UTC instant showing `wall` lies within the largest offset of it. Walk the spans
    // of constant offset in that window; an instant wall - offset inside its own span is
    // a solution. Zero solutions: a gap; two: an overlap.
    const std::int64_t from = wall - tz_detail::max_abs_offset_s - 1;
    const std::int64_t to = wall + tz_detail::max_abs_offset_s + 1;
    const std::vector<Change> changes = data_->changes_between(from, to);
    std::vector<std::int64_t> solutions;
    const LocalType* type = &data_->type_at(from);
    std::int64_t span_start = from;
    for (std::size_t i = 0; i <= changes.size(); ++i) {
        const std::int64_t span_end = i < changes.size() ? changes[i].at_s : to + 1;
        const std::int64_t candidate = wall - type->utc_offset_s;
        if (candidate >= span_start && candidate < span_end) solutions.push_back(candidate);
        if (i < changes.size()) {
            span_start = changes[i].at_s;
            type = changes[i].type;
        }
    }
    const auto us = [&](std::int64_t s) { return s * us_per_s + local.micros; };
    if (solutions.size() == 1) return {LocalKind::unique, us(solutions.front()), us(solutions.front())};
    if (solutions.size() > 1) return {LocalKind::ambiguous, us(solutions.front()), us(solutions.back())};
    // A gap: find the forward jump that skips `wall`.
    const LocalType* before = &data_->type_at(from);
    for (const Change& change : changes) {
        const std::int32_t after_offset = change.type->utc_offset_s;
        if (change.at_s + before->utc_offset_s <= wall && wall < change.at_s + after_offset) {
            return {LocalKind::missing, us(wall - after_offset), us(wall - before->utc_offset_s)};
        }
        before = change.type;
    }
    throw std::logic_error("time zone " + name_ + ": no instant for local time " + format_local_time(local));
}

UtcConversion TimeZone::to_utc(LocalTime local, std::optional<bool> dst_hint) const {
    const LocalResolution r = resolve(local);
    switch (r.kind) {
        case LocalKind::unique: return {r.earlier_us, r.kind, false};
        case LocalKind::missing: return {r.later_us, r.kind, true};
        case LocalKind::ambiguous: break;
    }
    if (dst_hint) {
        const bool earlier_dst = at(r.earlier_us).dst;
        const bool later_dst = at(r.later_us).dst;
        // The hint only decides when the two passes differ in DST (not for a change of
        // standard offset, where both passes are standard time).
        if (earlier_dst != later_dst) return {earlier_dst == *dst_hint ? r.earlier_us : r.later_us, r.kind, false};
    }
    return {r.earlier_us, r.kind, true};
}

}  // namespace gridgate
