#include <catch2/catch.hpp>

#include "gridgate/core/backoff.hpp"

using namespace gridgate;
using namespace std::chrono_literals;

TEST_CASE("backoff doubles with jitter up to the maximum and resets") {
    Backoff b(100ms, 1s, 42);
    Duration ceiling = 100ms;
    for (int i = 0; i < 10; ++i) {
        const Duration d = b.next();
        CHECK(d >= ceiling / 2);
        CHECK(d <= ceiling);
        ceiling = std::min<Duration>(ceiling * 2, 1s);
    }
    CHECK(b.failures() == 10);
    b.reset();
    CHECK(b.failures() == 0);
    CHECK(b.next() <= 100ms);
}
