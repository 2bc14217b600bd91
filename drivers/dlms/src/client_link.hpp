#pragma once
// The client's data link, internal to the session: "send this APDU, give me the response
// APDU" over the channel of the lease the session holds for that one exchange. Two
// implementations: HDLC (client_link_hdlc.cpp: SNRM/UA, I-frames, segmentation both ways,
// retries, DISC) and the TCP wrapper (client_link_wrapper.cpp). LinkBase (client_link.cpp)
// is their common machinery: transmissions one at a time, the one read, the response
// timer, traces, and a generation so a completion from an earlier exchange does nothing.
//
// The link keeps its connection state (HDLC sequence numbers, negotiated sizes) between
// exchanges, i.e. between leases. Every operation completes exactly once through its
// handler, unless abort() comes first; the handler runs after the link has stopped using
// the channel (except a read or transmission it cannot take back: see busy()).
#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/dlms/client.hpp"
#include "gridgate/transport/byte_channel.hpp"

namespace gridgate::dlms::detail {

enum class LinkStatus : std::uint8_t {
    ok,
    timeout,         // no answer, after the retries the link allows
    io_error,        // the channel failed: the line must be closed
    disconnected,    // the meter ended the connection (DM, DISC, FRMR) or never made it
    protocol_error,  // out of sequence, malformed, too large: the connection cannot be trusted
};
const char* to_string(LinkStatus s);

struct LinkResult {
    LinkStatus status = LinkStatus::ok;
    std::string error;
    std::vector<std::uint8_t> apdu;  // the response (exchange only)
    TimestampUs sent_us = 0;         // gateway time the request's last frame started out
    TimestampUs received_us = 0;     // gateway time the response's last frame arrived
};
using LinkHandler = std::function<void(LinkResult)>;

// Octets of an APDU that must not appear in traces (the AARQ's password): [begin, end).
struct TraceMask {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool empty() const { return end <= begin; }
};

using StatsUpdate = std::function<void(const std::function<void(ClientStats&)>&)>;

struct LinkEnv {
    boost::asio::any_io_executor executor;
    const Clock& clock;
    Logger& logger;
    const ClientOptions& options;
    StatsUpdate update_stats;
};

class ClientLink {
public:
    virtual ~ClientLink() = default;
    // Whether the link has a connection of its own to make before an association (HDLC).
    virtual bool connected() const = 0;
    virtual void connect(transport::ByteChannel& channel, LinkHandler handler) = 0;
    virtual void exchange(transport::ByteChannel& channel, std::vector<std::uint8_t> apdu, TraceMask mask,
                          LinkHandler handler) = 0;
    virtual void disconnect(transport::ByteChannel& channel, LinkHandler handler) = 0;
    // Drops what is in progress without calling its handler.
    virtual void abort() = 0;
    // The connection is gone (a failed exchange, a line that failed): start again with connect.
    virtual void forget() = 0;
    // A read or a transmission the channel still has outstanding for this link.
    virtual bool busy() const = 0;
    virtual HdlcParameters negotiated() const { return {}; }
};

std::shared_ptr<ClientLink> make_hdlc_link(LinkEnv env);
std::shared_ptr<ClientLink> make_wrapper_link(LinkEnv env);

class LinkBase : public ClientLink, public std::enable_shared_from_this<LinkBase> {
public:
    explicit LinkBase(LinkEnv env);
    void abort() override;
    bool busy() const override { return reads_outstanding_ > 0 || transmitting_; }

protected:
    // Starts an operation on `channel`; `handler` receives its one result.
    void begin(transport::ByteChannel& channel, LinkHandler handler);
    bool active() const { return channel_ != nullptr; }
    // Queues bytes for the line; `mask` (octets of `bytes`) is blanked in the trace.
    // `started` runs as the first octet goes out, `sent` once the line took them all.
    void send(std::vector<std::uint8_t> bytes, TraceMask mask, std::function<void()> started,
              std::function<void()> sent);
    // Reads until complete(): every arrival goes to on_bytes().
    void keep_reading();
    void arm_response_timer(Duration d);
    void cancel_response_timer();
    // Restarts the inter-frame timer: on_silence() when nothing more arrives in `d`.
    void arm_silence_timer(Duration d);
    void complete(LinkResult result);
    void fail(LinkStatus status, std::string error);

    virtual void on_bytes(std::span<const std::uint8_t> bytes) = 0;
    virtual void on_response_timeout() = 0;
    virtual void on_silence() {}

    const ClientOptions& options() const { return env_.options; }
    TimestampUs now_us() const { return env_.clock.now_utc_us(); }
    void count(const std::function<void(ClientStats&)>& f) { env_.update_stats(f); }
    bool tracing() const { return env_.logger.trace_enabled(env_.options.id); }
    Logger& logger() { return env_.logger; }

    TimestampUs sent_us_ = 0;

private:
    struct Outgoing {
        std::shared_ptr<std::vector<std::byte>> bytes;
        std::function<void()> started;
        std::function<void()> sent;
    };
    void transmit_next();
    void start_read();
    void on_read(std::uint64_t g, const boost::system::error_code& ec, std::size_t n);

    LinkEnv env_;
    boost::asio::steady_timer response_timer_;
    boost::asio::steady_timer silence_timer_;
    transport::ByteChannel* channel_ = nullptr;
    LinkHandler handler_;
    std::uint64_t gen_ = 0;
    std::uint64_t timer_id_ = 0;
    std::uint64_t silence_id_ = 0;
    std::deque<Outgoing> tx_queue_;
    bool transmitting_ = false;
    unsigned reads_outstanding_ = 0;
    bool want_read_ = false;
    std::array<std::byte, 2048> rx_{};
};

}  // namespace gridgate::dlms::detail
