#pragma once
// A serial line as a ByteChannel, on Boost.Asio's serial_port with raw termios set up
// by us (baud 1200..115200, 7/8 data bits, parity, 1/2 stop bits, no flow control) and
// RS-485 direction control:
//   none    nothing to switch (RS-232, auto-direction adapters);
//   kernel  TIOCSRS485 (RTS on send, delays in ms); a port whose driver cannot do it is a
//           configuration error: opening fails with operation_not_supported and logs why;
//   rts     we assert RTS, wait tx_start_delay, write, wait until the UART has drained
//           (tcdrain, off the io thread), wait tx_end_delay, release RTS. A port without
//           modem lines (a pty in tests) logs one warning and runs without the line.
// The path is resolved on every open (so /dev/serial/by-id/... links follow the adapter)
// and the resolved device is logged.
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "gridgate/core/log.hpp"
#include "gridgate/transport/byte_channel.hpp"
#include "gridgate/transport/serial_options.hpp"

namespace gridgate::transport {

class SerialPort final : public ByteChannel {
public:
    // Checks the options (std::invalid_argument); opens nothing yet. `executor` must be
    // a strand; the logger must outlive the port.
    SerialPort(boost::asio::any_io_executor executor, SerialPortOptions options, Logger& logger);
    ~SerialPort() override;
    SerialPort(const SerialPort&) = delete;
    SerialPort& operator=(const SerialPort&) = delete;

    void async_open(ChannelHandler handler) override;
    bool is_open() const override;
    void async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) override;
    void async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                        ChannelHandler handler) override;
    void discard_input() override;
    void close() override;
    std::string description() const override;

    const SerialPortOptions& options() const;
    // The device the path resolved to at the last open ("" before).
    std::string resolved_device() const;
    // True when RTS is really being driven (rts mode on a port with modem lines).
    bool drives_rts() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gridgate::transport
