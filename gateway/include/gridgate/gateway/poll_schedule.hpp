#pragma once
// When to poll a meter. Polls land on wall-clock boundaries (a 15-minute poll at
// :00/:15/:30/:45) plus a fixed per-meter offset (the configured jitter, spread
// deterministically so meters sharing a link do not all fire at once). Pure logic,
// driven by the caller's clock, so alignment, overruns and clock steps are testable.
//
// A poll that runs past its next slot is never stacked up: the slots it covered are
// counted as overruns and the next poll is the first slot after it finished. A wall
// clock stepped backwards realigns to the next slot from the new time instead of
// waiting out the step; a step forward gives one poll, not a burst.
#include <cstdint>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate::gateway {

class PollSchedule {
public:
    PollSchedule(Duration interval, Duration offset);

    // First slot strictly after wall time t.
    TimestampUs next_slot_after(TimestampUs t) const;

    // How long to wait from wall time `now` until the next poll is due (zero if due).
    // Sets the first target on the first call.
    Duration time_until_due(TimestampUs now);

    // The slot the pending poll belongs to (0 before the first call).
    TimestampUs target() const { return target_; }

    // Records that the poll for target() ended at wall time `now` after running for
    // `took` (steady time). Returns the number of slots it overran.
    std::uint64_t poll_finished(TimestampUs now, Duration took);

    std::uint64_t overruns() const { return overruns_; }
    std::uint64_t realignments() const { return realignments_; }  // wall-clock steps seen
    Duration interval() const { return interval_; }
    Duration offset() const { return offset_; }

private:
    Duration interval_;
    Duration offset_;
    TimestampUs target_ = 0;
    std::uint64_t overruns_ = 0;
    std::uint64_t realignments_ = 0;
};

// A stable offset in [0, jitter) for a meter id (same id, same offset after restart).
Duration jitter_offset(std::string_view meter_id, Duration jitter);

}  // namespace gridgate::gateway
