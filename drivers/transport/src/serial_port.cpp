// SerialPort: opening, reading, and transmitting with RS-485 direction control.
#include "gridgate/transport/serial_port.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <mutex>

#include "drain_worker.hpp"
#include "serial_line.hpp"

namespace gridgate::transport {

namespace asio = boost::asio;
using boost::system::error_code;

struct SerialPort::Impl : std::enable_shared_from_this<SerialPort::Impl> {
    Impl(const asio::any_io_executor& ex, SerialPortOptions o, Logger& l)
        : executor(ex), options(std::move(o)), logger(l), port(ex), timer(ex) {}

    void open(const ChannelHandler& handler);
    error_code open_now();
    void transmit(std::span<const std::byte> frame, std::function<void()> started, ChannelHandler handler);
    void after_delay(Duration delay, std::function<void()> next);
    void start_drain(std::function<void(error_code)> then);
    void set_rts(bool transmitting);
    void close();
    void log(LogLevel level, const std::string& message) const {
        if (logger.enabled(level)) logger.log(level, "serial", options.path + ": " + message);
    }

    asio::any_io_executor executor;
    SerialPortOptions options;
    Logger& logger;
    asio::serial_port port;
    asio::steady_timer timer;
    DrainWorker drain;
    mutable std::mutex resolved_mutex;  // description() may be asked from any thread
    std::string resolved;
    std::function<void(error_code)> on_drained;  // continuation of the drain in progress
    bool pty = false;  // nothing to drain: a write is on the "line" when it returns
    bool rts_usable = false;
    bool rts_warned = false;
    std::uint64_t generation = 0;  // bumped by close(): completions of an older open are stale
};

void SerialPort::Impl::open(const ChannelHandler& handler) {
    const error_code ec = open_now();
    asio::post(executor, [handler, ec] { handler(ec); });
}

error_code SerialPort::Impl::open_now() {
    close();
    std::error_code fs_ec;
    const auto device = std::filesystem::canonical(options.path, fs_ec);
    if (fs_ec) {
        log(LogLevel::warn, "cannot open: " + fs_ec.message());
        return {fs_ec.value(), boost::system::system_category()};
    }
    {
        std::lock_guard lock(resolved_mutex);
        resolved = device.string();
    }
    error_code ec;
    port.open(device.string(), ec);
    if (!ec) ec = serial_line::configure_raw(port.native_handle(), options);
    if (ec) {
        log(LogLevel::warn, "cannot open " + resolved + ": " + ec.message());
        close();
        return ec;
    }

    rts_usable = false;
    pty = serial_line::is_pty(port.native_handle());
    if (options.rs485 == Rs485Mode::kernel) {
        if (const auto rs485_ec = serial_line::enable_kernel_rs485(port.native_handle(), options)) {
            log(LogLevel::error, "RS-485 kernel mode (TIOCSRS485) not supported by " + resolved + " (" +
                                     rs485_ec.message() + "); use rs485 'rts' or 'none'");
            close();
            return asio::error::operation_not_supported;
        }
    } else if (options.rs485 == Rs485Mode::rts) {
        const auto rts_ec = serial_line::set_rts(port.native_handle(), false, options.rts_active_high);
        rts_usable = !rts_ec;
        if (rts_ec && !rts_warned) {
            rts_warned = true;
            log(LogLevel::warn, "cannot drive RTS on " + resolved + " (" + rts_ec.message() +
                                    "): no direction control, the delays still apply");
        }
    }
    const std::string via = resolved == options.path ? std::string() : " (" + options.path + ")";
    log(LogLevel::info, "opened " + resolved + via + " at " + line_settings(options) + ", RS-485 " +
                            to_string(options.rs485));
    return {};
}

void SerialPort::Impl::set_rts(bool transmitting) {
    if (!rts_usable) return;
    if (const auto ec = serial_line::set_rts(port.native_handle(), transmitting, options.rts_active_high))
        log(LogLevel::warn, std::string("RTS ") + (transmitting ? "assert" : "release") + " failed: " + ec.message());
}

void SerialPort::Impl::after_delay(Duration delay, std::function<void()> next) {
    if (delay.count() <= 0) return next();
    timer.expires_after(delay);
    timer.async_wait([next = std::move(next)](const error_code&) { next(); });
}

// The worker thread holds only a weak reference: the last owner of Impl must never be
// the worker itself (its destructor joins that thread).
void SerialPort::Impl::start_drain(std::function<void(error_code)> then) {
    on_drained = std::move(then);
    std::weak_ptr<Impl> weak = shared_from_this();
    drain.start(port.native_handle(), [weak, ex = executor](error_code ec) {
        asio::post(ex, [weak, ec] {
            const auto self = weak.lock();
            if (!self || !self->on_drained) return;
            auto next = std::move(self->on_drained);
            self->on_drained = nullptr;
            next(ec);
        });
    });
}

// RTS on -> start delay -> write -> drain -> end delay -> RTS off. Each step checks that
// the port was not closed meanwhile (generation).
void SerialPort::Impl::transmit(std::span<const std::byte> frame, std::function<void()> started,
                                ChannelHandler handler) {
    const bool rts = options.rs485 == Rs485Mode::rts;
    const std::uint64_t gen = generation;
    auto self = shared_from_this();
    auto finish = [self, gen, handler, rts](error_code ec) {
        if (rts && gen == self->generation) self->set_rts(false);
        if (!ec && gen != self->generation) ec = asio::error::operation_aborted;
        handler(ec);
    };
    auto drained = [self, gen, finish, rts](error_code ec) {
        if (ec || gen != self->generation) return finish(ec);
        self->after_delay(rts ? self->options.tx_end_delay : Duration{0}, [finish] { finish({}); });
    };
    auto write = [self, gen, frame, started = std::move(started), drained, finish] {
        if (gen != self->generation) return finish(asio::error::operation_aborted);
        if (started) started();
        asio::async_write(self->port, asio::buffer(frame.data(), frame.size()),
                          [self, gen, drained, finish](const error_code& ec, std::size_t) {
                              if (ec || gen != self->generation) return finish(ec);
                              // A pty has no UART: skip the drain thread's round trip.
                              if (self->pty) return drained({});
                              self->start_drain(drained);
                          });
    };
    if (rts) set_rts(true);
    after_delay(rts ? options.tx_start_delay : Duration{0}, std::move(write));
}

void SerialPort::Impl::close() {
    ++generation;
    timer.cancel();
    if (!port.is_open()) return;
    // Unblock a drain in progress, and wait for it: its fd must not be reused under it.
    serial_line::discard_output(port.native_handle());
    drain.wait_idle();
    if (on_drained) {
        // The drain was cut short: its transmission ends as aborted (and the closure,
        // which holds this Impl, is released).
        asio::post(executor, [next = std::move(on_drained)] { next(asio::error::operation_aborted); });
        on_drained = nullptr;
    }
    error_code ignored;
    port.close(ignored);
}

SerialPort::SerialPort(asio::any_io_executor executor, SerialPortOptions options, Logger& logger) {
    validate(options);
    impl_ = std::make_shared<Impl>(executor, std::move(options), logger);
}

SerialPort::~SerialPort() { impl_->close(); }

void SerialPort::async_open(ChannelHandler handler) { impl_->open(handler); }

bool SerialPort::is_open() const { return impl_->port.is_open(); }

void SerialPort::async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) {
    impl_->port.async_read_some(asio::buffer(buffer.data(), buffer.size()), std::move(handler));
}

void SerialPort::async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                                ChannelHandler handler) {
    impl_->transmit(frame, std::move(started), std::move(handler));
}

void SerialPort::discard_input() {
    if (impl_->port.is_open()) serial_line::discard_input(impl_->port.native_handle());
}

void SerialPort::close() { impl_->close(); }

std::string SerialPort::description() const {
    const std::string resolved = resolved_device();
    const std::string& device = resolved.empty() ? impl_->options.path : resolved;
    const std::string via = device == impl_->options.path ? std::string() : " (" + impl_->options.path + ")";
    return device + via + " " + line_settings(impl_->options);
}

const SerialPortOptions& SerialPort::options() const { return impl_->options; }

std::string SerialPort::resolved_device() const {
    std::lock_guard lock(impl_->resolved_mutex);
    return impl_->resolved;
}

bool SerialPort::drives_rts() const { return impl_->rts_usable; }

}  // namespace gridgate::transport
