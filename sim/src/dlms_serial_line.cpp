#include "gridgate/sim/dlms_serial_line.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gridgate/dlms/hdlc.hpp"

namespace gridgate::sim {

namespace {
// After a read error (the other end of a socat pair went away) try again at this pace.
constexpr auto read_retry = std::chrono::milliseconds(200);

SteadyTime steady_now() { return std::chrono::steady_clock::now(); }
}  // namespace

class DlmsSerialLine::State : public std::enable_shared_from_this<DlmsSerialLine::State> {
public:
    State(boost::asio::io_context& io, SerialDevice device, std::vector<DlmsMeter*> meters, DlmsLineInfo& info,
          Duration interframe_timeout, Logger& logger)
        : device_(std::move(device)),
          line_(io, device_.release_fd()),
          interframe_timer_(io),
          retry_timer_(io),
          deadline_timer_(io),
          write_timer_(io),
          meters_(std::move(meters)),
          info_(info),
          interframe_timeout_(interframe_timeout),
          logger_(logger) {}

    void start() { read(); }

    void stop() {
        if (stopped_) return;
        stopped_ = true;
        interframe_timer_.cancel();
        retry_timer_.cancel();
        deadline_timer_.cancel();
        write_timer_.cancel();
        queue_.clear();
        sending_.reset();
        boost::system::error_code ignored;
        line_.close(ignored);
    }

    const std::string& device() const { return info_.device; }

private:
    struct Sending {
        std::vector<std::uint8_t> bytes;
        PacedTransmission pacing;
        std::size_t written = 0;
    };

    void read() {
        line_.async_read_some(
            boost::asio::buffer(buffer_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const boost::system::error_code& ec, std::size_t n) {
        if (stopped_) return;
        if (ec) {
            if (!read_error_logged_)
                logger_.warn("metersim",
                             "DLMS line " + info_.device + ": read failed (" + ec.message() + "), retrying");
            read_error_logged_ = true;
            retry_timer_.expires_after(read_retry);
            retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
                if (!wait_ec && !self->stopped_) self->read();
            });
            return;
        }
        read_error_logged_ = false;
        on_bytes(std::span<const std::uint8_t>(buffer_.data(), n));
        read();
    }

    void on_bytes(std::span<const std::uint8_t> received) {
        DlmsLineStats& stats = info_.stats;
        stats.rx_bytes += received.size();
        const std::vector<dlms::HdlcFrame> frames = parser_.feed(received);
        const auto& ps = parser_.stats();
        stats.frames = ps.frames;
        stats.hcs_errors = ps.hcs_errors;
        stats.fcs_errors = ps.fcs_errors;
        stats.malformed = ps.malformed;
        stats.discarded_octets = ps.discarded_octets;

        const SteadyTime now = steady_now();
        for (const dlms::HdlcFrame& frame : frames) {
            DlmsMeter* meter = owner_of(frame);
            if (meter == nullptr) {
                ++stats.other_address;  // another device's frame, or another meter's answer
                continue;
            }
            if (!meter->link_up()) {
                ++stats.link_down;
                continue;
            }
            const bool trace = logger_.trace_enabled(meter->id());
            if (trace) trace_frame(meter->id(), "rx", dlms::encode_frame(frame));
            for (const dlms::HdlcFrame& reply : meter->hdlc()->on_frame(frame, now)) {
                std::vector<std::uint8_t> bytes = dlms::encode_frame(reply);
                if (trace) trace_frame(meter->id(), "tx", bytes);
                enqueue(std::move(bytes));
            }
        }
        // A frame ends with a flag: anything else at the end of a read is a frame in progress.
        partial_ = !received.empty() && received.back() != dlms::hdlc_flag;
        arm_interframe_timeout();
        arm_deadline();
    }

    DlmsMeter* owner_of(const dlms::HdlcFrame& frame) const {
        for (DlmsMeter* m : meters_)
            if (m->hdlc() != nullptr && m->hdlc()->addressed_to_me(frame)) return m;
        return nullptr;
    }

    void trace_frame(const std::string& id, std::string_view direction, const std::vector<std::uint8_t>& bytes) {
        logger_.trace_frame(id, direction, std::as_bytes(std::span<const std::uint8_t>(bytes)));
    }

    void arm_interframe_timeout() {
        if (!partial_ || interframe_timeout_ <= Duration::zero()) {
            interframe_timer_.cancel();
            return;
        }
        interframe_timer_.expires_after(interframe_timeout_);
        interframe_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            const auto self = weak.lock();
            if (ec || !self || self->stopped_ || !self->partial_) return;
            ++self->info_.stats.interframe_timeouts;
            self->partial_ = false;
            self->parser_.reset();
        });
    }

    // The HDLC inactivity timeouts: wake at the earliest.
    void arm_deadline() {
        std::optional<SteadyTime> due;
        for (DlmsMeter* m : meters_) {
            const auto d = m->hdlc() != nullptr ? m->hdlc()->next_deadline() : std::nullopt;
            if (d && (!due || *d < *due)) due = d;
        }
        if (!due) {
            deadline_timer_.cancel();
            return;
        }
        deadline_timer_.expires_at(*due);
        deadline_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            const auto self = weak.lock();
            if (ec || !self || self->stopped_) return;
            const SteadyTime now = steady_now();
            for (DlmsMeter* m : self->meters_)
                if (m->hdlc() != nullptr) m->hdlc()->on_timer(now);
            self->arm_deadline();
        });
    }

    // ---- paced output: one frame at a time, each octet at its character time ----

    void enqueue(std::vector<std::uint8_t> bytes) {
        ++info_.stats.frames_tx;
        queue_.push_back(std::move(bytes));
        if (!sending_) begin_next(steady_now());
    }

    void begin_next(SteadyTime now) {
        if (stopped_ || queue_.empty()) return;
        std::vector<std::uint8_t> bytes = std::move(queue_.front());
        queue_.pop_front();
        const SteadyTime start = std::max(now, line_free_);
        const std::size_t size = bytes.size();
        sending_.emplace(Sending{std::move(bytes), PacedTransmission(start, size, info_.line), 0});
        write_due(now);
    }

    void write_due(SteadyTime now) {
        Sending& s = *sending_;
        const std::size_t due = s.pacing.due(now);
        if (due > s.written) {
            write_bytes(std::span<const std::uint8_t>(s.bytes).subspan(s.written, due - s.written));
            s.written = due;
        }
        if (s.written == s.pacing.size()) {
            line_free_ = std::max(s.pacing.end(), now);
            sending_.reset();
            begin_next(now);
            return;
        }
        write_timer_.expires_at(s.pacing.next_write(s.written, now));
        write_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            const auto self = weak.lock();
            if (ec || !self || self->stopped_ || !self->sending_) return;
            self->write_due(steady_now());
        });
    }

    void write_bytes(std::span<const std::uint8_t> bytes) {
        ssize_t n = 0;
        do {
            n = ::write(line_.native_handle(), bytes.data(), bytes.size());
        } while (n < 0 && errno == EINTR);
        const std::size_t written = n > 0 ? static_cast<std::size_t>(n) : 0;
        info_.stats.tx_bytes += written;
        info_.stats.tx_dropped_bytes += bytes.size() - written;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && !write_error_logged_) {
            write_error_logged_ = true;  // once: a line that went away would flood the log
            logger_.warn("metersim", "DLMS line " + info_.device + ": write failed (" + std::strerror(errno) + ")");
        }
    }

    SerialDevice device_;  // keeps a pty's slave end open; the descriptor now belongs to line_
    boost::asio::posix::stream_descriptor line_;
    boost::asio::steady_timer interframe_timer_;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer deadline_timer_;
    boost::asio::steady_timer write_timer_;
    std::vector<DlmsMeter*> meters_;
    DlmsLineInfo& info_;
    Duration interframe_timeout_;
    Logger& logger_;
    dlms::HdlcParser parser_;
    std::array<std::uint8_t, 1024> buffer_{};
    bool partial_ = false;
    std::deque<std::vector<std::uint8_t>> queue_;
    std::optional<Sending> sending_;
    SteadyTime line_free_{};
    bool read_error_logged_ = false;
    bool write_error_logged_ = false;
    bool stopped_ = false;
};

DlmsSerialLine::DlmsSerialLine(boost::asio::io_context& io, SerialDevice device, std::vector<DlmsMeter*> meters,
                               DlmsLineInfo& info, Duration interframe_timeout, Logger& logger)
    : state_(std::make_shared<State>(io, std::move(device), std::move(meters), info, interframe_timeout, logger)) {
    state_->start();
}

DlmsSerialLine::~DlmsSerialLine() { stop(); }

const std::string& DlmsSerialLine::device() const { return state_->device(); }
void DlmsSerialLine::stop() { state_->stop(); }

}  // namespace gridgate::sim
