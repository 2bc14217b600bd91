// OwnedLine: one channel shared by LineAccess users only, granted one at a time.
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "gridgate/core/backoff.hpp"
#include "gridgate/transport/lease_channel.hpp"
#include "gridgate/transport/line_access.hpp"

namespace gridgate::transport {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

struct Waiting {
    LineRequest request;
    LineGrantHandler handler;
};

// Priority (high first), then stations take turns starting after the one served last,
// then FIFO per station: the same order as the Modbus RTU bus's queue.
class WaitQueue {
public:
    void push(Waiting w) {
        const auto level = std::min<std::size_t>(static_cast<std::size_t>(w.request.priority), levels - 1);
        by_priority_[level][w.request.station].push_back(std::move(w));
        ++size_;
    }

    std::optional<Waiting> pop() {
        for (std::size_t i = levels; i-- > 0;) {
            Level& level = by_priority_[i];
            if (level.empty()) continue;
            auto pick = last_served_ ? level.upper_bound(*last_served_) : level.begin();
            if (pick == level.end()) pick = level.begin();
            Waiting w = std::move(pick->second.front());
            pick->second.pop_front();
            if (pick->second.empty()) level.erase(pick);
            last_served_ = w.request.station;
            --size_;
            return w;
        }
        return std::nullopt;
    }

    std::vector<Waiting> take_all() {
        std::vector<Waiting> out;
        for (std::size_t i = levels; i-- > 0;) {
            for (auto& [station, waiting] : by_priority_[i])
                for (auto& w : waiting) out.push_back(std::move(w));
            by_priority_[i].clear();
        }
        size_ = 0;
        return out;
    }

    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }

private:
    using Level = std::map<std::uint32_t, std::deque<Waiting>>;
    static constexpr std::size_t levels = 3;
    std::array<Level, levels> by_priority_;
    std::optional<std::uint32_t> last_served_;
    std::size_t size_ = 0;
};

}  // namespace

// Everything runs on `strand`; `mutex` only guards the counters against stats() from
// other threads.
struct OwnedLine::Impl final : std::enable_shared_from_this<OwnedLine::Impl> {
    enum class State : std::uint8_t { closed, opening, open, failed };

    Impl(const asio::any_io_executor& ex, OwnedLineOptions o, Logger& l)
        : strand(asio::make_strand(ex)),
          options(std::move(o)),
          logger(l),
          reopen_backoff(options.reopen_min, options.reopen_max),
          idle_timer(strand) {}

    void acquire(LineRequest request, LineGrantHandler handler);
    void pump();
    void grant();
    void on_release(std::uint64_t id, bool line_failed);
    void after_release(const std::shared_ptr<LeaseChannel>& ended, bool line_failed);
    void open();
    void on_opened(std::uint64_t gen, const error_code& ec);
    void start_read(std::uint64_t gen);
    void on_read(std::uint64_t gen, const error_code& ec, std::size_t n);
    void close_line();
    void arm_idle();
    void fail_all(LineError error);
    void stop(std::function<void()> done);
    void finish_stop();
    void abandon();

    template <class F>
    void count(F&& f) {
        std::lock_guard lock(mutex);
        f(counters);
        counters.queued = queue.size();
    }

    asio::strand<asio::any_io_executor> strand;
    OwnedLineOptions options;
    Logger& logger;
    std::unique_ptr<ByteChannel> channel;

    State state = State::closed;
    std::uint64_t generation = 0;  // per open; completions of an older open are stale
    Backoff reopen_backoff;
    std::chrono::steady_clock::time_point retry_at{};  // while failed: requests before it get line_down
    WaitQueue queue;
    std::shared_ptr<LeaseChannel> lease;  // the lease held now
    std::uint64_t lease_id = 0;
    asio::steady_timer idle_timer;
    std::uint64_t idle_seq = 0;  // bumped by every grant and close: a stale idle timer does nothing
    std::array<std::byte, 512> rx{};

    bool stopping = false;
    bool stopped = false;
    std::vector<std::function<void()>> stop_handlers;
    std::atomic<bool> abandoned{false};

    mutable std::mutex mutex;
    OwnedLineStats counters;
};

void OwnedLine::Impl::acquire(LineRequest request, LineGrantHandler handler) {
    if (abandoned) return;
    if (stopping) return handler(LineError::cancelled, nullptr);
    if (state == State::failed && std::chrono::steady_clock::now() < retry_at)
        return handler(LineError::line_down, nullptr);
    queue.push(Waiting{std::move(request), std::move(handler)});
    count([](OwnedLineStats&) {});
    pump();
}

void OwnedLine::Impl::pump() {
    if (stopping || lease || queue.empty()) return;
    switch (state) {
        case State::closed:
        case State::failed:  // only reached once the backoff is over (acquire fails fast before)
            return open();
        case State::opening: return;
        case State::open: return grant();
    }
}

void OwnedLine::Impl::grant() {
    auto next = queue.pop();
    const std::uint64_t id = ++lease_id;
    ++idle_seq;
    idle_timer.cancel();
    lease = std::make_shared<LeaseChannel>(*channel, strand);
    channel->discard_input();  // whatever the previous user left unread is not this one's
    count([](OwnedLineStats& s) { ++s.grants; });
    auto on_release = [self = shared_from_this(), id](bool line_failed) {
        asio::post(self->strand, [self, id, line_failed] { self->on_release(id, line_failed); });
    };
    next->handler(LineError::none, std::make_unique<ChannelLease>(lease, std::move(on_release)));
}

void OwnedLine::Impl::on_release(std::uint64_t id, bool line_failed) {
    if (abandoned || !lease || id != lease_id || lease->ended()) return;
    auto ended = lease;
    ended->end([self = shared_from_this(), ended, line_failed] {
        self->after_release(ended, line_failed || ended->closed_by_user());
    });
}

void OwnedLine::Impl::after_release(const std::shared_ptr<LeaseChannel>& ended, bool line_failed) {
    if (abandoned || lease != ended) return;
    lease.reset();
    if (line_failed) {
        count([](OwnedLineStats& s) { ++s.failures_reported; });
        if (state == State::open) {
            logger.warn("line", options.name + ": released as failed, closing (re-opened on the next request)");
            close_line();
        }
    }
    if (stopping) return finish_stop();
    pump();
    arm_idle();
}

void OwnedLine::Impl::open() {
    state = State::opening;
    const std::uint64_t gen = ++generation;
    channel->async_open([self = shared_from_this(), gen](const error_code& ec) { self->on_opened(gen, ec); });
}

void OwnedLine::Impl::on_opened(std::uint64_t gen, const error_code& ec) {
    if (abandoned || gen != generation) return;
    if (ec) {
        state = State::failed;
        const Duration delay = reopen_backoff.next();
        retry_at = std::chrono::steady_clock::now() + delay;
        count([](OwnedLineStats& s) { ++s.open_failures; });
        logger.warn("line", options.name + ": open failed (" + ec.message() + "), requests fail until retry in " +
                                format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(delay)));
        return fail_all(LineError::line_down);
    }
    state = State::open;
    reopen_backoff.reset();
    count([](OwnedLineStats& s) {
        ++s.opens;
        s.open = true;
    });
    logger.info("line", options.name + ": opened " + channel->description());
    start_read(gen);
    pump();
    arm_idle();
}

// The one read the channel allows stays ours, so a lost line is seen even between
// leases, and a lease never gets bytes that arrived before it.
void OwnedLine::Impl::start_read(std::uint64_t gen) {
    channel->async_read_some(rx, [self = shared_from_this(), gen](const error_code& ec, std::size_t n) {
        self->on_read(gen, ec, n);
    });
}

void OwnedLine::Impl::on_read(std::uint64_t gen, const error_code& ec, std::size_t n) {
    if (abandoned || gen != generation) return;
    if (ec) {
        logger.warn("line", options.name + ": line lost (" + ec.message() + "), re-opened on the next request");
        if (lease) lease->fail(ec);
        close_line();
        return pump();
    }
    if (lease && !lease->ended()) lease->deliver(std::span<const std::byte>(rx.data(), n));
    start_read(gen);
}

void OwnedLine::Impl::close_line() {
    ++generation;
    ++idle_seq;
    idle_timer.cancel();
    channel->close();
    state = State::closed;
    count([](OwnedLineStats& s) { s.open = false; });
}

void OwnedLine::Impl::arm_idle() {
    if (options.idle_close.count() <= 0 || lease || !queue.empty() || state != State::open || stopping) return;
    const std::uint64_t seq = ++idle_seq;
    idle_timer.expires_after(options.idle_close);
    idle_timer.async_wait([self = shared_from_this(), seq](const error_code& ec) {
        if (ec || self->abandoned || seq != self->idle_seq) return;
        if (self->lease || !self->queue.empty() || self->state != State::open) return;
        self->logger.debug("line", self->options.name + ": idle, closing");
        self->close_line();
    });
}

void OwnedLine::Impl::fail_all(LineError error) {
    auto waiting = queue.take_all();
    count([](OwnedLineStats&) {});
    for (auto& w : waiting) w.handler(error, nullptr);
}

void OwnedLine::Impl::stop(std::function<void()> done) {
    if (abandoned) return;
    if (done) stop_handlers.push_back(std::move(done));
    stopping = true;  // no more grants; new requests are cancelled at once
    if (!lease) finish_stop();
}

// Queued requests hear `cancelled` once the lease held at stop() is released (as the header
// says); then the line closes and the done handlers run.
void OwnedLine::Impl::finish_stop() {
    if (!stopped) {
        stopped = true;
        fail_all(LineError::cancelled);
        close_line();
    }
    for (auto& done : stop_handlers) asio::post(strand, [self = shared_from_this(), d = std::move(done)] {
        if (!self->abandoned) d();
    });
    stop_handlers.clear();
}

// The OwnedLine is gone: handlers not yet run are dropped, an outstanding lease goes inert
// (its channel fails every call; its release does nothing).
void OwnedLine::Impl::abandon() {
    stopping = true;
    stopped = true;
    if (lease) lease->fail(asio::error::operation_aborted);
    lease.reset();
    close_line();
    queue.take_all();
    stop_handlers.clear();
}

OwnedLine::OwnedLine(asio::any_io_executor executor, const ChannelFactory& make_channel, OwnedLineOptions options,
                     Logger& logger)
    : impl_(std::make_shared<Impl>(executor, std::move(options), logger)) {
    impl_->channel = make_channel(impl_->strand);
}

OwnedLine::~OwnedLine() {
    impl_->abandoned = true;
    asio::post(impl_->strand, [impl = impl_] { impl->abandon(); });
}

void OwnedLine::acquire(LineRequest request, LineGrantHandler handler) {
    asio::post(impl_->strand, [impl = impl_, r = std::move(request), h = std::move(handler)]() mutable {
        impl->acquire(std::move(r), std::move(h));
    });
}

asio::any_io_executor OwnedLine::executor() const { return impl_->strand; }

std::string OwnedLine::line_description() const {
    return impl_->options.name + " (" + impl_->channel->description() + ")";
}

void OwnedLine::stop(std::function<void()> done) {
    asio::post(impl_->strand, [impl = impl_, d = std::move(done)]() mutable { impl->stop(std::move(d)); });
}

OwnedLineStats OwnedLine::stats() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->counters;
}

}  // namespace gridgate::transport
