#include "gridgate/sim/rtu_bus.hpp"

#include <array>
#include <chrono>
#include <cstring>
#include <optional>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gridgate/sim/mixed_line_splitter.hpp"
#include "gridgate/sim/rtu_frame_receiver.hpp"
#include "gridgate/sim/rtu_reply.hpp"
#include "rtu_transmitter.hpp"

namespace gridgate::sim {

namespace {
// After a read error (the other end of a socat pair went away, a USB adapter was
// unplugged) the bus tries again at this pace rather than spinning.
constexpr auto read_retry = std::chrono::milliseconds(200);
// The DNP3 meter's inter-character timeout: a DNP3 frame cut short ends after this.
constexpr auto dnp3_inter_character_timeout = std::chrono::seconds(1);

SteadyTime steady_now() { return std::chrono::steady_clock::now(); }
}  // namespace

class RtuBus::State : public std::enable_shared_from_this<RtuBus::State> {
public:
    State(boost::asio::io_context& io, SerialDevice device, std::vector<SimulatedMeter*> slaves, BusInfo& info,
          const RtuBusOptions& options, ServedLog* log, Logger& logger)
        : device_(std::move(device)),
          line_(io, device_.release_fd()),
          silence_timer_(io),
          retry_timer_(io),
          slaves_(std::move(slaves)),
          info_(info),
          options_(options),
          logger_(logger),
          receiver_(RtuFrameReceiver::options_for(options.line, options.strict_t15)),
          transmitter_(std::make_shared<RtuTransmitter>(io.get_executor(), line_.native_handle(), options,
                                                        info.stats, log, logger)) {}

    void start() { read(); }

    const std::string& device() const { return info_.device; }

    GuestSend share_line(GuestReceive receive) {
        guest_ = std::move(receive);
        splitter_.emplace(t35(options_.line), dnp3_inter_character_timeout);
        return [weak = weak_from_this()](SteadyTime not_before, std::vector<std::uint8_t> bytes) {
            const auto self = weak.lock();
            if (!self || self->stopped_) return;
            OutgoingFrame out;
            out.bytes.resize(bytes.size());
            std::memcpy(out.bytes.data(), bytes.data(), bytes.size());
            out.guest = true;
            self->transmitter_->enqueue(not_before, std::move(out));
        };
    }

    void stop() {
        if (stopped_) return;
        stopped_ = true;
        transmitter_->stop();
        silence_timer_.cancel();
        retry_timer_.cancel();
        boost::system::error_code ignored;
        line_.close(ignored);
    }

private:
    void read() {
        line_.async_read_some(boost::asio::buffer(buffer_),
                              [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                  self->on_read(ec, n);
                              });
    }

    void on_read(const boost::system::error_code& ec, std::size_t n) {
        if (stopped_) return;
        if (ec) {
            if (!read_error_logged_)
                logger_.warn("metersim", "RTU bus " + info_.device + ": read failed (" + ec.message() + "), retrying");
            read_error_logged_ = true;
            retry_timer_.expires_after(read_retry);
            retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
                if (!wait_ec && !self->stopped_) self->read();
            });
            return;
        }
        read_error_logged_ = false;
        const std::span<const std::byte> bytes(buffer_.data(), n);
        if (!splitter_) {
            receiver_.on_bytes(bytes, steady_now());
        } else {
            for (const LineSegment& segment : splitter_->on_bytes(bytes, steady_now())) {
                if (segment.protocol == LineProtocol::modbus) {
                    receiver_.on_bytes(segment.bytes, segment.at);
                } else {
                    const auto* data = reinterpret_cast<const std::uint8_t*>(segment.bytes.data());
                    guest_(std::span<const std::uint8_t>(data, segment.bytes.size()));
                }
            }
        }
        dispatch();
        read();
    }

    // Called after every read and silence check: answers the frames completed so far
    // and arms the silence timer for the one still pending, if any.
    void dispatch() {
        for (const RtuFrame& frame : receiver_.take_frames()) handle(frame);
        const RtuReceiveStats& r = receiver_.stats();
        info_.stats.rx_bytes = r.rx_bytes;
        info_.stats.frames = r.frames;
        info_.stats.garbage_bytes = r.garbage_bytes;
        info_.stats.broken_frames = r.broken_frames;

        const std::optional<SteadyTime> deadline = receiver_.deadline();
        if (!deadline) return;
        silence_timer_.expires_at(*deadline);
        silence_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->stopped_) return;
            self->receiver_.on_idle(steady_now());
            self->dispatch();
        });
    }

    void handle(const RtuFrame& frame) {
        const std::uint8_t address = frame.address();
        if (address == 0) {
            ++info_.stats.broadcasts;
            for (SimulatedMeter* slave : slaves_) slave->on_broadcast(frame.pdu(), frame.end);
            return;
        }
        SimulatedMeter* meter = find(address);
        if (meter == nullptr) {  // another slave's request, or nobody's: a bus stays silent
            ++info_.stats.other_address;
            return;
        }
        if (logger_.trace_enabled(meter->id())) logger_.trace_frame(meter->id(), "rx", frame.bytes);
        meter->stats().rx_bytes += frame.bytes.size();
        Reply reply = meter->on_request(address, frame.pdu(), frame.end);
        if (reply.kind == Reply::Kind::none) return;

        // The line is silent for t3.5 after the request (the gap between frames), then
        // the meter's turnaround and TX start delay (RTS up to first character).
        const SteadyTime not_before = frame.end + t35(options_.line) + options_.turnaround +
                                      options_.tx_start_delay + reply.delay;
        if (reply.framing == Reply::Framing::noise_before) {
            OutgoingFrame noise;
            noise.bytes = std::move(reply.noise);
            noise.meter = meter;
            noise.noise = true;
            transmitter_->enqueue(not_before, std::move(noise));
        }
        OutgoingFrame out;
        out.bytes = encode_rtu_reply(address, reply);
        out.meter = meter;
        out.address = address;
        out.served = std::move(reply.served);
        out.framing = reply.framing;
        transmitter_->enqueue(not_before, std::move(out));
    }

    SimulatedMeter* find(std::uint8_t address) const {
        for (SimulatedMeter* slave : slaves_)
            if (slave->device_address() == address) return slave;
        return nullptr;
    }

    SerialDevice device_;  // keeps a pty's slave end open; the descriptor now belongs to line_
    boost::asio::posix::stream_descriptor line_;
    boost::asio::steady_timer silence_timer_;
    boost::asio::steady_timer retry_timer_;
    std::vector<SimulatedMeter*> slaves_;
    BusInfo& info_;
    RtuBusOptions options_;
    Logger& logger_;
    RtuFrameReceiver receiver_;
    std::shared_ptr<RtuTransmitter> transmitter_;
    std::optional<MixedLineSplitter> splitter_;  // only on a line shared with DNP3
    GuestReceive guest_;
    std::array<std::byte, 512> buffer_{};
    bool read_error_logged_ = false;
    bool stopped_ = false;
};

RtuBus::RtuBus(boost::asio::io_context& io, SerialDevice device, std::vector<SimulatedMeter*> slaves, BusInfo& info,
               const RtuBusOptions& options, ServedLog* log, Logger& logger)
    : state_(nullptr) {
    for (SimulatedMeter* slave : slaves) slave->set_bus(device.path());
    state_ = std::make_shared<State>(io, std::move(device), std::move(slaves), info, options, log, logger);
    state_->start();
}

RtuBus::~RtuBus() { stop(); }

void RtuBus::stop() { state_->stop(); }

const std::string& RtuBus::device() const { return state_->device(); }

RtuBus::GuestSend RtuBus::share_line(GuestReceive receive) { return state_->share_line(std::move(receive)); }

}  // namespace gridgate::sim
