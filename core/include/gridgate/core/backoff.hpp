#pragma once
// Exponential backoff with full jitter, shared by every reconnecting component.
#include <cstdint>
#include <random>

#include "gridgate/core/time.hpp"

namespace gridgate {

class Backoff {
public:
    Backoff(Duration initial, Duration maximum, std::uint64_t seed = std::random_device{}());
    // Delay before the next attempt; doubles the ceiling each call up to maximum.
    // With jitter the delay is uniform in [ceiling/2, ceiling].
    Duration next();
    void reset();
    unsigned failures() const { return failures_; }

private:
    Duration initial_;
    Duration maximum_;
    Duration ceiling_;
    unsigned failures_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace gridgate
