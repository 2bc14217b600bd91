#pragma once
// Forwards committed readings from an Outbox to an MQTT broker (Paho C++), QoS 1.
// Keeps a bounded window of batches in flight; the sink's cursor advances only over
// the contiguous prefix of batches the broker has PUBACKed. On reconnect, everything
// after the cursor is re-read from the Outbox and resent (the store, not Paho's memory,
// is the record of what was not delivered). Publishes a retained birth message on
// connect and registers a retained last will; publishes a clean "offline" on stop.
// Optionally rate-limited per sink; after an outage a live lane carries new readings
// while the backlog drains (see delivery_lanes.hpp and docs/northbound.md). Given an
// EventOutbox, it also publishes the gateway's events, one message each, in id order on
// <prefix>/<gw>/events, with their own small window and durable cursor "<sink>.events".
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"

namespace gridgate::northbound {

struct MqttTls {
    bool enabled = false;
    std::string ca_file;           // verify the server against this CA (required when enabled)
    std::string cert_file;         // optional client certificate
    std::string key_file;          // its private key (may be omitted if inside cert_file)
    bool verify_server = true;     // hostname / certificate verification
};

struct MqttOptions {
    std::string gateway_id;
    std::string host = "127.0.0.1";
    std::uint16_t port = 1883;
    std::string client_id;         // defaults to "gridgate-<gateway_id>"
    std::string topic_prefix = "gridgate";
    std::string username;
    std::string password;          // read by the caller from a file, never from the config
    MqttTls tls;
    Duration keepalive = std::chrono::seconds(30);
    Duration connect_timeout = std::chrono::seconds(10);
    Duration reconnect_min = std::chrono::seconds(1);
    Duration reconnect_max = std::chrono::seconds(60);
    std::size_t batch_max_readings = 500;
    std::size_t inflight_batches = 16;
    std::string sink_name = "mqtt";  // cursor name in the Outbox (the lanes add "<sink>.live_start", "<sink>.live")
    // Rate limits for readings batches, token buckets with a 100 ms burst (at least one
    // message); 0 = unlimited. Bytes are payload plus topic, without MQTT/TLS framing.
    double max_messages_per_s = 0;
    double max_bytes_per_s = 0;
    // A live lane opens when more than this many committed readings wait to be published;
    // unset = max(5, inflight_batches) x batch_max_readings, 0 = never (one lane, strictly
    // in seq order).
    std::optional<std::size_t> live_lane_threshold;
    // Events published and not yet acknowledged (only with an EventOutbox). They have
    // their own window, so readings never wait behind them, and this small bound keeps
    // an event burst from crowding out readings. Events are not rate-limited.
    std::size_t inflight_events = 4;
};

struct MqttStats {
    bool connected = false;
    std::uint64_t connects = 0;            // successful connects
    std::uint64_t connection_losses = 0;
    std::uint64_t batches_published = 0;
    std::uint64_t batches_acked = 0;       // PUBACKs received for readings batches
    std::uint64_t readings_acked = 0;
    std::uint64_t resent_batches = 0;      // batches repeating seqs already published once
    std::size_t inflight = 0;              // batches published and not yet acknowledged
    std::uint64_t cursor = 0;              // last seq written to the Outbox cursor
    std::string last_error;                // latest connect / publish / Outbox error, kept
    std::uint64_t rate_limit_waits = 0;    // times a batch waited for the rate limit
    bool live_lane_active = false;         // a live lane is open (see BacklogStats)
    std::uint64_t live_start = 0;          // the open live lane carries seqs after this
    std::uint64_t live_cursor = 0;         // last seq written to the "<sink>.live" cursor
    std::uint64_t live_lanes_opened = 0;   // by this forwarder since construction
    std::uint64_t events_published = 0;    // event messages (resends included)
    std::uint64_t events_acked = 0;        // PUBACKs received for event messages
    std::size_t events_inflight = 0;       // event messages published and not yet acknowledged
    std::uint64_t events_cursor = 0;       // last event id written to the "<sink>.events" cursor
};

// What `gridgatectl backlog` shows for one sink: computed from the durable cursors, so
// it is right whether or not the forwarder is connected.
struct BacklogStats {
    std::uint64_t readings = 0;            // committed, not yet acknowledged (both lanes)
    std::uint64_t estimated_bytes = 0;     // readings x average_bytes_per_reading
    double average_bytes_per_reading = 0;  // encoded size, running average (sampled if nothing was sent yet)
    TimestampUs oldest_ts_us = 0;          // oldest unacknowledged reading's timestamp (0 = none)
    double drain_readings_per_s = 0;       // acknowledged, exponentially smoothed over ~10 s
    double drain_bytes_per_s = 0;
    std::uint64_t cursor = 0;              // "<sink>": everything up to here is acknowledged
    std::uint64_t last_seq = 0;            // newest committed seq
    bool live_lane_active = false;
    std::uint64_t live_start = 0;          // the live lane carries seqs after this
    std::uint64_t live_cursor = 0;         // and has them acknowledged up to here
};

class MqttForwarder {
public:
    // Throws std::invalid_argument for unusable options: empty gateway id, '/' in it,
    // '+' or '#' in it or the prefix, zero batch_max_readings, inflight_batches or
    // inflight_events, TLS without ca_file, key_file without cert_file, empty sink_name,
    // a negative or non-finite rate limit. The clock stamps
    // status messages; waits (backoff, drain) use the steady clock.
    MqttForwarder(MqttOptions options, Outbox& outbox, const Clock& clock, Logger& logger);
    // The same, also publishing the events of `events` (usually the same store as
    // `outbox`). Events already in it when no "<sink>.events" cursor exists yet are all
    // published: a new gateway has nothing to hide.
    MqttForwarder(MqttOptions options, Outbox& outbox, EventOutbox& events, const Clock& clock, Logger& logger);
    ~MqttForwarder();  // stop() if still running
    MqttForwarder(const MqttForwarder&) = delete;
    MqttForwarder& operator=(const MqttForwarder&) = delete;

    void start();                       // connects in the background (again after stop())
    void notify_new_data();             // new commits exist; cheap, callable from any thread
    void notify_new_events();           // new events were recorded; cheap, callable from any thread
    void stop(Duration drain_timeout = std::chrono::seconds(2));  // waits for PUBACKs up to timeout, publishes clean offline, disconnects
    MqttStats stats() const;
    // Reads the Outbox (its cursors and backlog summary); callable from any thread.
    // Throws what the Outbox throws.
    BacklogStats backlog_stats() const;

    // Publishes a retained status payload (JSON object text) on the status topic now,
    // if connected. Used by the gateway for periodic health details. The details are
    // also repeated in every later birth. Throws std::invalid_argument if details_json
    // is not a JSON object.
    void publish_status_details(const std::string& details_json);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::northbound
