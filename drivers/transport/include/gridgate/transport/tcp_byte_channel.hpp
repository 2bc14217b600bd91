#pragma once
// A TCP connection to a serial device server (Modbus RTU over TCP: the RTU frames travel
// unchanged in the TCP stream) as a ByteChannel. The line timing that matters is the
// device server's; only frame gaps need to allow for network jitter (see RtuBusOptions).
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "gridgate/core/log.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/transport/byte_channel.hpp"

namespace gridgate::transport {

struct TcpChannelOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 4001;
    Duration connect_timeout = std::chrono::seconds(3);
};

class TcpByteChannel final : public ByteChannel {
public:
    // `executor` must be a strand; the logger must outlive the channel.
    TcpByteChannel(boost::asio::any_io_executor executor, TcpChannelOptions options, Logger& logger);
    ~TcpByteChannel() override;
    TcpByteChannel(const TcpByteChannel&) = delete;
    TcpByteChannel& operator=(const TcpByteChannel&) = delete;

    void async_open(ChannelHandler handler) override;
    bool is_open() const override;
    void async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) override;
    void async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                        ChannelHandler handler) override;
    // Reads and drops whatever the socket has buffered, without blocking.
    void discard_input() override;
    void close() override;
    std::string description() const override;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gridgate::transport
