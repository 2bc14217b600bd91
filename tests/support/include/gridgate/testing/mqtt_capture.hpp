#pragma once
// Records what an MQTT consumer would see, using the independent `mosquitto_sub` client
// (not our own code) as the subscriber. Every message is captured with its retained flag,
// topic and payload, in arrival order.
//
//   MqttCapture capture(dir.path(), broker.port(), {"gridgate/#"});
//   capture.wait_ready();                        // the subscription is live
//   ... run the code under test ...
//   REQUIRE(capture.wait_for([](const auto& msgs) { return msgs.size() >= 3; }));
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gridgate/testing/child_process.hpp"

namespace gridgate::testing {

struct MqttMessage {
    bool retained = false;  // delivered from the broker's retained store
    std::string topic;
    std::string payload;    // must not contain raw newlines (one line per message)
};

struct MqttCaptureOptions {
    std::string client_id;           // default: gg-capture-<pid>-<n>
    bool persistent_session = false; // clean session off: the broker queues QoS 1 messages
                                     // for us while we are disconnected (needs client_id)
    std::vector<std::string> extra_args;  // e.g. {"--cafile", path} for a TLS listener
};

class MqttCapture {
public:
    // Starts mosquitto_sub on 127.0.0.1:port subscribed (QoS 1) to the filters, logging
    // into dir. Call wait_ready() before publishing anything the test must see.
    MqttCapture(const std::filesystem::path& dir, std::uint16_t port, std::vector<std::string> topic_filters,
                MqttCaptureOptions options = {});
    ~MqttCapture();
    MqttCapture(const MqttCapture&) = delete;
    MqttCapture& operator=(const MqttCapture&) = delete;

    // Publishes probe messages (with mosquitto_pub) on a private topic until one comes
    // back, so the subscription is known to be active. Throws std::runtime_error on timeout.
    void wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // Everything received so far, probes excluded.
    std::vector<MqttMessage> messages();
    // Polls messages() until the predicate holds or the timeout passes.
    bool wait_for(const std::function<bool(const std::vector<MqttMessage>&)>& predicate,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

    void stop();
    ChildProcess& process() { return *process_; }
    std::string log_text() const;  // stderr of mosquitto_sub and the probes

private:
    void read_new_lines();

    std::filesystem::path output_file_;
    std::filesystem::path log_file_;
    std::uint16_t port_;
    std::string probe_topic_;
    std::vector<std::string> extra_args_;
    std::unique_ptr<ChildProcess> process_;
    std::string pending_;  // a partial last line
    std::size_t read_offset_ = 0;
    std::vector<MqttMessage> messages_;
    bool probe_seen_ = false;
};

}  // namespace gridgate::testing
