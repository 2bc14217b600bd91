#pragma once
// MasterSession internals, shared by master_session.cpp (lifecycle, scheduling, IIN and
// outcomes), master_session_link.cpp (one transaction on the line: link, transport and
// application layers) and master_session_tasks.cpp (what each task sends and does with
// the answers).
//
// Everything runs on the line's executor. Callbacks handed to the channel, the timers and
// the DataHandler hold the Impl and carry the transaction's generation: a completion from
// an earlier transaction (or after the session is abandoned) does nothing. Callbacks kept
// in members are only ever run from those entry points, so they capture `this`.
#include <array>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/json_text.hpp"
#include "gridgate/dnp3/link.hpp"
#include "gridgate/dnp3/master.hpp"
#include "gridgate/dnp3/meter_time.hpp"
#include "gridgate/dnp3/transport.hpp"

namespace gridgate::dnp3::detail {

using SteadyClock = std::chrono::steady_clock;

enum class TaskKind : std::uint8_t {
    clear_restart,
    integrity,
    time_set,
    class1,
    class2,
    class3,
    class0,
    read,
    time_check,
};

struct Task {
    TaskKind kind = TaskKind::integrity;
    std::size_t read = 0;  // index into SessionOptions::reads for TaskKind::read
};

// How a task ended. soft_failure: the outstation answered but the task did not complete
// (a confirm withheld): communication is fine, the task is retried after a backoff.
enum class Outcome : std::uint8_t { ok, soft_failure, failed };

// A task on a period (aligned on the steady clock from start) that can also be asked for.
struct Periodic {
    Duration period{0};
    SteadyClock::time_point next{};
    bool requested = false;
    bool due(SteadyClock::time_point now) const { return requested || (period.count() > 0 && now >= next); }
};


struct Impl : std::enable_shared_from_this<Impl> {
    Impl(transport::LineAccess& line, const Clock& clock, SessionOptions options, DataHandler on_data,
         EventHandler on_event, Logger& logger);

    // ------------------------------------------------ master_session.cpp
    void start();
    void stop(std::function<void()> done);
    void abandon();
    void pump();  // starts the next due task, or sleeps until one is due
    std::optional<Task> pick(SteadyClock::time_point now) const;
    SteadyClock::time_point next_wakeup() const;
    void arm_schedule(SteadyClock::time_point at);
    void acquire(Task task);
    void on_grant(std::uint64_t token, Task task, transport::LineError error, std::unique_ptr<transport::LineLease> l);
    void complete_task(const Task& task, Outcome outcome, const std::string& error, bool timeout);
    void mark_done(const Task& task, SteadyClock::time_point now);
    void back_off(SteadyClock::time_point now);
    void request_event_polls(const Task& task);
    void finish_stop_if_idle();
    void handle_iin(const Iin& iin);
    void emit(const std::string& kind, const std::string& detail_json);
    std::string task_name(const Task& task) const;
    bool is_current(TaskKind kind) const { return current && current->kind == kind; }
    template <class F>
    void update_stats(F&& f) {
        std::lock_guard lock(stats_mutex);
        f(stats);
    }

    // ------------------------------------------------ master_session_link.cpp
    using ResponseHandler = std::function<void(Response)>;
    void begin(Task task, std::unique_ptr<transport::LineLease> l);
    // Sends a request and hands its first response fragment (right sequence) to `handler`.
    // `request_sent_us` is the gateway time the request's first octet left.
    void request(std::vector<std::uint8_t> fragment, std::uint8_t seq, ResponseHandler handler);
    // Waits for the next fragment of a multi-fragment response.
    void await_fragment(std::uint8_t seq, ResponseHandler handler);
    // Sends a fragment that expects no response (a confirm); `sent` runs once it is out.
    void send_fragment(std::vector<std::uint8_t> fragment, std::function<void()> started, std::function<void()> sent);
    void link_step();
    void link_wait_expired();
    void transmit(std::vector<std::uint8_t> frame, std::function<void()> started, std::function<void()> sent);
    void transmit_next();
    void send_secondary(SecondaryFunction f);
    void ensure_reading();
    void on_read(std::uint64_t g, const boost::system::error_code& ec, std::size_t n);
    void handle_frame(const LinkFrame& frame);
    void handle_secondary(const LinkHeader& h);
    void push_segment(const std::vector<std::uint8_t>& segment);
    void on_fragment(const std::vector<std::uint8_t>& fragment);
    void arm_wait(Duration d, std::function<void()> on_expiry);
    void cancel_wait();
    void fail(const std::string& why, bool timeout = false, bool line_failed = false);
    void finish(Outcome outcome, const std::string& error = {}, bool timeout = false, bool line_failed = false);
    void trace_app(const char* direction, const std::vector<std::uint8_t>& fragment);
    std::uint8_t next_seq();
    void sync_layer_stats();

    // ------------------------------------------------ master_session_tasks.cpp
    void run_task();
    void run_poll();
    void on_poll_fragment(Response r);
    void on_done(std::uint64_t g, std::uint64_t token, bool stored);
    void send_confirm(std::uint8_t seq, bool fin);
    void run_clear_restart();
    void run_time_check();
    void run_time_set();
    // Reads g50v1: when the request left, when the answer came, the meter's time as UTC.
    void read_clock(std::function<void(const ClockMeasurement&)> then);
    // The same as an offset (meter minus gateway, ms); nullopt without a time.
    void read_time(std::function<void(std::optional<std::int64_t>)> then);
    // With a clock_decider (clock_sync.hpp): a check whose measurement the decider judges,
    // then the set it asks for, the read after it, and the report to on_time_set.
    void run_decided_check();
    void run_decided_set(const std::string& reason);
    void conclude_decided_set(const std::string& reason, const char* result,
                              std::optional<ClockMeasurement> after);
    // A decided set that ends with the transaction failing: on_time_set hears "failed".
    void abort_decided_set(const std::string& error);
    void set_time_lan(std::function<void(bool accepted)> then);
    void set_time_non_lan(std::function<void(bool accepted)> then);
    void conclude_time_set(const std::string& reason, const char* result, std::optional<std::int64_t> after);
    void withhold_confirm(const std::string& why);
    // Confirms a response that asked for it outside a poll, then continues.
    void confirm_if_asked(const Response& r, std::function<void()> then);
    AppControl request_control(std::uint8_t seq) const;

    // ------------------------------------------------ fixed
    transport::LineAccess& line;
    const Clock& clock;
    SessionOptions options;
    DataHandler on_data;
    EventHandler on_event;
    Logger& logger;
    boost::asio::any_io_executor executor;
    boost::asio::steady_timer schedule_timer;
    boost::asio::steady_timer txn_timer;

    mutable std::mutex stats_mutex;
    SessionStats stats;  // guarded by stats_mutex

    // ------------------------------------------------ lifecycle
    bool running = false;  // start() was called
    bool stopping = false;
    bool stopped = false;
    std::atomic<bool> abandoned{false};
    std::vector<std::function<void()>> stop_handlers;

    // ------------------------------------------------ schedule
    SteadyClock::time_point start_time{};
    Periodic integrity;
    std::array<Periodic, 4> classes;  // by class number: 0 = static data, 1..3 = events
    std::array<bool, 4> class_bit_stuck{};  // the class's bit stayed set through a poll that brought nothing
    std::vector<Periodic> reads;
    Periodic time_check;
    bool clear_restart_pending = false;
    std::optional<std::string> time_set_reason;  // "need_time" or "tolerance"
    SteadyClock::time_point need_time_holdoff{};  // NEED_TIME ignored until then (after a set)
    std::optional<SteadyClock::time_point> recheck_at;  // a check the decider asked for
    SteadyClock::time_point retry_at{};
    unsigned backoff_steps = 0;
    SteadyClock::time_point armed_at{};
    bool armed = false;

    // ------------------------------------------------ communication state
    bool online = false;
    bool ever_online = false;
    bool lost_reported = false;
    Iin last_iin;

    // ------------------------------------------------ the transaction in progress
    bool acquiring = false;
    std::uint64_t acquire_token = 0;
    std::optional<Task> current;
    std::unique_ptr<transport::LineLease> lease;
    transport::ByteChannel* channel = nullptr;
    std::uint64_t gen = 0;  // per transaction
    std::uint64_t wait_id = 0;
    std::function<void()> wait_expiry;
    std::optional<std::pair<Outcome, std::string>> deferred_finish;  // waiting for transmissions

    // transmissions, one at a time on the channel
    struct Outgoing {
        std::shared_ptr<std::vector<std::byte>> bytes;
        std::function<void()> started;
        std::function<void()> sent;
    };
    std::deque<Outgoing> tx_queue;
    bool transmitting = false;

    // link layer
    enum class LinkWait : std::uint8_t { none, reset_ack, data_ack };
    struct LinkSend {
        std::deque<std::vector<std::uint8_t>> segments;
        std::function<void()> started;  // for the first segment's transmissions
        std::function<void()> sent;
        bool first = true;
        unsigned attempts = 0;  // transmissions of the current frame (reset included) without an ACK
        std::uint64_t id = 0;
    };
    std::uint64_t link_send_id = 0;
    std::optional<LinkSend> link_send;
    LinkWait link_wait = LinkWait::none;
    bool link_reset_done = false;
    bool tx_fcb = true;
    std::optional<bool> rx_fcb_expected;  // the outstation's next FCB, known after its reset
    LinkParser parser;
    std::array<std::byte, 1024> rx{};
    bool read_pending = false;

    // transport layer
    std::uint8_t transport_seq = 0;
    Reassembler reassembler;

    // application layer
    std::uint8_t app_seq = 0;
    bool awaiting_response = false;
    std::uint8_t expected_seq = 0;
    ResponseHandler on_response;
    TimestampUs request_sent_us = 0;
    TimestampUs response_received_us = 0;

    // the poll in progress
    std::uint64_t done_token = 0;
    bool awaiting_done = false;
    std::uint8_t confirm_seq = 0;
    bool confirm_fin = false;
    std::uint64_t poll_events = 0;

    // the time set in progress
    std::optional<std::int64_t> offset_before;
    bool decided_set_running = false;  // on_time_set owes its owner an answer
};

}  // namespace gridgate::dnp3::detail
