// LocalSeriesResolver: local timestamps of a meter's interval records, in recording order,
// to UTC. The order resolves the repeated hour of a fall-back day.
#include "gridgate/core/time_zone.hpp"

namespace gridgate {

LocalSeriesResolver::LocalSeriesResolver(TimeZone zone, std::optional<TimestampUs> previous_utc)
    : zone_(std::move(zone)), previous_(previous_utc) {}

LocalSeriesResolver::Step LocalSeriesResolver::next(LocalTime local, std::optional<bool> dst_hint) {
    const UtcConversion by_policy = zone_.to_utc(local, dst_hint);
    Step step{by_policy.utc_us, by_policy.kind, by_policy.guessed};
    if (by_policy.kind == LocalKind::ambiguous && by_policy.guessed && previous_) {
        const LocalResolution r = zone_.resolve(local);
        if (r.earlier_us <= *previous_ && r.later_us > *previous_) {
            // The first pass is already behind us: this is the repeated hour.
            step = {r.later_us, r.kind, false};
        } else if (r.later_us <= *previous_) {
            // Both passes are behind the previous record (its clock went back, or a
            // duplicate): take the later, the smaller step back, and say it was a guess.
            step = {r.later_us, r.kind, true};
        }
        // Otherwise both are ahead: the earlier is the natural next record, but a record
        // skipped by an outage would make the later one right, so it stays a guess.
    }
    previous_ = step.utc_us;
    return step;
}

}  // namespace gridgate
