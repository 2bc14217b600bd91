// Paho's callback thread: record what happened and wake the worker, nothing more (no
// Outbox access, no publishing, no waiting).
#include <cstdint>

#include "forwarder_impl.hpp"
#include "paho_options.hpp"

namespace gridgate::northbound {

namespace {
// Tokens carry a plain number (connect attempt or batch id) as their user context, so a
// late callback can never reach freed memory: unknown numbers are simply ignored.
std::uint64_t context_id(const mqtt::token& token) {
    return reinterpret_cast<std::uintptr_t>(token.get_user_context());
}
}  // namespace

void MqttForwarder::Impl::ConnectListener::on_success(const mqtt::token& token) {
    std::lock_guard lock(self.mutex);
    const std::uint64_t id = context_id(token);
    if (id != self.attempt) return;
    self.paho_attempt = id;
    self.connect_outcome = ConnectOutcome::succeeded;
    self.wake();
}

void MqttForwarder::Impl::ConnectListener::on_failure(const mqtt::token& token) {
    std::lock_guard lock(self.mutex);
    if (context_id(token) != self.attempt) return;
    self.connect_error = describe_connect_failure(token.get_return_code(), self.options);
    self.connect_outcome = ConnectOutcome::failed;
    self.wake();
}

void MqttForwarder::Impl::PublishListener::on_success(const mqtt::token& token) {
    std::lock_guard lock(self.mutex);
    if (const auto* batch = self.lanes.mark_acked(context_id(token))) {
        ++self.stats.batches_acked;
        self.stats.readings_acked += batch->readings;
        self.drain_rate.record(static_cast<double>(batch->readings), static_cast<double>(batch->bytes),
                               SteadyClock::now());
        self.wake();
    }
}

void MqttForwarder::Impl::PublishListener::on_failure(const mqtt::token& token) {
    std::lock_guard lock(self.mutex);
    if (!self.lanes.contains(context_id(token))) return;  // from a session already given up
    self.session_broken = true;
    self.stats.last_error = "publish failed: " + describe_mqtt_error(token.get_return_code());
    self.wake();
}

void MqttForwarder::Impl::EventListener::on_success(const mqtt::token& token) {
    std::lock_guard lock(self.mutex);
    if (self.event_window.mark_acked(context_id(token)) != nullptr) {
        ++self.stats.events_acked;
        self.wake();
    }
}

void MqttForwarder::Impl::EventListener::on_failure(const mqtt::token& token) {
    std::lock_guard lock(self.mutex);
    if (!self.event_window.contains(context_id(token))) return;  // from a session already given up
    self.session_broken = true;
    self.stats.last_error = "event publish failed: " + describe_mqtt_error(token.get_return_code());
    self.wake();
}

void MqttForwarder::Impl::on_connection_lost(const std::string& cause) {
    std::lock_guard lock(mutex);
    lost_attempt = paho_attempt;
    lost_cause = cause.empty() ? "connection lost" : cause;
    wake();
}

}  // namespace gridgate::northbound
