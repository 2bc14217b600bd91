#pragma once
// The DNP3 master's session with one outstation over a shared line (transport::LineAccess:
// a TCP connection several outstations share by link address, or an RS-485 bus shared
// with other meters). Each application transaction (request, every response fragment and
// its confirms) holds the line; between transactions other sessions use it. A time set
// holds it for its whole sequence (offset read, procedure, write, offset read).
//
// Tasks, each on its own schedule (a task due while another runs waits its turn):
//   integrity poll (classes 1, 2, 3 then 0) at start, after DEVICE_RESTART, after a
//     communication loss, and every integrity_period;
//   event polls (class 1 / 2 / 3) and static polls (class 0), each on its period;
//   configured reads of object ranges;
//   clear DEVICE_RESTART (WRITE g80v1 index 7) when the outstation reports it;
//   time: read g50v1 to measure the offset every time_check_period; set the clock when
//     the offset is beyond tolerance or NEED_TIME is set, with the LAN procedure
//     (RECORD_CURRENT_TIME + WRITE g50v3) or the non-LAN one (DELAY_MEASURE + WRITE g50v1);
//     or, with a clock_decider, when its owner's policy says so (clock_sync.hpp).
//
// Durability: every response fragment's points go to the DataHandler; when the fragment
// asks for an application confirm (CON), the confirm is sent only after the handler's
// `done(true)`, i.e. after the readings are durably committed. `done(false)` or no answer
// within confirm_wait means no confirm: the outstation keeps its events and sends them
// again.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/core/time_zone.hpp"
#include "gridgate/dnp3/app.hpp"
#include "gridgate/dnp3/clock_sync.hpp"
#include "gridgate/dnp3/transport.hpp"
#include "gridgate/transport/line_access.hpp"

namespace gridgate::dnp3 {

struct ReadTask {
    std::string name;             // for logs and stats, e.g. "counters"
    std::vector<ReadItem> items;  // one READ request
    Duration period{0};           // 0: with every integrity poll
};

struct SessionOptions {
    std::string id;                    // meter id: logs, traces, events
    std::uint16_t address = 1;         // outstation link address
    std::uint16_t master_address = 1;  // our link address
    transport::LinePriority priority = transport::LinePriority::normal;

    // Link layer. With confirmed_user_data, requests go as CONFIRMED_USER_DATA (after a
    // RESET_LINK_STATES) and are retried link_retries times without an ACK.
    bool confirmed_user_data = false;
    unsigned link_retries = 2;
    Duration link_timeout = std::chrono::seconds(1);

    Duration response_timeout = std::chrono::seconds(5);  // per response fragment
    Duration confirm_wait = std::chrono::seconds(5);      // longest wait for done() before giving up the confirm
    std::size_t max_fragment = max_fragment_size;

    Duration integrity_period{0};  // 0: only at start, after restart and after a comm loss
    Duration class1_period = std::chrono::seconds(60);
    Duration class2_period{0};
    Duration class3_period{0};
    Duration class0_period{0};
    std::vector<ReadTask> reads;

    TimeSyncMode time_sync = TimeSyncMode::none;
    Duration time_check_period{0};   // 0 = measure only around a set
    Duration time_tolerance = std::chrono::seconds(1);
    bool sync_on_need_time = true;
    // The outstation's clock runs in this zone's local time (g50 read and written as local
    // wall time, meter_time.hpp); nullopt: UTC.
    std::optional<TimeZone> meter_time_zone;
    // With a decider (clock_sync.hpp) the owner decides every set; without, the session
    // sets on NEED_TIME and beyond time_tolerance itself.
    ClockDecider clock_decider;
    TimeSetHandler on_time_set;
    // With a decider: after a check NEED_TIME asked for, NEED_TIME is ignored this long
    // (the decider may have left the clock alone, and the outstation keeps asking).
    Duration need_time_recheck = std::chrono::minutes(15);

    Duration retry_min = std::chrono::seconds(1);   // after a failed task, backoff ..
    Duration retry_max = std::chrono::seconds(60);  // .. up to this

    // Whether the line ends a read still pending when a lease is released, as OwnedLine's
    // and the RTU bus's lease channels do (transport::LeaseChannel). A transaction that
    // ends waiting for the outstation (a timeout) leaves such a read; with a line that
    // hands out its raw channel, closing the line (release with line_failed) is the only
    // way to end that read before the line's next user reads, so set this to false there.
    bool line_cancels_pending_read = true;
};

// What one response fragment carried.
struct DataBatch {
    std::string outstation;      // SessionOptions::id
    std::string task;            // "integrity", "class1", "class0", "read:<name>", ...
    TimestampUs received_us = 0; // gateway UTC at receipt
    Iin iin;
    std::vector<PointValue> points;
    bool needs_confirm = false;  // the fragment asked for an application confirm
    bool event_overflow = false; // IIN EVENT_BUFFER_OVERFLOW: the outstation lost events
};

// Called on the line's executor for every fragment that carries points. `done` may be
// called from any thread, exactly once (the io_context must still exist). Only a fragment
// with needs_confirm waits for it; for the others it is accepted and ignored.
using DataHandler = std::function<void(DataBatch batch, std::function<void(bool stored)> done)>;

// Things an operator must see; also written to the audit log by the gateway.
// kinds: "dnp3_restart", "dnp3_time_set", "dnp3_time_checked" (not with a clock_decider),
// "dnp3_event_overflow", "dnp3_device_trouble", "dnp3_comm_lost", "dnp3_comm_restored".
struct SessionEvent {
    std::string outstation;
    std::string kind;
    std::string detail_json;  // an object, e.g. {"offset_before_ms":..., "offset_after_ms":..., "procedure":"lan"}
    TimestampUs ts_us = 0;
};
using EventHandler = std::function<void(SessionEvent)>;

struct SessionStats {
    std::string id;
    bool online = false;
    std::uint64_t transactions = 0;
    std::uint64_t fragments = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t confirms_sent = 0;
    std::uint64_t confirms_withheld = 0;   // not stored in time: the outstation will resend
    std::uint64_t points = 0;
    std::uint64_t events = 0;              // event objects received
    std::uint64_t restarts_seen = 0;
    std::uint64_t overflows_seen = 0;
    std::uint64_t time_sets = 0;
    std::uint64_t link_crc_errors = 0;
    std::uint64_t discarded_segments = 0;
    std::uint64_t parse_errors = 0;
    std::uint64_t foreign_frames = 0;     // not from this outstation to us: ignored
    std::uint64_t dropped_fragments = 0;  // wrong application sequence, or not awaited
    std::uint64_t link_retries = 0;       // confirmed frames sent again without an ACK
    std::uint64_t link_resets = 0;        // RESET_LINK_STATES sent
    std::uint16_t last_iin = 0;
    std::optional<std::int64_t> last_offset_ms;  // meter clock minus gateway clock
    TimestampUs last_offset_at_us = 0;
    TimestampUs last_time_set_us = 0;
    TimestampUs last_success_us = 0;
    std::string last_error;
};

class MasterSession {
public:
    // The line, clock and logger must outlive the session. Nothing happens before start().
    MasterSession(transport::LineAccess& line, const Clock& clock, SessionOptions options, DataHandler on_data,
                  EventHandler on_event, Logger& logger);
    ~MasterSession();
    MasterSession(const MasterSession&) = delete;
    MasterSession& operator=(const MasterSession&) = delete;

    void start();
    // No new transaction; the one in flight completes (its data delivered and, once stored,
    // confirmed) or times out; then done runs on the line's executor.
    void stop(std::function<void()> done);
    // Asks for an integrity poll / a time check as soon as the line allows.
    void request_integrity();
    void request_time_check();
    SessionStats stats() const;  // thread-safe
    const SessionOptions& options() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gridgate::dnp3
