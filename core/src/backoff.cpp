#include "gridgate/core/backoff.hpp"

#include <algorithm>

namespace gridgate {

Backoff::Backoff(Duration initial, Duration maximum, std::uint64_t seed)
    : initial_(initial), maximum_(std::max(initial, maximum)), ceiling_(initial), rng_(seed) {}

Duration Backoff::next() {
    const Duration ceiling = ceiling_;
    ++failures_;
    ceiling_ = std::min(maximum_, ceiling_ * 2);
    std::uniform_int_distribution<Duration::rep> dist(ceiling.count() / 2, ceiling.count());
    return Duration{dist(rng_)};
}

void Backoff::reset() {
    ceiling_ = initial_;
    failures_ = 0;
}

}  // namespace gridgate
