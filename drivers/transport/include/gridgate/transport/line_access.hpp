#pragma once
// Exclusive, scheduled use of one byte line by several protocol masters. A serial RS-485
// bus (or a serial device server) carries one transaction at a time, whatever protocol
// the meters on it speak: the Modbus RTU bus master grants the line between its own reads
// to other masters (DNP3 serial), in its priority and round-robin order. A TCP connection
// owned by one DNP3 master with several outstations behind it is scheduled the same way
// (OwnedLine).
//
// A user asks for the line; when granted, it has the open channel to itself (no read or
// transmission of anyone else outstanding, stale input discarded, the line's quiet time
// observed) until it calls release(). It must release promptly: the line's other users
// wait. A user that saw the line fail (an I/O error) releases with line_failed = true and
// the owner closes and re-opens it.
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gridgate/core/log.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/transport/byte_channel.hpp"

namespace gridgate::transport {

// Same order and meaning as modbus::Priority: every queued high request before any
// normal one, normal before low.
enum class LinePriority : std::uint8_t { low = 0, normal = 1, high = 2 };

struct LineRequest {
    std::string owner;   // who asks, for logs and stats (e.g. the meter id)
    LinePriority priority = LinePriority::normal;
    std::uint32_t station = 0;  // round-robin key among equal priorities (e.g. link address)
};

enum class LineError : std::uint8_t {
    none,
    line_down,  // the line could not be opened; asked again later it may be up
    cancelled,  // the line is stopping
};
const char* to_string(LineError e);

// In both implementations (OwnedLine, modbus::RtuBus) the lease's channel is a view of the
// line (transport/lease_channel.hpp): its async_open only reports whether the line is up,
// close() makes the release count as line_failed, a read still outstanding at release
// completes with operation_aborted (it never takes the next user's bytes), and every call
// after the release, or after the owner is destroyed, fails at once.
class LineLease {
public:
    virtual ~LineLease() = default;
    virtual ByteChannel& channel() = 0;
    // Gives the line back (exactly once; destroying an unreleased lease releases it).
    virtual void release(bool line_failed = false) = 0;
};

// Runs on the line's executor: a lease when granted, or nullptr with the reason.
using LineGrantHandler = std::function<void(LineError, std::unique_ptr<LineLease>)>;

class LineAccess {
public:
    virtual ~LineAccess() = default;
    // Queues a request; the handler runs exactly once, on executor().
    virtual void acquire(LineRequest request, LineGrantHandler handler) = 0;
    // The strand every grant handler runs on and the channel must be used from.
    virtual boost::asio::any_io_executor executor() const = 0;
    // For logs and status.
    virtual std::string line_description() const = 0;
};

struct OwnedLineOptions {
    std::string name = "line";
    Duration reopen_min = std::chrono::milliseconds(500);  // re-open backoff after a failure
    Duration reopen_max = std::chrono::seconds(30);
    Duration idle_close{0};  // close the channel after this long without a request; 0 = never
};

struct OwnedLineStats {
    bool open = false;
    std::uint64_t opens = 0;
    std::uint64_t open_failures = 0;
    std::uint64_t grants = 0;
    std::uint64_t failures_reported = 0;  // releases with line_failed
    std::size_t queued = 0;
};

// A line whose channel only LineAccess users share (e.g. a DNP3 TCP connection): opened on
// the first request, re-opened with backoff after a failure; while an open has failed and
// the backoff runs, requests fail fast with line_down.
class OwnedLine final : public LineAccess {
public:
    using ChannelFactory = std::function<std::unique_ptr<ByteChannel>(const boost::asio::any_io_executor& strand)>;
    OwnedLine(boost::asio::any_io_executor executor, const ChannelFactory& make_channel, OwnedLineOptions options,
              Logger& logger);
    // Safe at any time, but drops handlers not yet run; a lease still held goes inert (its
    // channel fails every call, its release does nothing). Use stop() first to shut down.
    ~OwnedLine() override;
    OwnedLine(const OwnedLine&) = delete;
    OwnedLine& operator=(const OwnedLine&) = delete;

    void acquire(LineRequest request, LineGrantHandler handler) override;
    boost::asio::any_io_executor executor() const override;
    std::string line_description() const override;

    // Answers queued requests with `cancelled` once the current lease is released, closes
    // the channel, then calls done (on the executor).
    void stop(std::function<void()> done);
    OwnedLineStats stats() const;  // thread-safe snapshot

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gridgate::transport
