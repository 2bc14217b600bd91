#include "gridgate/northbound/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace gridgate::northbound {

namespace {

double seconds_between(SteadyTime from, SteadyTime to) {
    return std::chrono::duration<double>(to - from).count();
}

double burst_for(double rate_per_s) {
    return rate_per_s * std::chrono::duration<double>(RateLimiter::burst_window).count();
}

}  // namespace

TokenBucket::TokenBucket(double rate_per_s, double burst)
    : rate_(std::max(0.0, rate_per_s)), burst_(std::max(1.0, burst)), tokens_(burst_) {}

void TokenBucket::refill(SteadyTime now) {
    if (!started_) {
        started_ = true;
        last_ = now;
        return;
    }
    if (now <= last_) return;  // time never runs backward for a bucket
    tokens_ = std::min(burst_, tokens_ + rate_ * seconds_between(last_, now));
    last_ = now;
}

SteadyTime TokenBucket::ready_at(SteadyTime now) {
    if (unlimited()) return now;
    refill(now);
    if (tokens_ >= 1.0) return now;
    // Round up to the next microsecond: waking a hair early would only find the bucket
    // still short and wait again.
    const double wait_us = std::ceil((1.0 - tokens_) / rate_ * 1e6);
    return last_ + Duration(static_cast<Duration::rep>(wait_us));
}

void TokenBucket::spend(double tokens, SteadyTime now) {
    if (unlimited()) return;
    refill(now);
    tokens_ -= tokens;
}

double TokenBucket::balance(SteadyTime now) {
    refill(now);
    return tokens_;
}

RateLimiter::RateLimiter(RateLimits limits)
    : messages_(limits.max_messages_per_s, burst_for(limits.max_messages_per_s)),
      bytes_(limits.max_bytes_per_s, burst_for(limits.max_bytes_per_s)) {}

SteadyTime RateLimiter::ready_at(SteadyTime now) { return std::max(messages_.ready_at(now), bytes_.ready_at(now)); }

void RateLimiter::record(std::size_t bytes, SteadyTime now) {
    messages_.spend(1.0, now);
    bytes_.spend(static_cast<double>(bytes), now);
}

}  // namespace gridgate::northbound
