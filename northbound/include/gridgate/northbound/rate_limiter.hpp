#pragma once
// Rate limiting of a sink's publishes (pure: the caller passes the time, so tests step it
// by hand). Metered cellular links are paid per byte and some brokers throttle per
// message, so a sink can cap both; the forwarder asks before each readings batch.
#include <chrono>
#include <cstddef>

#include "gridgate/core/time.hpp"

namespace gridgate::northbound {

// A token bucket: `rate_per_s` tokens a second, holding at most `burst` (at least one).
// It starts full. A rate of 0 means unlimited. Spending may take the balance below zero:
// a message is never split, so one larger than the burst goes out as soon as a token is
// there and its debt delays what follows; over any long span the rate holds exactly.
class TokenBucket {
public:
    TokenBucket(double rate_per_s, double burst);

    bool unlimited() const { return rate_ <= 0; }
    // The earliest time at which at least one token is available: `now` if one is.
    SteadyTime ready_at(SteadyTime now);
    void spend(double tokens, SteadyTime now);
    // The balance at `now` (negative while in debt); for tests and diagnostics.
    double balance(SteadyTime now);

private:
    void refill(SteadyTime now);

    double rate_;
    double burst_;
    double tokens_;
    SteadyTime last_{};
    bool started_ = false;
};

struct RateLimits {
    double max_messages_per_s = 0;  // 0 = unlimited
    double max_bytes_per_s = 0;     // 0 = unlimited
};

// Both limits of one sink. Each bucket may burst what its rate allows in burst_window
// (at least one message, at least one byte), so a sink starting after a quiet spell
// sends a couple of batches at once and then settles to the rate.
class RateLimiter {
public:
    static constexpr Duration burst_window = std::chrono::milliseconds(100);

    explicit RateLimiter(RateLimits limits);

    bool unlimited() const { return messages_.unlimited() && bytes_.unlimited(); }
    // When the next message may go: `now` if it may go at once.
    SteadyTime ready_at(SteadyTime now);
    // A message of `bytes` went out at `now`.
    void record(std::size_t bytes, SteadyTime now);

private:
    TokenBucket messages_;
    TokenBucket bytes_;
};

}  // namespace gridgate::northbound
