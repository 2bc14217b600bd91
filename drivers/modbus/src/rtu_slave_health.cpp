// Per-slave timeout accounting, late-reply guard and dead-slave backoff.
#include "gridgate/modbus/rtu_slave_health.hpp"

#include <algorithm>

namespace gridgate::modbus {

SlaveHealth::SlaveHealth(const SlaveHealthOptions& options, std::uint64_t seed)
    : timeouts_before_backoff_(std::max(1u, options.timeouts_before_backoff)),
      backoff_(options.backoff_initial, options.backoff_max, seed) {}

SlaveHealth::Admission SlaveHealth::admit(SteadyTime now) {
    if (!backoff_until_) return Admission::send;
    if (now < *backoff_until_) return Admission::backed_off;
    backoff_until_.reset();
    return Admission::probe;
}

std::optional<Duration> SlaveHealth::on_timeout(SteadyTime now, Duration late_reply_guard) {
    ++consecutive_timeouts_;
    guard_until_ = std::max(guard_until_, now + late_reply_guard);
    if (consecutive_timeouts_ < timeouts_before_backoff_) return std::nullopt;
    const Duration period = backoff_.next();
    backoff_until_ = now + period;
    return period;
}

bool SlaveHealth::on_answer() {
    const bool was_failing = consecutive_timeouts_ > 0;
    consecutive_timeouts_ = 0;
    backoff_until_.reset();
    backoff_.reset();
    return was_failing;
}

}  // namespace gridgate::modbus
