#pragma once
// DNP3 absolute time (g50, ms since 1970-01-01) as an outstation keeps it: UTC, or its
// local wall time (IEEE 1815 recommends UTC, but meters that keep revenue data in local
// time, like the reference meter, may run their DNP3 clock in local time too). Pure.
#include <optional>

#include "gridgate/core/time.hpp"
#include "gridgate/core/time_zone.hpp"
#include "gridgate/dnp3/app.hpp"

namespace gridgate::dnp3 {

// The instant a time the outstation reported stands for. zone nullopt: the time is UTC.
// A local time of the repeated fall-back hour (two instants) or of the skipped spring
// hour (none; read as either offset) is taken as the candidate nearest `near_utc_us`, the
// gateway's time of the exchange: a clock being checked is expected close to ours, and a
// wrong pick would show as a one-hour offset and a needless set.
TimestampUs meter_time_to_utc(DnpTime time, const std::optional<TimeZone>& zone, TimestampUs near_utc_us);

// The time to write so that the outstation's clock reads the instant `utc_us`.
DnpTime utc_to_meter_time(TimestampUs utc_us, const std::optional<TimeZone>& zone);

}  // namespace gridgate::dnp3
