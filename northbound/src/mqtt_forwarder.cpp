// MqttForwarder's public face: construction checks, start/stop of the worker, and the
// thread-safe queries. The session logic is in forwarder_worker.cpp, Paho's callbacks in
// forwarder_callbacks.cpp.
#include "gridgate/northbound/mqtt_forwarder.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "forwarder_impl.hpp"
#include "paho_options.hpp"

namespace gridgate::northbound {

namespace {

MqttOptions checked(MqttOptions options) {
    if (options.batch_max_readings == 0) throw std::invalid_argument("mqtt: batch_max_readings must be at least 1");
    if (options.inflight_batches == 0) throw std::invalid_argument("mqtt: inflight_batches must be at least 1");
    if (options.inflight_events == 0) throw std::invalid_argument("mqtt: inflight_events must be at least 1");
    if (options.tls.enabled && options.tls.ca_file.empty())
        throw std::invalid_argument("mqtt: TLS needs a CA file to verify the broker");
    if (!options.tls.key_file.empty() && options.tls.cert_file.empty())
        throw std::invalid_argument("mqtt: a TLS key file needs its certificate file");
    if (options.sink_name.empty()) throw std::invalid_argument("mqtt: sink_name must not be empty");
    for (const double limit : {options.max_messages_per_s, options.max_bytes_per_s})
        if (!std::isfinite(limit) || limit < 0)
            throw std::invalid_argument("mqtt: rate limits must be finite and not negative (0 = unlimited)");
    if (options.client_id.empty()) options.client_id = "gridgate-" + options.gateway_id;
    return options;
}

// More than a window's worth, so that resending what was in flight at a reconnect does
// not by itself open a lane.
std::size_t default_live_lane_threshold(const MqttOptions& options) {
    return std::max<std::size_t>(5, options.inflight_batches) * options.batch_max_readings;
}

}  // namespace

MqttForwarder::Impl::Impl(MqttOptions opts, Outbox& box, EventOutbox* event_box, const Clock& clk, Logger& log)
    : options(checked(std::move(opts))),
      outbox(box),
      events(event_box),
      clock(clk),
      logger(log),
      topics(make_topics(options.topic_prefix, options.gateway_id)),
      uri(server_uri(options)),
      cursor_names(lane_cursor_names(options.sink_name)),
      events_cursor_name(options.sink_name + ".events"),
      live_lane_threshold(options.live_lane_threshold.value_or(default_live_lane_threshold(options))),
      lanes(options.inflight_batches),
      backoff(options.reconnect_min, options.reconnect_max),
      limiter(RateLimits{options.max_messages_per_s, options.max_bytes_per_s}) {
    // No persistence and no offline buffering: a publish while disconnected fails at
    // once, and undelivered readings are re-read from the Outbox, never from Paho.
    client = std::make_unique<mqtt::async_client>(uri, options.client_id,
                                                  static_cast<mqtt::iclient_persistence*>(nullptr));
    client->set_connection_lost_handler([this](const std::string& cause) { on_connection_lost(cause); });
}

MqttForwarder::Impl::~Impl() {
    // Silence Paho before the members its callbacks use go away. Paho refuses while a
    // connection is still open (a broker that never answered the DISCONNECT); the
    // callbacks' state is declared before the client and outlives it anyway.
    try {
        if (client) client->disable_callbacks();
    } catch (const std::exception&) {
    }
}

MqttForwarder::MqttForwarder(MqttOptions options, Outbox& outbox, const Clock& clock, Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), outbox, nullptr, clock, logger)) {}

MqttForwarder::MqttForwarder(MqttOptions options, Outbox& outbox, EventOutbox& events, const Clock& clock,
                             Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), outbox, &events, clock, logger)) {}

MqttForwarder::~MqttForwarder() { stop(); }

void MqttForwarder::start() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->worker.joinable()) return;
    // A fresh start, also after stop(): no leftovers from the previous run's session.
    impl_->stop_requested = false;
    impl_->link = Impl::Link::down;
    impl_->connect_outcome = Impl::ConnectOutcome::pending;
    impl_->session_broken = false;
    impl_->session_fresh = false;
    impl_->next_attempt = SteadyClock::now();
    impl_->backoff.reset();
    impl_->limiter = RateLimiter(RateLimits{impl_->options.max_messages_per_s, impl_->options.max_bytes_per_s});
    impl_->drain_rate.reset(SteadyClock::now());
    impl_->worker = std::thread([impl = impl_.get()] { impl->run(); });
}

void MqttForwarder::notify_new_data() {
    std::lock_guard lock(impl_->mutex);
    impl_->wake();
}

void MqttForwarder::notify_new_events() {
    std::lock_guard lock(impl_->mutex);
    impl_->events_wanted = true;
    impl_->wake();
}

void MqttForwarder::stop(Duration drain_timeout) {
    {
        std::lock_guard lock(impl_->mutex);
        if (!impl_->worker.joinable()) return;
        impl_->stop_requested = true;
        impl_->drain_deadline = SteadyClock::now() + drain_timeout;
        impl_->wake();
    }
    impl_->worker.join();
}

MqttStats MqttForwarder::stats() const {
    std::lock_guard lock(impl_->mutex);
    MqttStats copy = impl_->stats;
    copy.inflight = impl_->lanes.inflight();
    copy.events_inflight = impl_->event_window.size();
    return copy;
}

void MqttForwarder::publish_status_details(const std::string& details_json) {
    // Encoding first: it rejects details that are not a JSON object, before we keep them.
    const std::string payload =
        encode_status(impl_->options.gateway_id, "online", impl_->clock.now_utc_us(), details_json);
    {
        std::lock_guard lock(impl_->mutex);
        impl_->status_details = details_json;  // repeated in the birth of every later session
        // Not connected, or the birth (which will carry these details) is not out yet.
        if (impl_->link != Impl::Link::up || impl_->session_fresh) return;
    }
    try {
        impl_->client->publish(impl_->topics.status, payload.data(), payload.size(), 1, true);
    } catch (const std::exception& e) {
        impl_->logger.warn("mqtt", std::string("status publish failed: ") + e.what());
    }
}

}  // namespace gridgate::northbound
