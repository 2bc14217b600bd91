#include "gridgate/sim/dnp3_serial_line.hpp"

#include <array>
#include <optional>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "dnp3_runtime.hpp"

namespace gridgate::sim {

namespace {
// The meter's inter-character timeout (device profile): a frame that stops arriving for
// this long is abandoned.
constexpr auto inter_character_timeout = std::chrono::seconds(1);
// After a read error (the other end of a socat pair went away) try again at this pace.
constexpr auto read_retry = std::chrono::milliseconds(200);
// The one channel of a serial line: every outstation on it has its link state for it.
constexpr Dnp3ChannelId line_channel = 0;
}  // namespace

// Either the line's own device (read here, written through the output queue) or a line
// shared with an RTU bus, which hands over the DNP3 frames' bytes and sends ours.
class Dnp3SerialLine::State : public std::enable_shared_from_this<Dnp3SerialLine::State> {
public:
    State(boost::asio::io_context& io, SerialDevice device, std::vector<Dnp3Outstation*> outstations, Logger& logger)
        : device_(std::move(device)),
          path_(device_->path()),
          line_(std::in_place, io, device_->release_fd()),
          char_timer_(io),
          retry_timer_(io),
          delay_timer_(io),
          outstations_(std::move(outstations)),
          logger_(logger) {}

    State(boost::asio::io_context& io, std::string path, std::vector<Dnp3Outstation*> outstations, Logger& logger)
        : path_(std::move(path)),
          char_timer_(io),
          retry_timer_(io),
          delay_timer_(io),
          outstations_(std::move(outstations)),
          logger_(logger) {}

    void start() {
        std::weak_ptr<State> weak = shared_from_this();
        timers_ = std::make_shared<Dnp3TimerLoop>(char_timer_.get_executor(), outstations_,
                                                  [weak](std::vector<Dnp3Transmit>& out) {
                                                      if (const auto self = weak.lock()) self->route(out);
                                                  });
        timers_->rearm();
        if (line_) read();
    }

    // The shared line's way of handing over bytes and sending ours.
    RtuBus::GuestReceive guest_receiver() {
        return [weak = weak_from_this()](std::span<const std::uint8_t> bytes) {
            const auto self = weak.lock();
            if (self && !self->stopped_) self->on_bytes(bytes);
        };
    }
    void set_sender(RtuBus::GuestSend send) { send_ = std::move(send); }

    void stop() {
        if (stopped_) return;
        stopped_ = true;
        timers_->stop();
        char_timer_.cancel();
        retry_timer_.cancel();
        delay_timer_.cancel();
        boost::system::error_code ignored;
        if (line_) line_->close(ignored);
    }

    const std::string& path() const { return path_; }
    const Dnp3LineStats& stats() const { return stats_; }

private:
    void read() {
        line_->async_read_some(
            boost::asio::buffer(buffer_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const boost::system::error_code& ec, std::size_t n) {
        if (stopped_) return;
        if (ec) {
            if (!read_error_logged_)
                logger_.warn("metersim", "DNP3 line " + path_ + ": read failed (" + ec.message() + "), retrying");
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
        stats_.rx_bytes += received.size();
        std::vector<dnp3::LinkFrame> frames;
        parser_.feed(received, frames);
        const auto& ps = parser_.stats();
        stats_.frames = ps.frames;
        stats_.crc_errors = ps.header_crc_errors + ps.body_crc_errors;

        const Dnp3Now now = dnp3_now();
        std::vector<Dnp3Transmit> out;
        for (const dnp3::LinkFrame& frame : frames) {
            bool taken = false;
            for (Dnp3Outstation* o : outstations_) {
                if (!frame.header.dir || !o->accepts(frame.header.destination)) continue;
                taken = true;
                const std::size_t before = out.size();
                if (logger_.trace_enabled(o->id()))
                    trace(o->id(), "rx", dnp3::encode_link_frame(frame.header, frame.user_data));
                o->on_frame(line_channel, frame, now, out);
                if (logger_.trace_enabled(o->id()))
                    for (std::size_t i = before; i < out.size(); ++i) trace(o->id(), "tx", out[i].bytes);
            }
            if (!taken) ++stats_.other_address;  // another device's frame: a line stays silent
        }
        route(out);
        timers_->rearm();
        arm_char_timeout();
    }

    void trace(const std::string& id, std::string_view direction, const std::vector<std::uint8_t>& bytes) {
        logger_.trace_frame(id, direction, std::as_bytes(std::span<const std::uint8_t>(bytes)));
    }

    void arm_char_timeout() {
        if (!parser_.in_frame()) {
            char_timer_.cancel();
            return;
        }
        char_timer_.expires_after(inter_character_timeout);
        char_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            const auto self = weak.lock();
            if (ec || !self || self->stopped_ || !self->parser_.in_frame()) return;
            ++self->stats_.timeouts;
            self->parser_.reset();
        });
    }

    void route(std::vector<Dnp3Transmit>& out) {
        const SteadyTime now = std::chrono::steady_clock::now();
        if (send_) {
            // Due times never decrease, as in Dnp3OutputQueue: a "slow" frame is not
            // overtaken by one made after it.
            for (Dnp3Transmit& t : out) {
                last_due_ = std::max(last_due_, now + t.delay);
                stats_.tx_bytes += t.bytes.size();
                send_(last_due_, std::move(t.bytes));
            }
            out.clear();
            return;
        }
        for (Dnp3Transmit& t : out) queue_.push(now, t.delay, std::move(t.bytes));
        out.clear();
        pump();
    }

    void pump() {
        if (stopped_ || writing_) return;
        in_flight_ = queue_.take_due(std::chrono::steady_clock::now());
        if (in_flight_.empty()) {
            if (const auto due = queue_.next_due()) {
                delay_timer_.expires_at(*due);
                delay_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
                    const auto self = weak.lock();
                    if (!ec && self) self->pump();
                });
            }
            return;
        }
        writing_ = true;
        stats_.tx_bytes += in_flight_.size();
        boost::asio::async_write(*line_, boost::asio::buffer(in_flight_),
                                 [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                     self->writing_ = false;
                                     if (self->stopped_) return;
                                     if (ec && !self->write_error_logged_) {
                                         self->write_error_logged_ = true;
                                         self->logger_.warn("metersim", "DNP3 line " + self->path_ +
                                                                            ": write failed (" + ec.message() + ")");
                                     }
                                     self->pump();
                                 });
    }

    std::optional<SerialDevice> device_;  // keeps a pty's slave end open; the descriptor now belongs to line_
    std::string path_;
    std::optional<boost::asio::posix::stream_descriptor> line_;  // none on a shared line
    RtuBus::GuestSend send_;                                     // only on a shared line
    SteadyTime last_due_{};
    boost::asio::steady_timer char_timer_;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer delay_timer_;
    std::vector<Dnp3Outstation*> outstations_;
    Logger& logger_;
    std::shared_ptr<Dnp3TimerLoop> timers_;
    dnp3::LinkParser parser_;
    Dnp3OutputQueue queue_;
    std::array<std::uint8_t, 1024> buffer_{};
    std::vector<std::uint8_t> in_flight_;
    Dnp3LineStats stats_;
    bool writing_ = false;
    bool read_error_logged_ = false;
    bool write_error_logged_ = false;
    bool stopped_ = false;
};

Dnp3SerialLine::Dnp3SerialLine(boost::asio::io_context& io, SerialDevice device,
                               std::vector<Dnp3Outstation*> outstations, Logger& logger) {
    for (Dnp3Outstation* o : outstations) o->set_bus(device.path());
    state_ = std::make_shared<State>(io, std::move(device), std::move(outstations), logger);
    state_->start();
}

Dnp3SerialLine::Dnp3SerialLine(boost::asio::io_context& io, RtuBus& bus, std::vector<Dnp3Outstation*> outstations,
                               Logger& logger) {
    for (Dnp3Outstation* o : outstations) o->set_bus(bus.device());
    state_ = std::make_shared<State>(io, bus.device(), std::move(outstations), logger);
    state_->set_sender(bus.share_line(state_->guest_receiver()));
    state_->start();
}

Dnp3SerialLine::~Dnp3SerialLine() { stop(); }

const std::string& Dnp3SerialLine::device() const { return state_->path(); }
const Dnp3LineStats& Dnp3SerialLine::stats() const { return state_->stats(); }
void Dnp3SerialLine::stop() { state_->stop(); }

}  // namespace gridgate::sim
