#pragma once
// The DLMS meters' clock tick: every second each meter records the load profile intervals
// that have ended by its clock, so the profile fills even when no client asks (requests
// also do it, through handle_apdu).
#include <algorithm>
#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/sim/dlms_meter.hpp"

namespace gridgate::sim {

class DlmsProfileTicker : public std::enable_shared_from_this<DlmsProfileTicker> {
public:
    static constexpr auto period = std::chrono::seconds(1);

    DlmsProfileTicker(boost::asio::any_io_executor executor, DlmsFleet& fleet)
        : timer_(std::move(executor)), fleet_(fleet) {}

    void start() {
        next_ = std::chrono::steady_clock::now() + period;
        arm();
    }

    void stop() {
        stopped_ = true;
        timer_.cancel();
    }

private:
    void arm() {
        timer_.expires_at(next_);
        timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            const auto self = weak.lock();
            if (ec || !self || self->stopped_) return;
            const TimestampUs now = SystemClock{}.now_utc_us();
            for (std::size_t i = 0; i < self->fleet_.size(); ++i) self->fleet_[i].server().advance_to(now);
            // On the steady schedule, not a second after each tick: no drift.
            self->next_ = std::max(self->next_ + period, std::chrono::steady_clock::now());
            self->arm();
        });
    }

    boost::asio::steady_timer timer_;
    DlmsFleet& fleet_;
    SteadyTime next_{};
    bool stopped_ = false;
};

}  // namespace gridgate::sim
