// Token buckets and the per-sink rate limiter, with time stepped by hand.
#include <catch2/catch.hpp>
#include <chrono>

#include "gridgate/northbound/rate_limiter.hpp"

using gridgate::SteadyTime;
using gridgate::northbound::RateLimiter;
using gridgate::northbound::RateLimits;
using gridgate::northbound::TokenBucket;
using namespace std::chrono_literals;

namespace {
const SteadyTime t0 = SteadyTime{} + 1000s;
}

TEST_CASE("a bucket starts full, spends down to its rate and refills no higher than its burst") {
    TokenBucket bucket(10.0, 3.0);  // 10 tokens/s, burst 3
    CHECK(bucket.ready_at(t0) == t0);
    bucket.spend(1, t0);
    bucket.spend(1, t0);
    bucket.spend(1, t0);
    CHECK(bucket.balance(t0) == Approx(0.0));
    // One token takes 100 ms at 10/s.
    CHECK(bucket.ready_at(t0) == t0 + 100ms);
    CHECK(bucket.ready_at(t0 + 50ms) == t0 + 100ms);
    CHECK(bucket.ready_at(t0 + 100ms) == t0 + 100ms);
    // A long pause refills only up to the burst.
    CHECK(bucket.balance(t0 + 10s) == Approx(3.0));
}

TEST_CASE("a spend larger than the burst goes out at once and its debt delays the next") {
    TokenBucket bytes(1000.0, 100.0);  // 1000 B/s, burst 100 B
    CHECK(bytes.ready_at(t0) == t0);
    bytes.spend(600, t0);  // a 600-byte message is never split
    CHECK(bytes.balance(t0) == Approx(-500.0));
    // Back to one token: 501 bytes at 1000 B/s.
    CHECK(bytes.ready_at(t0) == t0 + 501ms);
}

TEST_CASE("the long-run rate holds whatever the message sizes") {
    TokenBucket bytes(2000.0, 200.0);
    SteadyTime now = t0;
    double sent = 0;
    for (int i = 0; i < 100; ++i) {
        now = bytes.ready_at(now);
        const double size = (i % 3 == 0) ? 900 : 150;
        bytes.spend(size, now);
        sent += size;
    }
    const double seconds = std::chrono::duration<double>(now - t0).count();
    // Everything but the initial burst and the last message's debt was paid at 2000 B/s.
    CHECK(sent - 200 - 900 <= 2000 * seconds + 1);
    CHECK(sent >= 2000 * seconds);
}

TEST_CASE("a zero rate is unlimited") {
    TokenBucket bucket(0.0, 0.0);
    CHECK(bucket.unlimited());
    for (int i = 0; i < 1000; ++i) bucket.spend(1e6, t0);
    CHECK(bucket.ready_at(t0) == t0);

    RateLimiter limiter(RateLimits{});
    CHECK(limiter.unlimited());
    for (int i = 0; i < 1000; ++i) limiter.record(100000, t0);
    CHECK(limiter.ready_at(t0) == t0);
}

TEST_CASE("the message limit allows a 100 ms burst and then one message per interval") {
    RateLimiter limiter(RateLimits{20.0, 0.0});  // 20 msg/s: burst of 2
    CHECK_FALSE(limiter.unlimited());
    SteadyTime now = t0;
    int at_once = 0;
    while (limiter.ready_at(now) == now) {
        limiter.record(1'000'000, now);  // size does not matter without a byte limit
        ++at_once;
    }
    CHECK(at_once == 2);
    // 60 messages from a full bucket take at least (60 - 2) / 20 s.
    for (int i = at_once; i < 60; ++i) {
        now = limiter.ready_at(now);
        limiter.record(10, now);
    }
    CHECK(now - t0 >= 2900ms);
    CHECK(now - t0 <= 2901ms);
}

TEST_CASE("the byte limit paces large messages and the stricter limit wins") {
    RateLimiter limiter(RateLimits{1000.0, 10'000.0});  // messages hardly matter; 10 kB/s
    SteadyTime now = t0;
    limiter.record(5'000, now);
    // 5000 B against a 1000 B burst: 4001 B of debt at 10 kB/s.
    CHECK(limiter.ready_at(now) == now + 400100us);
    now = limiter.ready_at(now);
    limiter.record(5'000, now);
    CHECK(limiter.ready_at(now) == now + 500ms);

    RateLimiter messages_stricter(RateLimits{2.0, 1e9});
    messages_stricter.record(10, t0);  // burst of 1 message at 2/s
    CHECK(messages_stricter.ready_at(t0) == t0 + 500ms);
}

TEST_CASE("time that runs backward does not mint tokens") {
    TokenBucket bucket(10.0, 1.0);
    bucket.spend(1, t0);
    CHECK(bucket.balance(t0 - 5s) == Approx(0.0));
    CHECK(bucket.ready_at(t0 - 5s) == t0 + 100ms);
}
