#pragma once
// A ByteChannel that passes everything to the real one (TcpByteChannel, SerialPort) and
// counts the octets each way: what the DLMS bench reports as octets on the wire per
// interval, measured rather than modelled.
#include <cstdint>
#include <memory>
#include <utility>

#include "gridgate/transport/byte_channel.hpp"

namespace gridgate::bench {

struct WireCounters {
    std::uint64_t received = 0;  // octets read from the meter
    std::uint64_t sent = 0;      // octets handed to the line
};

class CountingChannel final : public transport::ByteChannel {
public:
    // The counters must outlive the channel (and any completion still queued).
    CountingChannel(std::unique_ptr<transport::ByteChannel> inner, WireCounters& counters)
        : inner_(std::move(inner)), counters_(&counters) {}

    void async_open(transport::ChannelHandler handler) override { inner_->async_open(std::move(handler)); }
    bool is_open() const override { return inner_->is_open(); }
    void async_read_some(std::span<std::byte> buffer, transport::ReadSomeHandler handler) override {
        inner_->async_read_some(buffer, [c = counters_, h = std::move(handler)](const boost::system::error_code& ec,
                                                                               std::size_t n) {
            c->received += n;
            h(ec, n);
        });
    }
    void async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                        transport::ChannelHandler handler) override {
        counters_->sent += frame.size();
        inner_->async_transmit(frame, std::move(started), std::move(handler));
    }
    void discard_input() override { inner_->discard_input(); }
    void close() override { inner_->close(); }
    std::string description() const override { return inner_->description(); }

private:
    std::unique_ptr<transport::ByteChannel> inner_;
    WireCounters* counters_;
};

}  // namespace gridgate::bench
