#pragma once
// An in-memory ByteChannel for tests: the test plays the line. What the master
// transmits is recorded (and can be answered by a callback); bytes the test delivers
// are read by the master. Completions are posted on the channel's executor, like a
// real channel's.
#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "gridgate/transport/byte_channel.hpp"

namespace gridgate::transport {

class MemoryChannel final : public ByteChannel {
public:
    explicit MemoryChannel(boost::asio::any_io_executor executor);
    ~MemoryChannel() override;

    // --- the test's side (call on the channel's executor, or before it runs)
    // Bytes arriving from the line.
    void deliver(std::span<const std::byte> bytes);
    // Called with every frame transmitted, after it is recorded.
    void on_transmit(std::function<void(std::span<const std::byte>)> callback);
    std::vector<std::vector<std::byte>> transmitted() const;
    std::size_t discards() const;  // calls to discard_input()
    std::size_t opens() const;     // calls to async_open()
    // The next opens fail with `ec` (until cleared with a default error code).
    void fail_opens(boost::system::error_code ec);
    // The line is lost: the pending read completes with `ec` and the channel closes.
    void break_line(boost::system::error_code ec);

    // --- ByteChannel
    void async_open(ChannelHandler handler) override;
    bool is_open() const override;
    void async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) override;
    void async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                        ChannelHandler handler) override;
    void discard_input() override;
    void close() override;
    std::string description() const override { return "memory"; }

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace gridgate::transport
