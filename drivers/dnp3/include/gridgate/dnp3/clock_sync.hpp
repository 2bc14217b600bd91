#pragma once
// How a MasterSession lets its owner decide about the outstation's clock.
//
// The session measures (READ g50v1, noting when the request left and the answer came
// back) and performs the set procedures; whether a measured clock is set is the owner's
// decision (the gateway's meter clock policy). With SessionOptions::clock_decider set:
//   - every time check (periodic, requested, a recheck, or NEED_TIME from the outstation)
//     hands its ClockMeasurement to the decider, on the line's executor;
//   - a verdict `set` runs the configured procedure (LAN: RECORD_CURRENT_TIME + WRITE
//     g50v3; non-LAN: DELAY_MEASURE + WRITE g50v1) at once, in the same hold of the line,
//     then reads the clock again and reports through SessionOptions::on_time_set;
//   - `recheck_after` asks for another check that long from now (a postponed set);
//   - the session's own tolerance rule (time_tolerance) is not used, NEED_TIME only asks
//     for a check, and no "dnp3_time_checked" event is emitted (the owner audits).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gridgate/core/time.hpp"

namespace gridgate::dnp3 {

enum class TimeSyncMode : std::uint8_t {
    none,     // never set the clock (offsets are still measured if time_check_period > 0)
    lan,      // RECORD_CURRENT_TIME then WRITE g50v3 (IEEE 1815 LAN procedure): TCP
    non_lan,  // DELAY_MEASURE then WRITE g50v1 corrected by the measured delay: serial
};
const char* to_string(TimeSyncMode m);

// One reading of the outstation's clock.
struct ClockMeasurement {
    TimestampUs sent_us = 0;      // gateway UTC when the READ g50v1 request's first octet left
    TimestampUs received_us = 0;  // gateway UTC when its answer arrived
    // The outstation's time as UTC µs (from its local time when SessionOptions::
    // meter_time_zone is set); nullopt when the answer carried no time.
    std::optional<TimestampUs> meter_us;
    bool need_time = false;  // IIN NEED_TIME in that answer: the outstation asks to be set
};

struct ClockVerdict {
    bool set = false;
    std::string reason;                     // why: logs and the dnp3_time_set event
    std::optional<Duration> recheck_after;  // check again this long from now
};
using ClockDecider = std::function<ClockVerdict(const ClockMeasurement&)>;

// How a set the decider asked for went.
struct TimeSetResult {
    // ok; rejected (the outstation answered with an error IIN); failed (no answer, the
    // session stopped, or time_sync is none).
    std::string result;
    TimeSyncMode procedure = TimeSyncMode::none;
    std::optional<ClockMeasurement> after;  // the read after an accepted set (meter_us nullopt: no time in it)
    TimestampUs at_us = 0;                  // gateway UTC when the set ended
    std::string error;                      // for failed
};
using TimeSetHandler = std::function<void(const TimeSetResult&)>;

}  // namespace gridgate::dnp3
