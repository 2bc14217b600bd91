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
#include <string>
#include <thread>

#include "gridgate/core/backoff.hpp"
#include "gridgate/northbound/encoding.hpp"
#include "gridgate/northbound/inflight_window.hpp"
#include "gridgate/northbound/mqtt_forwarder.hpp"

namespace gridgate::northbound {

using SteadyClock = std::chrono::steady_clock;

struct MqttForwarder::Impl {
    Impl(MqttOptions options, Outbox& outbox, const Clock& clock, Logger& logger);
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
    void on_connection_lost(const std::string& cause);

    // --- worker thread ---
    void run();
    void wait_until(std::unique_lock<std::mutex>& lock, SteadyClock::time_point deadline);
    void wake();  // with the mutex held
    void release_acked(std::unique_lock<std::mutex>& lock);
    void process_connection_events();
    bool keep_draining() const;
    void begin_connect(std::unique_lock<std::mutex>& lock);
    void start_session(std::unique_lock<std::mutex>& lock);
    bool fill_window(std::unique_lock<std::mutex>& lock);
    bool session_usable() const;
    void lose_session(const std::string& reason);
    std::string schedule_reconnect();
    void shutdown(std::unique_lock<std::mutex>& lock);

    // --- fixed at construction ---
    const MqttOptions options;
    Outbox& outbox;
    const Clock& clock;
    Logger& logger;
    const Topics topics;
    const std::string uri;

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
    InflightWindow window;
    MqttStats stats;
    std::string status_details;      // last health details, repeated in each birth

    // --- worker thread only ---
    Backoff backoff;
    SteadyClock::time_point next_attempt;
    std::uint64_t next_after = 0;         // last seq read for publishing this session
    std::uint64_t max_published_seq = 0;  // to count resent batches
    std::uint64_t next_batch_id = 1;

    // Declared last: the client (and its callbacks) go before everything they use.
    ConnectListener connect_listener{*this};
    PublishListener publish_listener{*this};
    std::unique_ptr<mqtt::async_client> client;
    std::thread worker;
};

}  // namespace gridgate::northbound
