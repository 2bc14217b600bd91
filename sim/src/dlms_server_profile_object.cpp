// The load profile object (IC7, 1.0.99.1.0.255, meter-dlms.md §6.3): its attributes and
// the buffer with selective access.
//
// Buffer entry: structure { date-time of the interval end as octet-string(12) (local time,
// deviation per the DeviationMode, DST bit), status double-long-unsigned, one float32 per
// channel }, oldest first.
// Selective access:
//   range (1): the entries whose end is within [from, to], both inclusive, compared in
//     UTC; each bound is converted with the deviation it carries, or in the meter's zone
//     when it has none. A bound with unspecified fields (no complete date) leaves that
//     side open. The restricting object must be the clock column (class 8, attribute 2).
//     A selection of columns is not honoured (the codec reports only how many were
//     selected): all columns are sent.
//   entry (2): entries from_entry..to_entry (1-based, 0 = the last one; from 0 is taken
//     as 1) and columns from_column..to_column (0 = the last one). Out-of-range bounds
//     are clipped; nothing selected gives an empty array.
//   Anything else (another selector, parameters that do not parse, columns from > to)
//     -> other-reason.
#include <algorithm>

#include "dlms_server_impl.hpp"
#include "gridgate/dlms/profile.hpp"

namespace gridgate::sim {

namespace {

using dlms::AccessResult;
using dlms::Data;
using dlms::GetResult;

GetResult fail(AccessResult r) { return {std::nullopt, r}; }

}  // namespace

GetResult DlmsServer::Impl::profile_attribute(std::int8_t attribute,
                                              const std::optional<dlms::SelectiveAccess>& access) const {
    const auto& rows = profile.rows();
    const std::vector<dlms::Obis> channels = dlms_server::profile_channel_obis();
    const std::size_t columns = 2 + channels.size();
    switch (attribute) {
        case 2: break;
        case 3: {
            std::vector<dlms::CaptureObject> capture{{8, dlms::obis::clock, 2, 0},
                                                     {1, dlms_server::operating_status, 2, 0}};
            for (const dlms::Obis& c : channels) capture.push_back({3, c, 2, 0});
            return {dlms::encode_capture_objects(capture), AccessResult::success};
        }
        case 4: {
            const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.capture_period).count();
            return {Data::double_long_unsigned(static_cast<std::uint32_t>(seconds)), AccessResult::success};
        }
        case 5: return {Data::enumeration(1), AccessResult::success};  // FIFO: oldest first
        case 6: return {Data::structure({}), AccessResult::success};   // no sort object
        case 7: return {Data::double_long_unsigned(static_cast<std::uint32_t>(rows.size())), AccessResult::success};
        case 8: return {Data::double_long_unsigned(profile.capacity()), AccessResult::success};
        default: return fail(AccessResult::object_undefined);
    }

    // The buffer: which entries, which columns.
    std::size_t first = 0;
    std::size_t last = rows.size();  // exclusive
    std::size_t first_column = 0;
    std::size_t last_column = columns;  // exclusive
    TimestampUs from_us = INT64_MIN;
    TimestampUs to_us = INT64_MAX;
    if (access) {
        if (access->selector == 1) {
            const auto range = dlms::parse_range_descriptor(access->parameters);
            if (!range) return fail(AccessResult::other_reason);
            const dlms::AttributeDescriptor& by = range.value->restricting;
            if (by.class_id != 8 || by.instance != dlms::obis::clock || by.attribute != 2)
                return fail(AccessResult::other_reason);
            const auto how = dlms_server::meter_time_interpretation(options);
            if (const auto f = dlms::to_utc_us(range.value->from, how)) from_us = *f;
            if (const auto t = dlms::to_utc_us(range.value->to, how)) to_us = *t;
        } else if (access->selector == 2) {
            const auto entries = dlms::parse_entry_descriptor(access->parameters);
            if (!entries) return fail(AccessResult::other_reason);
            const dlms::EntrySelection& e = *entries.value;
            first = std::max<std::size_t>(e.from_entry, 1) - 1;
            if (e.to_entry != 0) last = std::min<std::size_t>(last, e.to_entry);
            first_column = std::max<std::size_t>(e.from_column, 1) - 1;
            if (e.to_column != 0) last_column = std::min<std::size_t>(columns, e.to_column);
            if (first_column >= last_column) return fail(AccessResult::other_reason);
        } else {
            return fail(AccessResult::other_reason);
        }
    }

    std::vector<Data> out;
    for (std::size_t i = first; i < last; ++i) {
        const ProfileRow& row = rows[i];
        if (row.end_us < from_us || row.end_us > to_us) continue;
        std::vector<Data> entry;
        entry.reserve(last_column - first_column);
        for (std::size_t c = first_column; c < last_column; ++c) {
            if (c == 0) {
                const auto octets = dlms::encode_date_time(dlms_server::meter_date_time(row.end_us, options));
                entry.push_back(Data::octet_string({octets.begin(), octets.end()}));
            } else if (c == 1) {
                entry.push_back(Data::double_long_unsigned(row.status));
            } else {
                entry.push_back(Data::float32(static_cast<float>(row.values[c - 2])));
            }
        }
        out.push_back(Data::structure(std::move(entry)));
    }
    return {Data::array(std::move(out)), AccessResult::success};
}

}  // namespace gridgate::sim
