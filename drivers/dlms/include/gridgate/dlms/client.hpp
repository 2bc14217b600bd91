#pragma once
// The DLMS/COSEM client's session with one meter (logical device) over a shared line
// (transport::LineAccess): the TCP wrapper on a connection of its own, or HDLC on an
// RS-485 bus shared with other meters (any protocol) or on a serial/optical port.
//
// Each exchange (one request APDU and its whole response: every HDLC segment and RR, one
// block of a block transfer) holds the line; between exchanges other meters use it. The
// HDLC connection (SNRM/UA) and the association (AARQ/AARE) outlive the leases: they are
// made when a task is due, kept while tasks follow closely, and released (RLRQ, DISC)
// after idle_release without one, well inside the meter's inactivity timeout (120 s HDLC,
// 60 s TCP on the reference meter). A timeout, an I/O error, a DM or an unexpected frame
// ends them; the next task starts again from SNRM/AARQ.
//
// Tasks, each on its own schedule (a task due while another runs waits its turn):
//   identification: GET of configured data objects (serial number, firmware versions, CT/VT
//     ratios, ...) at the first association, again once communication is restored after a
//     loss (the meter may have been swapped), and every identity_period; each value is
//     compared with the configured expectation: a mismatch is an event (a swapped meter)
//     and optionally stops the other tasks (identity_blocks);
//   registers: GET of value (attribute 2) and, once per association, scaler_unit
//     (attribute 3) of configured registers, with-list when the meter grants
//     multiple-references, else one GET each; every register_period;
//   profiles: per configured profile generic, at each capture boundary + poll_delay:
//     capture objects (attribute 3) and capture period (attribute 4) once per association;
//     entries_in_use / profile_entries (7, 8); then the buffer by range from the last
//     stored interval end (exclusive) to now + one period, in chunks of at most
//     max_entries_per_read periods. Each chunk goes to the ReadingsHandler as a durable
//     batch; the next chunk is read, and the read pointer advanced, only after done(true).
//   clock: GET of attribute 2 (its date-time carries the deviation and the DST status) to
//     measure the offset every clock_check_period; SET of attribute 2 when clock_set is
//     enabled, the offset is over tolerance and no capture boundary (of the gateway's or
//     the meter's clock) is within clock_guard (and on request_clock_set()). A set the
//     meter refuses is not tried again automatically in that association. With
//     ClientOptions::clock_policy an outside policy decides instead (see ClockPolicyHooks).
//
// Gap refill: the read pointer is the end of the last interval stored (seeded from the
// store through ProfileOptions::last_stored_end_us). After a gateway restart, a link or
// meter outage, the next successful association reads exactly the missing range. An
// interval read later than one capture period after its end (its regular poll was missed)
// is flagged quality::refilled; a dlms_profile_refilled event reports how many, and when
// the missing range starts before the meter's oldest entry, how many intervals are beyond
// the meter's retention (also a dlms_profile_lost event).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/core/reading.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/dlms/cosem_time.hpp"
#include "gridgate/dlms/hdlc.hpp"
#include "gridgate/dlms/obis.hpp"
#include "gridgate/transport/line_access.hpp"

namespace gridgate::dlms {

enum class TransportKind : std::uint8_t { tcp_wrapper, hdlc };

struct HdlcOptions {
    std::uint16_t logical_device = 1;  // upper HDLC address (management LD)
    std::uint16_t physical_id = 100;   // lower HDLC address (the meter's Physical ID)
    std::uint8_t address_octets = 4;
    HdlcParameters proposal{};          // what SNRM proposes (128/128/1/1 by default)
    Duration inter_frame_timeout = std::chrono::milliseconds(1000);  // silence inside a frame ends it
    unsigned retries = 2;               // a frame sent again after response_timeout without answer
};

struct RegisterOptions {
    std::string point;              // reading point name
    Obis obis;
    std::uint16_t class_id = 3;     // 3 register (scaler/unit from attribute 3), 1 data (no scaler)
    std::optional<double> scale;    // replaces the scaler from attribute 3 when set
    std::string unit;               // replaces the unit from attribute 3 when not empty
};

struct IdentityOptions {
    std::string name;               // e.g. "serial_number"
    Obis obis;
    std::uint16_t class_id = 1;
    std::string expected;           // empty: read and reported, not checked
};

struct ProfileChannel {
    Obis obis;                      // the capture object's logical name
    std::int8_t attribute = 2;
    std::string point;
    std::string unit;
    double scale = 1.0;             // value = raw * scale
};

struct ProfileOptions {
    std::string name = "lp1";                 // for logs, events and stats
    Obis obis = obis::load_profile_1;
    std::vector<ProfileChannel> channels;     // capture objects not listed are not stored
    std::optional<Obis> status_obis;          // the status column; default: the first class-1 column
    std::string status_point;                 // non-empty: the raw interval status is stored as this point
    Duration poll_delay = std::chrono::seconds(10);  // read this long after each interval end
    Duration history = std::chrono::hours(24);       // how far back the first read goes (nothing stored yet)
    std::size_t max_entries_per_read = 96;           // periods per range request (one durable batch each)
    std::optional<TimestampUs> last_stored_end_us;   // the read pointer at start (from the store)
};

// One read of the meter's clock (class 8 attribute 2): what a policy needs to measure the
// offset with the delay correction (meterclock::measure_offset(sent_us, meter_us,
// received_us, resolution)).
struct ClockReading {
    TimestampUs sent_us = 0;      // gateway UTC: the request's last frame went out
    TimestampUs meter_us = 0;     // the meter's time, as UTC (options.time)
    TimestampUs received_us = 0;  // gateway UTC: the answer arrived
    Duration resolution{};        // the date-time's step: 10 ms with hundredths, else 1 s
    Duration utc_offset{};        // the meter's local time minus UTC then (interval alignment)
    CosemDateTime raw;            // as the meter sent it
};

// What to do after a check: set the clock now (in the same association, right after the
// read), and when to check next (wall clock UTC; nullopt: only when asked).
struct ClockCheckAnswer {
    bool set = false;
    std::optional<TimestampUs> next_check_us;
};

// The outcome of a set a policy asked for.
struct ClockSetOutcome {
    // "ok" (the meter accepted it), "rejected" (it answered with an error, or SET is not
    // in the conformance it granted), "failed" (no answer: communication lost).
    std::string result;
    std::string detail;                 // the access result, "set-not-granted", the I/O error
    TimestampUs at_us = 0;              // gateway UTC when the value was sent
    std::optional<ClockReading> after;  // the clock read back after an accepted set
};

// A clock policy outside the session (the gateway's MeterClockPolicy). When `on_check` is
// set, the session's own clock rules step aside (clock_check_period, clock_set,
// clock_tolerance, clock_guard are not used; the policy has a tolerance and a guard
// window): the clock is read at start (unless clock_check_period is 0: only when asked),
// when on_check's answer says and on
// request_clock_check() / request_clock_set(); on_check decides on every read (nullopt:
// the meter answered without a usable time), and on_set hears how each set went. No
// dlms_time_checked / dlms_time_set / dlms_time_set_failed events then: the policy's
// owner audits. Both run on the line's executor.
struct ClockPolicyHooks {
    std::function<ClockCheckAnswer(const std::optional<ClockReading>&)> on_check;
    std::function<void(const ClockSetOutcome&)> on_set;
    bool active() const { return static_cast<bool>(on_check); }
};

struct ClientOptions {
    std::string id;  // meter id: logs, traces, events, readings
    TransportKind transport = TransportKind::tcp_wrapper;
    std::uint16_t client_sap = 16;        // 16 public, 1 read/write, 2 read-only (reference meter)
    std::string password;                 // LLS secret (never logged); empty: no authentication
    std::uint16_t server_wport = 1;       // TCP wrapper destination (logical device)
    HdlcOptions hdlc;
    std::uint16_t max_receive_pdu = 0xFFFF;  // proposed in the AARQ
    transport::LinePriority priority = transport::LinePriority::normal;

    Duration response_timeout = std::chrono::seconds(5);  // per response frame / APDU
    Duration idle_release = std::chrono::seconds(30);     // release the association after this long without a task
    Duration retry_min = std::chrono::seconds(2);          // after a failed cycle, backoff ..
    Duration retry_max = std::chrono::seconds(120);        // .. up to this

    std::vector<IdentityOptions> identity;
    Duration identity_period = std::chrono::hours(1);
    bool identity_blocks = false;  // a mismatch stops register and profile reads (a swapped meter)

    std::vector<RegisterOptions> registers;
    Duration register_period = std::chrono::seconds(60);  // 0: registers are not read

    std::vector<ProfileOptions> profiles;

    Duration clock_check_period = std::chrono::minutes(15);  // 0: only around a set
    bool clock_set = false;                       // allowed to SET the clock (needs client 1)
    Duration clock_tolerance = std::chrono::seconds(2);
    Duration clock_guard = std::chrono::seconds(30);  // no set this close to a capture boundary

    ClockPolicyHooks clock_policy;  // see ClockPolicyHooks

    TimeInterpretation time;  // how the meter's date-times are read

    // Capture boundaries are wall-clock (UTC) times: the schedule looks at the wall clock
    // again at least this often, so a step of the gateway's clock (NTP or GPS taking hold)
    // moves the profile reads with it.
    Duration wall_clock_recheck = std::chrono::seconds(1);

    // Whether the line ends a read still pending when a lease is released (as OwnedLine's
    // and the RTU bus's lease channels do): see dnp3::SessionOptions.
    bool line_cancels_pending_read = true;
};

// Readings from one exchange or one profile chunk, already mapped (meter, point, unit,
// scale, quality). `durable` batches (profiles) must be acknowledged through done(true)
// only once committed with an fsync: the read pointer advances then. Others may take
// done(true) at once.
struct ReadBatch {
    std::string meter;
    std::string task;  // "registers", "identity", "profile:lp1"
    bool durable = false;
    std::vector<Reading> readings;
};
// Called on the line's executor. `done` may be called from any thread, exactly once.
using ReadingsHandler = std::function<void(ReadBatch batch, std::function<void(bool stored)> done)>;

// Things an operator must see; the gateway writes them to the audit log. Kinds:
// "dlms_associated" {client, max_pdu, conformance}, "dlms_association_failed" {client,
// result, diagnostic, reason}, "dlms_comm_lost" {error}, "dlms_comm_restored",
// "dlms_time_checked" {offset_ms}, "dlms_time_set" {offset_before_ms, offset_after_ms},
// "dlms_time_set_failed" {offset_ms, result}, "dlms_identity_mismatch" {object, obis,
// expected, actual}, "dlms_profile_refilled" {profile, from, to, intervals, lost,
// entries_in_use, profile_entries}, "dlms_profile_lost" {profile, from, to, intervals},
// "dlms_profile_channel_missing" {profile, obis}, "dlms_profile_changed" {profile, ...}.
struct ClientEvent {
    std::string meter;
    std::string kind;
    std::string detail_json;  // a JSON object
    TimestampUs ts_us = 0;
};
using ClientEventHandler = std::function<void(ClientEvent)>;

struct ProfileStats {
    std::string name;
    Duration capture_period{0};
    std::optional<TimestampUs> last_end_us;  // read pointer
    std::uint64_t intervals = 0;             // stored in all
    std::uint64_t refilled = 0;
    std::uint64_t lost = 0;                  // beyond the meter's retention
    std::uint64_t entries_in_use = 0;
    std::uint64_t profile_entries = 0;
};

struct ClientStats {
    std::string id;
    bool associated = false;
    bool online = false;
    std::uint64_t associations = 0;
    std::uint64_t association_failures = 0;
    std::uint64_t exchanges = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t blocks = 0;          // GET-Response-With-Datablock received
    std::uint64_t frames_sent = 0;     // HDLC frames or wrapper PDUs
    std::uint64_t frames_received = 0;
    std::uint64_t frame_errors = 0;    // HCS/FCS errors, malformed frames or wrapper PDUs
    std::uint64_t foreign_frames = 0;  // not for us / not from this meter
    std::uint64_t readings = 0;
    std::uint64_t access_errors = 0;   // GET/SET results other than success
    std::uint64_t time_sets = 0;
    std::uint16_t negotiated_pdu = 0;
    std::uint32_t negotiated_conformance = 0;
    HdlcParameters negotiated_hdlc{};
    std::optional<std::int64_t> last_offset_ms;  // meter clock minus gateway clock
    std::map<std::string, std::string> identity;  // IdentityOptions::name -> the value last read
    TimestampUs last_success_us = 0;
    std::string last_error;
    std::vector<ProfileStats> profiles;
};

class ClientSession {
public:
    // The line, clock and logger must outlive the session. Nothing happens before start().
    // Throws std::invalid_argument for HDLC addresses that cannot be encoded (a client SAP
    // outside 1..127, a logical device or physical id too large for address_octets).
    ClientSession(transport::LineAccess& line, const Clock& clock, ClientOptions options, ReadingsHandler on_readings,
                  ClientEventHandler on_event, Logger& logger);
    ~ClientSession();
    ClientSession(const ClientSession&) = delete;
    ClientSession& operator=(const ClientSession&) = delete;

    void start();
    // No new exchange; the one in flight completes (a profile chunk being stored is waited
    // for), the association is released if the line allows, then done runs on the line's
    // executor.
    void stop(std::function<void()> done);
    // Run now (as soon as the line allows) instead of waiting for the schedule.
    void request_profile_read();
    void request_clock_check();
    // A set regardless of tolerance (still needs clock_set, and a client the meter lets
    // write the clock: client 1 on the reference meter). With a clock policy: a check now,
    // whose answer decides (the policy's owner forces it if it wants).
    void request_clock_set();
    ClientStats stats() const;  // thread-safe
    const ClientOptions& options() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gridgate::dlms
