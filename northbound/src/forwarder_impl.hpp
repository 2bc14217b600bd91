#pragma once
// MqttForwarder's state. One worker thread owns the Paho client's session logic; Paho's
// callback thread only records outcomes (connect result, PUBACK, connection lost) under
// the mutex and wakes the worker, which does everything slow (Outbox reads, cursor
// writes, publishing) without holding the mutex.
#include <mqtt/async_client.h>
#include <mqtt/iaction_listener.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gridgate/core/backoff.hpp"
#include "gridgate/northbound/delivery_lanes.hpp"
#include "gridgate/northbound/drain_rate.hpp"
#include "gridgate/northbound/encoding.hpp"
#include "gridgate/northbound/inflight_window.hpp"
#include "gridgate/northbound/mqtt_forwarder.hpp"
#include "gridgate/northbound/rate_limiter.hpp"

namespace gridgate::northbound {

using SteadyClock = std::chrono::steady_clock;

// Paho tokens carry a plain number (connect attempt or batch id) as their user context,
// never a pointer, so a late callback cannot reach freed memory.
inline void* context_of(std::uint64_t id) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)); }

struct MqttForwarder::Impl {
    Impl(MqttOptions options, Outbox& outbox, EventOutbox* events, const Clock& clock, Logger& logger);
    ~Impl();

    // --- Paho callbacks (Paho's thread) ---
    struct ConnectListener final : mqtt::iaction_listener {
        explicit ConnectListener(Impl& impl) : self(impl) {}
        void on_success(const mqtt::token& token) override;
        void on_failure(const mqtt::token& token) override;
        Impl& self;
    };
    struct PublishListener final : mqtt::iaction_listener {
        explicit PublishListener(Impl& impl) : self(impl) {}
        void on_success(const mqtt::token& token) override;
        void on_failure(const mqtt::token& token) override;
        Impl& self;
    };
    struct EventListener final : mqtt::iaction_listener {
        explicit EventListener(Impl& impl) : self(impl) {}
        void on_success(const mqtt::token& token) override;
        void on_failure(const mqtt::token& token) override;
        Impl& self;
    };
    void on_connection_lost(const std::string& cause);

    // --- worker thread ---
    void run();
    void wait_until(std::unique_lock<std::mutex>& lock, SteadyClock::time_point deadline);
    void wake();  // with the mutex held
    void release_acked(std::unique_lock<std::mutex>& lock);
    void release_acked_events(std::unique_lock<std::mutex>& lock);
    void write_cursors(std::unique_lock<std::mutex>& lock, const std::vector<CursorWrite>& writes);
    void process_connection_events();
    bool keep_draining() const;
    void begin_connect(std::unique_lock<std::mutex>& lock);
    void start_session(std::unique_lock<std::mutex>& lock);
    bool fill_window(std::unique_lock<std::mutex>& lock);  // events, then readings
    bool fill_readings(std::unique_lock<std::mutex>& lock);
    bool publish_events(std::unique_lock<std::mutex>& lock);
    bool open_live_lane(std::unique_lock<std::mutex>& lock, std::uint64_t live_start);
    enum class Step { published, empty, stop };  // what publish_next did
    Step publish_next(std::unique_lock<std::mutex>& lock, Lane lane);
    bool session_usable() const;
    void lose_session(const std::string& reason);
    std::string schedule_reconnect();
    void shutdown(std::unique_lock<std::mutex>& lock);

    // --- fixed at construction ---
    const MqttOptions options;
    Outbox& outbox;
    EventOutbox* const events;  // null: no events published
    const Clock& clock;
    Logger& logger;
    const Topics topics;
    const std::string uri;
    const LaneCursorNames cursor_names;
    const std::string events_cursor_name;  // "<sink>.events"
    const std::size_t live_lane_threshold;

    // --- guarded by mutex ---
    mutable std::mutex mutex;
    std::condition_variable wakeup;
    bool woken = false;
    enum class Link { down, connecting, up };
    Link link = Link::down;
    enum class ConnectOutcome { pending, succeeded, failed };
    ConnectOutcome connect_outcome = ConnectOutcome::pending;
    std::string connect_error;
    std::uint64_t attempt = 0;       // the current connect attempt (the worker's view)
    std::uint64_t paho_attempt = 0;  // the attempt Paho last reported connected
    std::uint64_t lost_attempt = 0;  // the attempt whose connection Paho reported lost
    std::string lost_cause;
    bool session_broken = false;     // a batch publish failed: start a new session
    bool session_fresh = false;      // connected, birth not yet published
    bool stop_requested = false;
    SteadyClock::time_point drain_deadline;
    DeliveryLanes lanes;             // batches in flight and lane positions
    MqttStats stats;
    std::string status_details;      // last health details, repeated in each birth
    DrainRate drain_rate;            // fed by PUBACKs
    double bytes_published = 0;      // for the average encoded size of a reading
    double readings_published = 0;
    InflightWindow event_window;     // events in flight (one "batch" per event, seq = event id)
    std::uint64_t events_read_to = 0;  // every event id up to here was read for publishing in this session
    bool events_wanted = false;      // notified, or the last read filled the window: read again
    SteadyClock::time_point events_next_check;  // safety net for events recorded without a notify
    std::uint64_t events_gap_warned = 0;  // last trimmed id range end already logged

    // --- worker thread only ---
    Backoff backoff;
    SteadyClock::time_point next_attempt;
    RateLimiter limiter;
    std::optional<SteadyClock::time_point> rate_wait;  // set by fill_window when the limiter holds it back
    bool rate_holding = false;                         // a batch is waiting for tokens (counted once)
    std::uint64_t next_batch_id = 1;

    // Declared last: the client (and its callbacks) go before everything they use.
    ConnectListener connect_listener{*this};
    PublishListener publish_listener{*this};
    EventListener event_listener{*this};
    std::unique_ptr<mqtt::async_client> client;
    std::thread worker;
};

}  // namespace gridgate::northbound
