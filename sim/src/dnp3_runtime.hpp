#pragma once
// Pieces shared by the DNP3 runtimes (TCP server, serial line): the present time in both
// clocks, the outstations' timer, and the queue of bytes waiting for their send time.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/sim/dnp3_outstation.hpp"

namespace gridgate::sim {

inline Dnp3Now dnp3_now() { return Dnp3Now{std::chrono::steady_clock::now(), SystemClock{}.now_utc_us()}; }

// Calls on_timer() of its outstations when the earliest of them is due (at least once a
// second) and hands what they send to `route`. rearm() after anything that may have
// moved a deadline (a frame handled, a control command).
class Dnp3TimerLoop : public std::enable_shared_from_this<Dnp3TimerLoop> {
public:
    using Route = std::function<void(std::vector<Dnp3Transmit>&)>;

    Dnp3TimerLoop(boost::asio::any_io_executor executor, std::vector<Dnp3Outstation*> outstations, Route route)
        : timer_(std::move(executor)), outstations_(std::move(outstations)), route_(std::move(route)) {}

    void rearm() {
        if (stopped_ || outstations_.empty()) return;
        SteadyTime due = outstations_.front()->next_deadline();
        for (const Dnp3Outstation* o : outstations_) due = std::min(due, o->next_deadline());
        timer_.expires_at(due);
        timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            const auto self = weak.lock();
            if (ec || !self || self->stopped_) return;
            self->fire();
        });
    }

    void stop() {
        stopped_ = true;
        timer_.cancel();
    }

private:
    void fire() {
        const Dnp3Now now = dnp3_now();
        std::vector<Dnp3Transmit> out;
        for (Dnp3Outstation* o : outstations_) o->on_timer(now, out);
        if (!out.empty()) route_(out);
        rearm();
    }

    boost::asio::steady_timer timer_;
    std::vector<Dnp3Outstation*> outstations_;
    Route route_;
    bool stopped_ = false;
};

// Bytes to write in order, each not before its due time. Due times never decrease, so a
// late ("slow") frame is never overtaken by one queued after it.
class Dnp3OutputQueue {
public:
    void push(SteadyTime now, Duration delay, std::vector<std::uint8_t> bytes) {
        SteadyTime due = now + delay;
        if (!waiting_.empty()) due = std::max(due, waiting_.back().first);
        waiting_.emplace_back(due, std::move(bytes));
    }
    // Everything due by `now`, concatenated (empty if nothing is).
    std::vector<std::uint8_t> take_due(SteadyTime now) {
        std::vector<std::uint8_t> out;
        while (!waiting_.empty() && waiting_.front().first <= now) {
            out.insert(out.end(), waiting_.front().second.begin(), waiting_.front().second.end());
            waiting_.pop_front();
        }
        return out;
    }
    std::optional<SteadyTime> next_due() const {
        if (waiting_.empty()) return std::nullopt;
        return waiting_.front().first;
    }
    void clear() { waiting_.clear(); }

private:
    std::deque<std::pair<SteadyTime, std::vector<std::uint8_t>>> waiting_;
};

}  // namespace gridgate::sim
