#include <catch2/catch.hpp>

#include "gridgate/northbound/inflight_window.hpp"

using gridgate::northbound::InflightWindow;

namespace {
// Batches of 10 readings: id n covers seqs 10n-9 .. 10n.
InflightWindow window_of(std::uint64_t batches) {
    InflightWindow window;
    for (std::uint64_t id = 1; id <= batches; ++id) window.push({id, 10 * id - 9, 10 * id, 10, false});
    return window;
}
}  // namespace

TEST_CASE("acks in order release each batch as it comes") {
    auto window = window_of(3);
    REQUIRE(window.mark_acked(1) != nullptr);
    auto released = window.pop_acked_prefix();
    CHECK(released.batches == 1);
    CHECK(released.readings == 10);
    CHECK(released.last_seq == 10);
    REQUIRE(window.mark_acked(2) != nullptr);
    CHECK(window.pop_acked_prefix().last_seq == 20);
    CHECK(window.size() == 1);
}

TEST_CASE("an ack out of order waits for the batches before it") {
    auto window = window_of(4);
    REQUIRE(window.mark_acked(3) != nullptr);
    REQUIRE(window.mark_acked(2) != nullptr);
    CHECK(window.pop_acked_prefix().batches == 0);  // batch 1 still unacked: the cursor must not move
    CHECK(window.size() == 4);

    REQUIRE(window.mark_acked(1) != nullptr);
    const auto released = window.pop_acked_prefix();
    CHECK(released.batches == 3);
    CHECK(released.readings == 30);
    CHECK(released.last_seq == 30);
    CHECK(window.size() == 1);  // batch 4 still out
}

TEST_CASE("unknown, stale and duplicate acks are ignored") {
    auto window = window_of(2);
    CHECK(window.mark_acked(99) == nullptr);
    REQUIRE(window.mark_acked(1) != nullptr);
    CHECK(window.mark_acked(1) == nullptr);  // duplicate: counted once
    window.clear();                          // connection lost
    CHECK(window.mark_acked(2) == nullptr);  // a late ack from the old connection
    CHECK(window.empty());
    CHECK(window.pop_acked_prefix().batches == 0);
}

TEST_CASE("batches must be pushed in seq order") {
    InflightWindow window;
    window.push({1, 1, 10, 10, false});
    CHECK_THROWS_AS(window.push({2, 5, 20, 16, false}), std::logic_error);
    CHECK(window.contains(1));
    CHECK_FALSE(window.contains(2));
}
