// Schedule windows on the Clock's UTC wall time (a FakeClock here) and the bandwidth limit.
#include <catch2/catch.hpp>

#include "gridgate/testing/wait.hpp"
#include "head_end.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace std::chrono_literals;
using northbound::SftpForwarder;

namespace {

constexpr TimestampUs midnight = 1'699'920'000'000'000;  // 2023-11-14T00:00:00Z
TimestampUs at_minute(int minute) { return midnight + minute * TimestampUs{60'000'000}; }

}  // namespace

TEST_CASE("outside the windows nothing is uploaded and inside everything is", "[sftp][integration][window]") {
    HeadEnd he;
    const std::string bytes = random_bytes(20'000, 60);
    he.outbox.add("m1", "a.pqd", bytes);
    FakeClock clock(at_minute(12 * 60));
    auto options = he.options();
    options.windows = {{60, 120}, {22 * 60, 30}};  // 01:00-02:00 and 22:00-00:30
    SftpForwarder forwarder(options, he.outbox, clock, null_logger());
    forwarder.start();
    forwarder.notify_new_files();
    REQUIRE(wait_until([&] { return !forwarder.stats().in_window; }, 5s));
    // Several poll intervals pass: still nothing, not even a connection.
    const std::size_t seen = he.outbox.lookups();
    std::this_thread::sleep_for(3 * options.poll_interval);
    CHECK(he.outbox.lookups() == seen);  // it does not even look at the spool
    CHECK(forwarder.stats().connects == 0);
    CHECK(he.outbox.delivered_count(test_sink) == 0);

    clock.set_wall(at_minute(23 * 60 + 15));  // inside the window that wraps past midnight
    forwarder.notify_new_files();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 1; }, 10s));
    CHECK(forwarder.stats().in_window);
    CHECK(read_text_file(he.meter_dir("m1") / "a.pqd") == bytes);
}

TEST_CASE("an upload pauses when its window closes and resumes when one opens", "[sftp][integration][window]") {
    HeadEnd he;
    const std::string bytes = random_bytes(1'500'000, 61);
    he.outbox.add("m1", "a.pqd", bytes);
    FakeClock clock(at_minute(60));
    auto options = he.options();
    options.windows = {{60, 120}};
    options.max_bytes_per_s = 1'000'000;
    SftpForwarder forwarder(options, he.outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().current_offset >= 300'000; }, 20s));

    clock.set_wall(at_minute(120));  // the window closes mid-file
    REQUIRE(wait_until([&] { return !forwarder.stats().in_window; }, 5s));
    const auto partial = he.part_files();
    REQUIRE(partial.size() == 1);
    const auto kept = std::filesystem::file_size(partial.front());
    CHECK(kept < bytes.size());
    CHECK(forwarder.stats().failures == 0);  // a pause is not a failure
    CHECK(he.outbox.delivered_count(test_sink) == 0);
    const auto uploaded_when_paused = forwarder.stats().bytes_uploaded;
    std::this_thread::sleep_for(3 * options.poll_interval);
    CHECK(forwarder.stats().bytes_uploaded == uploaded_when_paused);

    clock.set_wall(at_minute(24 * 60 + 61));  // the next day's window
    forwarder.notify_new_files();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 1; }, 20s));
    CHECK(forwarder.stats().resumes == 1);
    CHECK(read_text_file(he.meter_dir("m1") / "a.pqd") == bytes);
    CHECK(he.part_files().empty());
}

TEST_CASE("the bandwidth limit holds uploads back", "[sftp][integration][rate]") {
    HeadEnd he;
    for (std::uint32_t i = 0; i < 3; ++i) he.outbox.add("m1", std::to_string(i) + ".pqd", random_bytes(500'000, 70 + i));
    auto options = he.options();
    options.max_bytes_per_s = 1'000'000;  // 1.5 MB at 1 MB/s: about 1.5 s
    SystemClock clock;
    SftpForwarder forwarder(options, he.outbox, clock, null_logger());
    const auto started = std::chrono::steady_clock::now();
    forwarder.start();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 3; }, 20s));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    // A lower bound only, loosely (the token bucket may start with a burst).
    CHECK(elapsed >= 1000ms);
}
