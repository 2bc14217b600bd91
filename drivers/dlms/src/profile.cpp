// Profile generic (class 7) buffers: the capture objects that name the columns, the
// decoding of attribute 2 into timestamped entries, and the reference meter's interval
// status word (meter-dlms.md 6.3) turned into reading quality flags.
#include "gridgate/dlms/profile.hpp"

#include <algorithm>
#include <cstdio>

#include "gridgate/core/reading.hpp"

namespace gridgate::dlms {

namespace {

constexpr std::uint16_t class_data = 1;
constexpr std::uint16_t class_clock = 8;

bool integer_in(const Data& d, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
    const auto v = d.as_int();
    if (!v || *v < lo || *v > hi) return false;
    out = *v;
    return true;
}

template <class T>
Parsed<T> invalid(std::string what) {
    Parsed<T> p;
    p.error = std::move(what);
    return p;
}

struct StatusName {
    std::uint32_t bit;
    const char* name;
    std::uint32_t quality;
};

constexpr StatusName status_names[] = {
    {interval_status::normal, "normal", 0},
    {interval_status::midnight, "midnight", 0},
    {interval_status::power_outage, "power_outage", quality::power_outage},
    {interval_status::time_set, "time_set", quality::clock_step},
    {interval_status::dst_change, "dst_change", quality::dst_change},
    {interval_status::test_mode, "test_mode", quality::test_mode},
    {interval_status::configuration, "configuration", quality::config_change},
    {interval_status::freeze, "freeze", 0},
    {interval_status::billing_reset, "billing_reset", quality::billing_reset},
    {interval_status::register_preset, "register_preset", quality::config_change},
    {interval_status::recalibration, "recalibration", quality::config_change},
    {interval_status::diagnostic, "diagnostic", quality::meter_diagnostic},
};

}  // namespace

Parsed<std::vector<CaptureObject>> parse_capture_objects(const Data& attribute3) {
    using P = std::vector<CaptureObject>;
    if (attribute3.tag != DataTag::array) return invalid<P>("capture objects are not an array");
    P objects;
    objects.reserve(attribute3.items.size());
    for (std::size_t i = 0; i < attribute3.items.size(); ++i) {
        const Data& e = attribute3.items[i];
        const std::string where = "capture object " + std::to_string(i) + ": ";
        if (e.tag != DataTag::structure || e.items.size() != 4) return invalid<P>(where + "not a structure of 4");
        std::int64_t class_id = 0, attribute = 0, data_index = 0;
        if (!integer_in(e.items[0], 0, 0xFFFF, class_id)) return invalid<P>(where + "bad class id");
        const Data& name = e.items[1];
        if (name.tag != DataTag::octet_string || name.bytes.size() != 6)
            return invalid<P>(where + "logical name is not an octet-string(6)");
        if (!integer_in(e.items[2], -128, 127, attribute)) return invalid<P>(where + "bad attribute index");
        if (!integer_in(e.items[3], 0, 0xFFFF, data_index)) return invalid<P>(where + "bad data index");
        CaptureObject c;
        c.class_id = static_cast<std::uint16_t>(class_id);
        c.logical_name = *Obis::from_bytes(name.bytes);
        c.attribute = static_cast<std::int8_t>(attribute);
        c.data_index = static_cast<std::uint16_t>(data_index);
        objects.push_back(c);
    }
    Parsed<P> p;
    p.value = std::move(objects);
    return p;
}

Data encode_capture_objects(const std::vector<CaptureObject>& objects) {
    std::vector<Data> items;
    items.reserve(objects.size());
    for (const auto& c : objects)
        items.push_back(Data::structure({
            Data::long_unsigned(c.class_id),
            Data::octet_string(std::vector<std::uint8_t>(c.logical_name.v.begin(), c.logical_name.v.end())),
            Data::integer8(c.attribute),
            Data::long_unsigned(c.data_index),
        }));
    return Data::array(std::move(items));
}

ProfileLayout find_layout(const std::vector<CaptureObject>& columns, const std::optional<Obis>& status_obis) {
    ProfileLayout layout;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const CaptureObject& c = columns[i];
        if (!layout.clock_column && c.class_id == class_clock && c.attribute == 2) layout.clock_column = i;
        if (layout.status_column) continue;
        if (status_obis ? c.logical_name == *status_obis : c.class_id == class_data) layout.status_column = i;
    }
    return layout;
}

ProfileDecode decode_profile_buffer(const Data& buffer, std::size_t column_count, const ProfileLayout& layout,
                                    Duration capture_period, const TimeInterpretation& how,
                                    std::optional<TimestampUs> previous_end_us) {
    ProfileDecode out;
    std::optional<LocalSeriesResolver> series;
    if (how.time_zone) series.emplace(*how.time_zone, previous_end_us);
    if (buffer.tag != DataTag::array) {
        out.error = std::string("buffer is not an array but ") + to_string(buffer.tag);
        return out;
    }
    out.entries.reserve(buffer.items.size());
    // The time of the last entry taken: a null clock continues from it. A skipped entry
    // clears it, since the entries after it can no longer be placed in time.
    // (A flag and a value rather than an optional: GCC 12 sees the optional as maybe
    // uninitialised here.)
    bool have_previous = false;
    TimestampUs previous = 0;
    for (const Data& row : buffer.items) {
        if (row.tag != DataTag::structure || row.items.size() != column_count || !layout.clock_column ||
            *layout.clock_column >= column_count) {
            ++out.skipped;
            have_previous = false;
            continue;
        }
        ProfileEntry entry;
        const Data& clock = row.items[*layout.clock_column];
        std::optional<TimestampUs> end;
        bool resolved = false;
        if (clock.tag == DataTag::null_data) {
            if (have_previous && capture_period.count() > 0) end = previous + capture_period.count();
            entry.time_derived = true;
        } else if (const auto t = date_time_of(clock)) {
            entry.time = *t;
            end = to_utc_us(*t, how);
            if (end && series && reads_as_local(*t, how)) {
                const auto before = series->previous_utc();
                const auto step = series->next(local_time_of(*t), dst_hint_of(*t));
                end = step.utc_us;
                // A first pass of the repeated hour that directly follows the entry before
                // it (at most one capture period on) is the natural next record, whatever
                // the resolver calls it; any other guess, and a missing-hour stamp, is not.
                const bool follows = before && step.utc_us > *before &&
                                     step.utc_us - *before <= std::max<TimestampUs>(capture_period.count(), 0);
                entry.time_suspect = step.kind == LocalKind::missing || (step.guessed && !follows);
                resolved = true;
            }
        }
        // An entry placed otherwise (derived, or with its own deviation) is the order's
        // new reference all the same.
        if (end && series && !resolved) series.emplace(*how.time_zone, *end);
        if (!end) {
            ++out.skipped;
            have_previous = false;
            continue;
        }
        entry.end_us = *end;
        previous = *end;
        have_previous = true;
        if (layout.status_column && *layout.status_column < column_count) {
            std::int64_t status = 0;
            if (integer_in(row.items[*layout.status_column], 0, 0xFFFFFFFF, status))
                entry.status = static_cast<std::uint32_t>(status);
        }
        entry.values.reserve(column_count);
        for (const Data& cell : row.items) entry.values.push_back(cell.as_double());
        out.entries.push_back(std::move(entry));
    }
    return out;
}

std::uint32_t interval_status_quality(std::uint32_t status) {
    std::uint32_t flags = quality::good;
    for (const auto& s : status_names)
        if (status & s.bit) flags |= s.quality;
    return flags;
}

std::string describe_interval_status(std::uint32_t status) {
    if (status == 0) return "none";
    std::string text;
    std::uint32_t known = 0;
    for (const auto& s : status_names) {
        known |= s.bit;
        if (!(status & s.bit)) continue;
        if (!text.empty()) text += '|';
        text += s.name;
    }
    if (const std::uint32_t rest = status & ~known) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%X", rest);
        if (!text.empty()) text += '|';
        text += buf;
    }
    return text;
}

}  // namespace gridgate::dlms
