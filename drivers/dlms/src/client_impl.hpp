#pragma once
// ClientSession internals, shared by client_session.cpp (lifecycle, schedule, outcomes),
// client_exchange.cpp (exchanges on the line, connection), client_association.cpp
// (AARQ/AARE, GET with blocks and lists, SET, RLRQ), client_tasks.cpp (identity,
// registers, clock) and client_profile.cpp (profiles).
//
// Everything runs on the line's executor. A task is a chain of exchanges; each exchange
// holds the line only for itself (exchange()): between two, other meters use the line.
// Continuations only ever see successful link results: a failed exchange ends the task
// (exchange_failed()). Callbacks handed out hold the Impl and carry the task's generation,
// so a completion for a task that ended (or a session abandoned) does nothing.
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client_link.hpp"
#include "client_util.hpp"
#include "gridgate/dlms/apdu.hpp"
#include "gridgate/dlms/client.hpp"
#include "gridgate/dlms/profile.hpp"

namespace gridgate::dlms::detail {

using SteadyClock = std::chrono::steady_clock;

enum class TaskKind : std::uint8_t { identity, clock_check, clock_set, profile, registers, release };
struct Task {
    TaskKind kind = TaskKind::registers;
    std::size_t profile = 0;
};

// ok; soft_failure: the meter answered but the task could not complete (association
// refused, a batch not stored): backoff, no communication loss; failed: communication lost.
enum class Outcome : std::uint8_t { ok, soft_failure, failed };

struct Periodic {
    Duration period{0};
    SteadyClock::time_point next{};
    bool requested = false;
    bool due(SteadyClock::time_point now) const { return requested || (period.count() > 0 && now >= next); }
};

// A GET's result and when its response arrived (gateway time).
struct Got {
    GetResult result;
    TimestampUs at_us = 0;    // the response arrived
    TimestampUs sent_us = 0;  // the request went out (its last frame)
};
using GotHandler = std::function<void(std::vector<Got>)>;

struct ProfileState {
    bool requested = true;                // at start, and request_profile_read()
    std::optional<TimestampUs> due_us;    // next capture boundary + poll_delay (wall clock)
    SteadyClock::time_point retry_at{};   // after a batch not stored
    unsigned failures = 0;
    bool attributes_read = false;         // capture objects and period, this association
    std::vector<CaptureObject> columns;
    ProfileLayout layout;
    Duration period{0};
    std::vector<std::optional<std::size_t>> channel_columns;  // per configured channel
    std::set<std::size_t> missing_reported;
    std::optional<TimestampUs> pointer;   // end of the last interval stored
    bool pointer_stored = false;          // the pointer marks stored data (losses count against it)
};

// The profile poll in progress.
struct ProfilePoll {
    std::size_t index = 0;
    TimestampUs started_us = 0;  // wall clock: the next poll is due from the boundary after this
    TimestampUs scan_from = 0;   // the next range starts after this
    bool oldest_checked = false;
    std::uint64_t refilled = 0;
    std::uint64_t lost = 0;
    TimestampUs refill_from = 0;
    TimestampUs refill_to = 0;
    std::uint64_t entries_in_use = 0;
    std::uint64_t profile_entries = 0;
    std::uint64_t done_token = 0;
    bool awaiting_done = false;
    // the chunk being stored
    TimestampUs chunk_max_end = 0;
    std::uint64_t chunk_intervals = 0;
    std::uint64_t chunk_refilled = 0;
    std::uint64_t chunk_readings = 0;
    TimestampUs chunk_refill_from = 0;
    TimestampUs chunk_refill_to = 0;
};

struct Impl : std::enable_shared_from_this<Impl> {
    Impl(transport::LineAccess& line, const Clock& clock, ClientOptions options, ReadingsHandler on_readings,
         ClientEventHandler on_event, Logger& logger);

    // ------------------------------------------------ client_session.cpp, client_exchange.cpp
    void start();
    void stop(std::function<void()> done);
    void abandon();
    void pump();
    std::optional<Task> pick(SteadyClock::time_point now) const;
    void arm_schedule(SteadyClock::time_point now);
    void run(Task task);
    void with_association(std::function<void()> then);
    enum class Step : std::uint8_t { connect, data, disconnect };
    // One exchange on the line: `make_apdu` runs once the line is granted (the time in a
    // clock set is taken then). `close` ends the connection afterwards (TCP release).
    void exchange(Step step, std::function<std::vector<std::uint8_t>()> make_apdu,
                  std::function<void(LinkResult)> then, bool close = false);
    void exchange_failed(const LinkResult& r);
    void end_task(Outcome outcome, const std::string& error = {});
    void association_lost();
    void back_off(SteadyClock::time_point now);
    void mark_done(const Task& task);
    void finish_stop_if_idle();
    void emit(const std::string& kind, const std::string& detail_json);
    std::string task_name(const Task& task) const;
    bool once(const std::string& key);  // true the first time per association
    template <class F>
    void update_stats(F&& f) {
        std::lock_guard lock(stats_mutex);
        f(stats);
    }

    // ------------------------------------------------ client_association.cpp
    void associate(std::function<void()> then);
    void release_association();
    std::uint8_t next_invoke_id();
    void get(const GetItem& item, std::function<void(Got)> then);
    void get_next(std::uint8_t invoke, std::uint32_t block, std::shared_ptr<std::vector<std::uint8_t>> raw,
                  bool list, std::size_t count, GotHandler then);
    void on_get_response(const LinkResult& r, std::uint8_t invoke, std::shared_ptr<std::vector<std::uint8_t>> raw,
                         std::uint32_t expected_block, bool list, std::size_t count, GotHandler then);
    // With-list in chunks of 10 when granted, else one GET each; results in item order.
    void get_many(std::vector<GetItem> items, GotHandler then);
    void get_list_from(std::shared_ptr<std::vector<GetItem>> items, std::size_t from,
                       std::shared_ptr<std::vector<Got>> out, GotHandler then);
    void set(const AttributeDescriptor& attribute, std::function<Data()> make_value,
             std::function<void(AccessResult)> then);
    void trace_apdu(const char* direction, std::span<const std::uint8_t> apdu);
    bool granted(std::uint32_t bit) const { return (conformance & bit) != 0; }

    // ------------------------------------------------ client_tasks.cpp
    void run_identity();
    void run_registers();
    void read_register_values();
    void report_access_error(const std::string& what, AccessResult result);

    // ------------------------------------------------ client_clock.cpp
    void run_clock_check();
    void run_clock_set();
    // GET of the clock: the reading (offset_ms() of it: meter minus gateway), or nullopt
    // without a usable time.
    void read_clock(std::function<void(std::optional<ClockReading>)> then);
    bool clock_set_allowed() const;  // options and this association allow an automatic set
    TimestampUs clock_set_not_before() const;
    // Writes attribute 2 with our time as the SET arrives; `then` gets the meter's answer.
    void write_clock(std::function<void(AccessResult)> then);
    // The clock policy (ClockPolicyHooks): a check it decides on, and a set it asked for.
    void run_policy_check();
    void run_policy_set();
    void report_policy_set(ClockSetOutcome outcome);
    bool policy() const { return options.clock_policy.active(); }

    // ------------------------------------------------ client_profile.cpp
    void run_profile(std::size_t index);
    void profile_attributes(std::function<void()> then);
    void profile_counters(std::function<void()> then);
    void read_chunk();
    void on_chunk(Got got, TimestampUs to, bool reached_present);
    void check_oldest(std::vector<ProfileEntry> entries, TimestampUs to, bool reached_present, TimestampUs at_us);
    void deliver_chunk(std::vector<ProfileEntry> entries, TimestampUs to, bool reached_present, TimestampUs at_us);
    void on_chunk_stored(std::uint64_t g, std::uint64_t token, bool stored, TimestampUs to, bool reached_present);
    void profile_failed(const std::string& why);
    void report_refills();
    void finish_profile_poll();
    std::optional<TimestampUs> profile_due(std::size_t index) const;
    ProfileState& profile() { return profiles[poll.index]; }
    const ProfileOptions& profile_options() const { return options.profiles[poll.index]; }

    // ------------------------------------------------ fixed
    transport::LineAccess& line;
    const Clock& clock;
    ClientOptions options;
    ReadingsHandler on_readings;
    ClientEventHandler on_event;
    Logger& logger;
    boost::asio::any_io_executor executor;
    boost::asio::steady_timer schedule_timer;
    std::shared_ptr<ClientLink> link;
    bool tcp = false;

    mutable std::mutex stats_mutex;
    ClientStats stats;  // guarded by stats_mutex

    // ------------------------------------------------ lifecycle
    bool running = false;
    bool stopping = false;
    bool stopped = false;
    std::atomic<bool> abandoned{false};
    std::vector<std::function<void()>> stop_handlers;

    // ------------------------------------------------ schedule
    SteadyClock::time_point start_time{};
    Periodic identity_task;
    Periodic registers_task;
    Periodic clock_check_task;
    std::optional<std::string> clock_set_reason;  // "tolerance" or "request"
    std::optional<TimestampUs> policy_check_due_us;  // wall clock: the policy's next check
    std::vector<ProfileState> profiles;
    SteadyClock::time_point retry_at{};
    unsigned backoff_steps = 0;
    SteadyClock::time_point last_activity{};
    std::uint64_t arm_id = 0;

    // ------------------------------------------------ communication
    bool online = false;
    bool ever_online = false;
    bool lost_reported = false;
    bool identity_blocked = false;

    // ------------------------------------------------ the association
    bool associated = false;
    std::uint32_t conformance = 0;
    std::uint16_t server_max_pdu = 0;
    std::uint8_t invoke = 0;
    std::set<std::string> reported;                  // once-per-association keys
    std::map<std::size_t, ScalerUnit> scalers;       // register index -> scaler_unit, this association
    bool clock_read = false;                         // this association
    bool time_set_refused = false;                   // this association
    MeterTimeBasis meter_time;                       // what the clock last said about itself
    std::optional<std::int64_t> meter_offset_ms;
    TimestampUs one_way_us = 0;                      // half the last clock read's round trip

    // ------------------------------------------------ the task in progress
    std::optional<Task> current;
    std::uint64_t gen = 0;        // per task
    bool acquiring = false;
    std::uint64_t acquire_token = 0;
    std::unique_ptr<transport::LineLease> lease;
    bool in_exchange = false;
    ProfilePoll poll;
    std::optional<std::int64_t> offset_before;
    // A set the policy asked for, in this task: where it stands if the task fails.
    enum class PolicySet : std::uint8_t { idle, setting, reading_back } policy_set_stage = PolicySet::idle;
    TimestampUs policy_set_at = 0;
};

}  // namespace gridgate::dlms::detail
