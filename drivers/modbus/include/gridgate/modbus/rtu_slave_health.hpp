#pragma once
// How one slave address on an RTU line is doing, and what that allows. Pure (time is
// passed in).
//
// - After a timeout, the address is not asked again until a late-reply guard has passed
//   (other addresses are served meanwhile): RTU replies carry no transaction id, so a
//   reply that arrives late must never land in the next transaction to the same slave.
// - After `timeouts_before_backoff` consecutive timeouts the slave is skipped for an
//   exponentially growing period (with jitter, up to `backoff_max`): reads submitted
//   meanwhile fail fast (`backed_off`), so a dead or misbehaving meter costs at most
//   about one timeout per period of line time. When the period ends, the next read is a
//   probe; one answer (data or exception) makes the slave healthy again.
#include <cstdint>
#include <optional>

#include "gridgate/core/backoff.hpp"
#include "gridgate/core/time.hpp"

namespace gridgate::modbus {

struct SlaveHealthOptions {
    unsigned timeouts_before_backoff = 2;
    Duration backoff_initial = std::chrono::seconds(1);
    Duration backoff_max = std::chrono::minutes(5);
};

class SlaveHealth {
public:
    SlaveHealth(const SlaveHealthOptions& options, std::uint64_t seed);

    enum class Admission : std::uint8_t {
        send,        // healthy, or failing but not yet backed off
        probe,       // the backoff period is over: this read tests the slave
        backed_off,  // skip: fail the read at once
    };
    // Decides about a newly submitted read (a probe ends the backoff period).
    Admission admit(SteadyTime now);

    // False while the late-reply guard after a timeout runs.
    bool may_send(SteadyTime now) const { return now >= guard_until_; }
    SteadyTime guard_until() const { return guard_until_; }

    // A read to this slave timed out (or never got a valid reply). Starts the guard;
    // returns the backoff period when the slave is now backed off.
    std::optional<Duration> on_timeout(SteadyTime now, Duration late_reply_guard);
    // A valid reply arrived. Returns true when the slave had been failing.
    bool on_answer();

    unsigned consecutive_timeouts() const { return consecutive_timeouts_; }
    bool backing_off(SteadyTime now) const { return backoff_until_ && now < *backoff_until_; }
    std::optional<SteadyTime> backoff_until() const { return backoff_until_; }

private:
    unsigned timeouts_before_backoff_;
    Backoff backoff_;
    unsigned consecutive_timeouts_ = 0;
    std::optional<SteadyTime> backoff_until_;
    SteadyTime guard_until_{};
};

}  // namespace gridgate::modbus
