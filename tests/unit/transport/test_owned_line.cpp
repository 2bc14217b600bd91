// OwnedLine: a channel shared by LineAccess users only, over an in-memory line.
#include <catch2/catch.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/log.hpp"
#include "gridgate/transport/line_access.hpp"
#include "gridgate/transport/memory_channel.hpp"

using namespace gridgate;
using namespace gridgate::transport;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Runs the io_context until `done` holds; the guard only stops a broken test hanging.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
    const auto guard = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > guard) return false;
        io.run_one_for(5ms);
        if (io.stopped()) io.restart();
    }
    return true;
}

// Runs whatever is ready (and what that makes ready) without waiting for timers.
void run_ready(asio::io_context& io) {
    io.poll();
    io.restart();
}

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (const int v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

struct Fixture {
    explicit Fixture(OwnedLineOptions options = fast_options()) {
        line = std::make_unique<OwnedLine>(
            io.get_executor(),
            [this](const asio::any_io_executor& strand) {
                auto ch = std::make_unique<MemoryChannel>(strand);
                channel = ch.get();
                return ch;
            },
            std::move(options), null_logger());
    }

    static OwnedLineOptions fast_options() {
        OwnedLineOptions o;
        o.name = "test-line";
        o.reopen_min = 100ms;
        o.reopen_max = 400ms;
        return o;
    }

    // What one acquire() got.
    struct Grant {
        std::optional<LineError> error;
        std::unique_ptr<LineLease> lease;
    };

    std::shared_ptr<Grant> acquire(std::uint32_t station, LinePriority priority = LinePriority::normal,
                                   std::string owner = "m") {
        auto grant = std::make_shared<Grant>();
        line->acquire(LineRequest{std::move(owner), priority, station},
                      [grant](LineError e, std::unique_ptr<LineLease> lease) {
                          grant->error = e;
                          grant->lease = std::move(lease);
                      });
        return grant;
    }

    std::shared_ptr<Grant> acquire_and_wait(std::uint32_t station) {
        auto grant = acquire(station);
        REQUIRE(run_until(io, [&] { return grant->error.has_value(); }));
        return grant;
    }

    void stop() {
        bool done = false;
        line->stop([&] { done = true; });
        REQUIRE(run_until(io, [&] { return done; }));
    }

    asio::io_context io;
    MemoryChannel* channel = nullptr;
    std::unique_ptr<OwnedLine> line;
};

}  // namespace

TEST_CASE("the line opens on the first request and is granted with stale input dropped") {
    Fixture f;
    run_ready(f.io);
    CHECK(f.channel->opens() == 0);  // nothing asked yet
    CHECK_FALSE(f.line->stats().open);

    auto g = f.acquire_and_wait(1);
    REQUIRE(g->error == LineError::none);
    REQUIRE(g->lease);
    CHECK(g->lease->channel().is_open());
    CHECK(f.channel->opens() == 1);
    CHECK(f.channel->discards() == 1);
    const auto s = f.line->stats();
    CHECK(s.open);
    CHECK(s.opens == 1);
    CHECK(s.grants == 1);
    CHECK(f.line->line_description() == "test-line (memory)");

    // The holder talks over the lease's channel: what it sends goes out on the line,
    // what arrives reaches its read.
    const auto request = bytes({0x05, 0x64, 0x01});
    bool sent = false;
    g->lease->channel().async_transmit(request, nullptr, [&](const error_code& ec) { sent = !ec; });
    REQUIRE(run_until(f.io, [&] { return sent; }));
    REQUIRE(f.channel->transmitted().size() == 1);
    CHECK(f.channel->transmitted()[0] == request);

    std::array<std::byte, 16> buffer{};
    std::optional<std::size_t> got;
    g->lease->channel().async_read_some(buffer, [&](const error_code& ec, std::size_t n) {
        REQUIRE_FALSE(ec);
        got = n;
    });
    f.channel->deliver(bytes({0x05, 0x64, 0x02}));
    REQUIRE(run_until(f.io, [&] { return got.has_value(); }));
    CHECK(*got == 3);
    CHECK(buffer[2] == std::byte{0x02});

    g->lease->release();
    f.stop();
}

TEST_CASE("grants go by priority, then round robin by station, then FIFO") {
    Fixture f;
    auto first = f.acquire_and_wait(9);  // holds the line while the others queue
    REQUIRE(first->error == LineError::none);

    std::vector<std::string> order;
    auto queue = [&](std::string name, std::uint32_t station, LinePriority priority) {
        f.line->acquire(LineRequest{name, priority, station},
                        [&order, name](LineError e, std::unique_ptr<LineLease> lease) {
                            REQUIRE(e == LineError::none);
                            order.push_back(name);
                            lease->release();
                        });
    };
    queue("a", 1, LinePriority::low);
    queue("b", 2, LinePriority::normal);
    queue("c", 2, LinePriority::normal);
    queue("d", 5, LinePriority::normal);
    queue("e", 3, LinePriority::high);
    queue("f", 1, LinePriority::normal);
    REQUIRE(run_until(f.io, [&] { return f.line->stats().queued == 6; }));
    run_ready(f.io);
    CHECK(order.empty());  // nobody gets the line while it is held

    first->lease->release();
    REQUIRE(run_until(f.io, [&] { return order.size() == 6; }));
    // High first; then among normal stations the turn passes on from the station served
    // last (3): 5, then wrapping 1, 2, and 2's second request last; low at the end.
    CHECK(order == std::vector<std::string>{"e", "d", "f", "b", "c", "a"});
    const auto s = f.line->stats();
    CHECK(s.grants == 7);
    CHECK(s.queued == 0);
    CHECK(f.channel->discards() == 7);  // every grant starts with a clean input
    CHECK(f.channel->opens() == 1);
    f.stop();
}

TEST_CASE("a failed open answers line_down until the backoff is over, then the next request tries again") {
    Fixture f;
    f.channel->fail_opens(asio::error::connection_refused);
    auto a = f.acquire(1);
    auto b = f.acquire(2);  // queued while the open is under way
    REQUIRE(run_until(f.io, [&] { return a->error && b->error; }));
    CHECK(a->error == LineError::line_down);
    CHECK(b->error == LineError::line_down);
    CHECK(f.channel->opens() == 1);

    // Within the backoff (at least reopen_min / 2): answered at once, no new attempt.
    auto c = f.acquire_and_wait(3);
    CHECK(c->error == LineError::line_down);
    CHECK(f.channel->opens() == 1);
    auto s = f.line->stats();
    CHECK(s.open_failures == 1);
    CHECK_FALSE(s.open);

    // The line comes back; once the backoff (at most reopen_min) is over, a request opens it.
    f.channel->fail_opens({});
    const auto retry_after = std::chrono::steady_clock::now() + 100ms;
    REQUIRE(run_until(f.io, [&] { return std::chrono::steady_clock::now() >= retry_after; }));
    auto d = f.acquire_and_wait(4);
    CHECK(d->error == LineError::none);
    CHECK(d->lease);
    CHECK(f.channel->opens() == 2);
    s = f.line->stats();
    CHECK(s.opens == 1);
    CHECK(s.open);
    d->lease->release();
    f.stop();
}

TEST_CASE("a lease released as failed closes the line, which re-opens for the next grant") {
    Fixture f;
    auto a = f.acquire_and_wait(1);
    REQUIRE(a->lease);
    a->lease->release(true);
    REQUIRE(run_until(f.io, [&] { return f.line->stats().failures_reported == 1; }));
    CHECK_FALSE(f.channel->is_open());
    CHECK_FALSE(f.line->stats().open);

    auto b = f.acquire_and_wait(1);
    REQUIRE(b->error == LineError::none);
    CHECK(f.channel->opens() == 2);
    CHECK(f.line->stats().opens == 2);

    // Closing the lease's channel counts as a failure too.
    b->lease->channel().close();
    CHECK_FALSE(b->lease->channel().is_open());
    b->lease->release();
    auto c = f.acquire_and_wait(1);
    REQUIRE(c->error == LineError::none);
    CHECK(f.line->stats().failures_reported == 2);
    CHECK(f.channel->opens() == 3);
    c->lease->release();
    f.stop();
}

TEST_CASE("a line lost while leased fails the holder's read and re-opens for the next grant") {
    Fixture f;
    auto a = f.acquire_and_wait(1);
    std::array<std::byte, 8> buffer{};
    std::optional<error_code> read_error;
    a->lease->channel().async_read_some(buffer, [&](const error_code& ec, std::size_t) { read_error = ec; });
    run_ready(f.io);
    f.channel->break_line(asio::error::connection_reset);
    REQUIRE(run_until(f.io, [&] { return read_error.has_value(); }));
    CHECK(*read_error == asio::error::connection_reset);
    CHECK_FALSE(a->lease->channel().is_open());
    a->lease->release();  // not as failed: the line knows already

    auto b = f.acquire_and_wait(2);
    REQUIRE(b->error == LineError::none);
    CHECK(f.channel->opens() == 2);
    b->lease->release();
    f.stop();
}

TEST_CASE("a read left outstanding at release is aborted, and later bytes go to the next holder") {
    Fixture f;
    auto a = f.acquire_and_wait(1);
    std::array<std::byte, 8> buffer_a{};
    std::optional<error_code> a_error;
    a->lease->channel().async_read_some(buffer_a, [&](const error_code& ec, std::size_t) { a_error = ec; });
    auto b = f.acquire(2);
    a->lease->release();
    REQUIRE(run_until(f.io, [&] { return a_error.has_value() && b->error.has_value(); }));
    CHECK(*a_error == asio::error::operation_aborted);
    REQUIRE(b->error == LineError::none);

    // The old lease is done with: its calls fail at once.
    bool a_sent = false;
    std::optional<error_code> a_tx_error;
    a->lease->channel().async_transmit(bytes({1}), [&] { a_sent = true; },
                                       [&](const error_code& ec) { a_tx_error = ec; });
    std::array<std::byte, 8> buffer_b{};
    std::optional<std::size_t> b_got;
    b->lease->channel().async_read_some(buffer_b, [&](const error_code& ec, std::size_t n) {
        REQUIRE_FALSE(ec);
        b_got = n;
    });
    run_ready(f.io);
    f.channel->deliver(bytes({7, 8}));
    REQUIRE(run_until(f.io, [&] { return b_got.has_value() && a_tx_error.has_value(); }));
    CHECK(*b_got == 2);
    CHECK(buffer_b[0] == std::byte{7});
    CHECK(*a_tx_error == asio::error::operation_aborted);
    CHECK_FALSE(a_sent);
    CHECK(f.channel->transmitted().empty());
    b->lease->release();
    f.stop();
}

TEST_CASE("a lease destroyed without release gives the line to the next request") {
    Fixture f;
    auto a = f.acquire_and_wait(1);
    auto b = f.acquire(2);
    run_ready(f.io);
    CHECK_FALSE(b->error.has_value());
    a->lease.reset();  // never released explicitly
    REQUIRE(run_until(f.io, [&] { return b->error.has_value(); }));
    CHECK(b->error == LineError::none);
    CHECK(f.line->stats().failures_reported == 0);

    // A handler that drops its lease on the spot: the line moves on as well.
    bool dropped = false;
    f.line->acquire(LineRequest{"drop", LinePriority::normal, 3},
                    [&](LineError e, std::unique_ptr<LineLease>) { dropped = e == LineError::none; });
    auto c = f.acquire(4);
    b->lease->release();
    REQUIRE(run_until(f.io, [&] { return c->error.has_value(); }));
    CHECK(dropped);
    CHECK(c->error == LineError::none);
    CHECK(f.line->stats().grants == 4);
    c->lease->release();
    f.stop();
}

TEST_CASE("stop cancels queued requests once the lease is released, then closes the line") {
    Fixture f;
    auto a = f.acquire_and_wait(1);
    auto b = f.acquire(2);
    auto c = f.acquire(3, LinePriority::high);
    bool done = false;
    f.line->stop([&] { done = true; });
    run_ready(f.io);
    CHECK_FALSE(done);  // the holder finishes first
    CHECK_FALSE(b->error.has_value());
    auto late = f.acquire_and_wait(4);
    CHECK(late->error == LineError::cancelled);  // nothing new once stopping

    a->lease->release();
    REQUIRE(run_until(f.io, [&] { return done; }));
    CHECK(b->error == LineError::cancelled);
    CHECK(c->error == LineError::cancelled);
    CHECK_FALSE(f.channel->is_open());
    CHECK_FALSE(f.line->stats().open);
    CHECK(f.acquire_and_wait(5)->error == LineError::cancelled);
}

TEST_CASE("stop with nothing held closes at once") {
    Fixture f;
    auto a = f.acquire_and_wait(1);
    a->lease->release();
    f.stop();
    CHECK_FALSE(f.channel->is_open());
}

TEST_CASE("an idle line closes after idle_close and re-opens on the next request") {
    auto options = Fixture::fast_options();
    options.idle_close = 20ms;
    Fixture f(options);
    auto a = f.acquire_and_wait(1);
    // Held longer than idle_close: a lease is never closed under its holder.
    const auto held_until = std::chrono::steady_clock::now() + 40ms;
    REQUIRE(run_until(f.io, [&] { return std::chrono::steady_clock::now() >= held_until; }));
    CHECK(f.channel->is_open());
    a->lease->release();
    REQUIRE(run_until(f.io, [&] { return !f.line->stats().open; }));
    CHECK_FALSE(f.channel->is_open());

    auto b = f.acquire_and_wait(1);
    CHECK(b->error == LineError::none);
    CHECK(f.channel->opens() == 2);
    b->lease->release();
    f.stop();
}

TEST_CASE("a lease outliving its OwnedLine is inert") {
    Fixture f;
    auto a = f.acquire_and_wait(1);
    auto b = f.acquire(2);
    f.line.reset();
    run_ready(f.io);
    CHECK_FALSE(b->error.has_value());  // dropped with the line, like the bus's handlers
    REQUIRE(a->lease);
    CHECK_FALSE(a->lease->channel().is_open());
    std::optional<error_code> tx_error;
    a->lease->channel().async_transmit(bytes({1}), nullptr, [&](const error_code& ec) { tx_error = ec; });
    REQUIRE(run_until(f.io, [&] { return tx_error.has_value(); }));
    CHECK(*tx_error);
    CHECK(f.channel->transmitted().empty());  // the channel lives as long as the lease
    a->lease->release();                      // nothing left to release to
    run_ready(f.io);
}
