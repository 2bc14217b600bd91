#pragma once
// The Modbus RTU master state machine for one line, without I/O: it is told what
// happens (a read submitted, bytes received, transmission started / done, the time has
// come) and answers through RtuMasterIo. Time comes from a Clock, so unit tests drive it
// with a FakeClock and no executor; RtuBus runs it on a strand over a ByteChannel.
//
// One transaction at a time. Before sending: wait until the line has been quiet for the
// inter-frame silence (t3.5) plus the turnaround delay since the last byte seen, drop
// stale input, send. After sending: accept only a valid reply (see rtu_reply.hpp),
// completing as soon as its predicted length has arrived; bytes that never make a frame
// are discarded when the line goes quiet (frame gap); the read times out after its own
// timeout, counted from the end of transmission. Bytes that arrive while no request is
// outstanding are dropped and count as line activity (so a late reply delays the next
// request until the line is quiet).
//
// The line can also be lent to another protocol's master (transport::LineAccess): a turn
// queues with the reads (rtu_request_queue.hpp), and when it comes, the line quiet, the
// master hands it out through RtuMasterIo::answer_line and starts nothing until
// on_line_released(); the silence before the next request runs from the release. Turns
// skip the dead-slave backoff; while the line cannot be opened they fail with line_down.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/modbus/client.hpp"
#include "gridgate/modbus/rtu_request_queue.hpp"
#include "gridgate/modbus/rtu_slave_health.hpp"
#include "gridgate/modbus/rtu_stats.hpp"
#include "gridgate/modbus/rtu_timing.hpp"

namespace gridgate::modbus {

struct RtuMasterOptions {
    std::string name = "rtu";  // line id, for logs
    RtuTiming timing;          // from the line's baud rate and character size
    // Quiet time required before each request; 0 = timing.t3_5.
    Duration silence{0};
    // Quiet time after which bytes that did not complete a frame are discarded; 0 =
    // timing.t3_5. Raise it for USB adapters or serial device servers, which deliver a
    // frame in chunks with gaps of milliseconds.
    Duration frame_gap{0};
    // By default a partial frame that can still become the awaited reply (right address,
    // function code and byte count so far) survives a frame gap and may complete until
    // the response timeout; its CRC decides. Strict: drop it at the gap, as the spec's
    // t1.5 / t3.5 rules would on an ideal line.
    bool strict_frame_gap = false;
    // Extra quiet time after the last byte before the next request (the master's own
    // turnaround); 0 by default.
    Duration turnaround_delay{0};
    SlaveHealthOptions health;
    // After a timeout, the slave is not asked again for this long (other slaves are
    // served meanwhile), so its late reply cannot land in its next transaction. RTU
    // replies carry no transaction id: a reply later than timeout + guard to a request
    // of the same shape cannot be told from an answer. 0 = the expired read's timeout.
    Duration late_reply_guard{0};
    // Seeds each slave's backoff jitter (seed + address); fixed in tests.
    std::uint64_t backoff_seed = 0x9e3779b97f4a7c15ull;
};

// What the master asks of the world.
class RtuMasterIo {
public:
    virtual ~RtuMasterIo() = default;
    // Drop input already received, then transmit `adu` (valid until on_transmitted):
    // call on_transmit_started() just before the first byte goes out (everything
    // received before is stale) and on_transmitted() once the frame has left the line.
    virtual void transmit(std::span<const std::byte> adu) = 0;
    // Hand a result to a read's handler (later, never from inside the master's call).
    virtual void complete(ReadHandler handler, TransactionResult result) = 0;
    // Answer a line turn (later, never from inside the master's call): with `none` the
    // line is lent (RtuBus makes the lease and reports its release with
    // RtuMaster::on_line_released()); otherwise the turn is refused with `error`. The
    // default, for an io that lends nothing (tests of reads alone), refuses every turn
    // with `cancelled` at once; a master on it must not be given turns.
    virtual void answer_line(transport::LineGrantHandler handler, transport::LineError error);
};

enum class LinkState : std::uint8_t {
    opening,  // reads queue until the line is up
    up,
    failed,   // could not open; reads fail fast with connect_failed until the next attempt
};

class RtuMaster {
public:
    RtuMaster(RtuMasterOptions options, const Clock& clock, RtuMasterIo& io, Logger& logger);

    void submit(ReadCall call, ReadHandler handler);
    // Queues a turn on the line for another master (see above).
    void acquire_line(transport::LineRequest request, transport::LineGrantHandler handler);
    // The lent line is back (its holder released it): quiet time runs from now.
    void on_line_released();

    // --- events from the line
    void on_received(std::span<const std::byte> bytes);
    void on_transmit_started();
    void on_transmitted();
    // The link changed. Leaving `up` fails the transaction in flight (disconnected);
    // entering `failed` also fails every queued read (connect_failed).
    void set_link(LinkState state);
    // Call when the time given by next_deadline() has come (early calls are harmless).
    void on_timer();
    std::optional<SteadyTime> next_deadline() const;

    // Begins a clean stop: queued reads are cancelled, the transaction in flight may
    // finish or time out, later submits are cancelled.
    void stop();
    bool stopping() const { return stopping_; }
    // True when no transaction is in progress and the line is not lent.
    bool idle() const { return phase_ == Phase::idle; }
    bool lent() const { return phase_ == Phase::lent; }

    RtuBusStats stats() const;
    const RtuMasterOptions& options() const { return options_; }

private:
    enum class Phase : std::uint8_t { idle, flushing, sending, awaiting, lent };

    struct Transaction {
        QueuedRead read;
        std::vector<std::byte> adu;
        SteadyTime started{};
        std::optional<SteadyTime> reply_deadline;  // set once transmitted
    };

    struct Slave {
        explicit Slave(const SlaveHealthOptions& o, std::uint64_t seed) : health(o, seed) {}
        SlaveHealth health;
        RtuSlaveStats stats;
    };

    Slave& slave(std::uint8_t unit);
    void pump();
    std::optional<SteadyTime> earliest_send() const;
    void start_transaction(QueuedRead read);
    void lend(QueuedTurn turn);
    void scan(bool line_silent);
    bool gap_ends_frame() const;  // whether the frame gap drops what rx_ holds
    void finish(TransactionResult result);
    void time_out();
    void fail_all(TransactionError error);
    void fail(QueuedRead read, TransactionError error);
    void drop_input(std::span<const std::byte> bytes, std::string_view why);
    void log(LogLevel level, const std::string& message) const;

    RtuMasterOptions options_;
    const Clock& clock_;
    RtuMasterIo& io_;
    Logger& logger_;
    SteadyTime created_;

    RtuRequestQueue queue_;
    std::map<std::uint8_t, Slave> slaves_;
    LinkState link_ = LinkState::opening;
    Phase phase_ = Phase::idle;
    std::optional<Transaction> current_;
    SteadyTime lent_at_{};  // while Phase::lent
    std::vector<std::byte> rx_;
    bool crc_error_counted_ = false;  // one CRC error per burst of bytes
    SteadyTime last_activity_{};       // last byte seen or sent on the line
    bool stopping_ = false;
    RtuBusStats stats_;
};

}  // namespace gridgate::modbus
