#pragma once
// The building blocks of a LineAccess implementation (OwnedLine, the Modbus RTU bus): the
// channel a lease hands out, and the lease itself.
//
// The line's owner keeps the one read the real channel allows outstanding all the time
// (so it sees a lost line, and late bytes between users) and feeds what arrives to the
// current lease's LeaseChannel. The lease's transmissions go straight to the real channel.
// When the lease ends, a read the user left outstanding completes with operation_aborted
// instead of taking the next user's bytes, later calls fail at once, and the owner waits
// for a transmission still in progress before it uses the line again. Everything runs on
// the owner's strand.
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "gridgate/transport/byte_channel.hpp"
#include "gridgate/transport/line_access.hpp"

namespace gridgate::transport {

class LeaseChannel final : public ByteChannel, public std::enable_shared_from_this<LeaseChannel> {
public:
    // `line` must outlive every call on this channel (the lease keeps its owner alive);
    // `executor` is the owner's strand, where completions are posted.
    LeaseChannel(ByteChannel& line, boost::asio::any_io_executor executor);

    // --- the owner's side (on the strand)
    // Bytes read from the line while the lease is held.
    void deliver(std::span<const std::byte> bytes);
    // The line was lost or its owner went away: a pending read completes with `ec`, and so
    // does every later call.
    void fail(const boost::system::error_code& ec);
    // The lease was released: a pending read completes with operation_aborted, later calls
    // fail; `then` runs once no transmission of the lease is in progress (at once if none).
    void end(std::function<void()> then);
    bool ended() const { return ended_; }
    // The user closed the channel: the owner treats the release as line_failed.
    bool closed_by_user() const { return closed_by_user_; }

    // --- ByteChannel (the lease holder's side)
    // The owner opens the line: this only reports whether it is usable.
    void async_open(ChannelHandler handler) override;
    bool is_open() const override;
    void async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) override;
    void async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                        ChannelHandler handler) override;
    void discard_input() override;
    // Ends the holder's use of the line: a pending read is aborted, later calls fail, and
    // the release that follows closes and re-opens the line (as with line_failed).
    void close() override;
    std::string description() const override;

private:
    boost::system::error_code unusable() const;  // why calls fail now, or success
    void serve_read();

    ByteChannel& line_;
    boost::asio::any_io_executor executor_;
    std::deque<std::byte> pending_;
    std::span<std::byte> read_buffer_;
    ReadSomeHandler read_handler_;
    boost::system::error_code failure_;
    bool ended_ = false;
    bool closed_by_user_ = false;
    unsigned transmitting_ = 0;
    std::function<void()> after_transmit_;
};

// A LineLease over a LeaseChannel. release() (or the destructor) calls `on_release` once;
// the owner's callback posts the release to its strand (where it also checks
// closed_by_user()), so it is safe from any thread and after the owner is gone.
class ChannelLease final : public LineLease {
public:
    ChannelLease(std::shared_ptr<LeaseChannel> channel, std::function<void(bool line_failed)> on_release);
    ~ChannelLease() override;
    ChannelLease(const ChannelLease&) = delete;
    ChannelLease& operator=(const ChannelLease&) = delete;

    ByteChannel& channel() override { return *channel_; }
    void release(bool line_failed = false) override;

private:
    std::shared_ptr<LeaseChannel> channel_;
    std::function<void(bool)> on_release_;
};

}  // namespace gridgate::transport
