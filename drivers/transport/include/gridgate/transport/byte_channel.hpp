#pragma once
// A byte stream to a line of Modbus RTU slaves, whatever carries it: a serial port
// (SerialPort), a TCP connection to a serial device server (TcpByteChannel), or an
// in-memory fake for tests (MemoryChannel). The RTU bus master runs on any of them.
//
// A channel is made with an executor that must be a strand (or a single-threaded
// io_context); every call must be made on it and every completion runs on it. At most
// one read and one transmission are outstanding at a time.
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <functional>
#include <span>
#include <string>

namespace gridgate::transport {

using ChannelHandler = std::function<void(const boost::system::error_code&)>;
using ReadSomeHandler = std::function<void(const boost::system::error_code&, std::size_t)>;

class ByteChannel {
public:
    virtual ~ByteChannel() = default;

    // Opens the channel (again, after close() or a failure). The reason for a failure
    // is logged by the channel with the details the error code cannot carry.
    virtual void async_open(ChannelHandler handler) = 0;
    virtual bool is_open() const = 0;

    // Completes when at least one byte has arrived (or with an error: the line is lost).
    virtual void async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) = 0;

    // Sends the whole frame, which must stay valid until the handler runs. `started`
    // runs just before the first byte is handed to the line (after any RS-485 direction
    // switch and its delay); the handler runs once the frame has left the line as far as
    // the channel can tell (serial: drained by the UART and the driver released; TCP:
    // accepted by the socket).
    virtual void async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                                ChannelHandler handler) = 0;

    // Drops input that has arrived but not yet been read (a stale reply, noise).
    virtual void discard_input() = 0;

    // Closes; outstanding operations complete with operation_aborted.
    virtual void close() = 0;

    // For logs and status, e.g. "/dev/ttyUSB0 (/dev/serial/by-id/usb-FTDI...) 9600 8N1".
    virtual std::string description() const = 0;
};

}  // namespace gridgate::transport
