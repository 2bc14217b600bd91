#pragma once
// Shared by the MQTT forwarder integration tests: options tuned for quick tests, and
// readers for what the independent subscriber captured.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/northbound/mqtt_forwarder.hpp"
#include "gridgate/testing/mqtt_capture.hpp"

namespace gg_northbound_test {

// Generous safety nets for a loaded CI machine; the tests wait on conditions, not time.
constexpr auto long_wait = std::chrono::seconds(30);

inline gridgate::northbound::MqttOptions test_options(std::uint16_t port, std::string gateway = "gw-test") {
    gridgate::northbound::MqttOptions options;
    options.gateway_id = std::move(gateway);
    options.port = port;
    options.reconnect_min = std::chrono::milliseconds(100);
    options.reconnect_max = std::chrono::seconds(1);
    options.connect_timeout = std::chrono::seconds(5);
    options.batch_max_readings = 100;
    options.inflight_batches = 4;
    return options;
}

inline std::vector<nlohmann::json> payloads_on(const std::vector<gridgate::testing::MqttMessage>& messages,
                                               const std::string& topic) {
    std::vector<nlohmann::json> out;
    for (const auto& message : messages)
        if (message.topic == topic) out.push_back(nlohmann::json::parse(message.payload));
    return out;
}

// Every seq carried by readings batches on `topic`.
inline std::set<std::uint64_t> delivered_seqs(const std::vector<gridgate::testing::MqttMessage>& messages,
                                              const std::string& topic) {
    std::set<std::uint64_t> seqs;
    for (const auto& batch : payloads_on(messages, topic))
        for (const auto& reading : batch["readings"]) seqs.insert(reading["seq"].get<std::uint64_t>());
    return seqs;
}

inline bool has_all_seqs(const std::set<std::uint64_t>& seqs, std::uint64_t first, std::uint64_t last) {
    for (std::uint64_t seq = first; seq <= last; ++seq)
        if (!seqs.count(seq)) return false;
    return true;
}

// Counts every seq delivered on a topic, reading only the messages it has not seen yet,
// so a test streaming hundreds of thousands of readings can poll it cheaply.
class SeqTally {
public:
    SeqTally(std::string topic, std::uint64_t last_seq) : topic_(std::move(topic)), counts_(last_seq + 1, 0) {}

    void update(const std::vector<gridgate::testing::MqttMessage>& messages) {
        for (; consumed_ < messages.size(); ++consumed_) {
            if (messages[consumed_].topic != topic_) continue;
            ++batches_;
            const auto batch = nlohmann::json::parse(messages[consumed_].payload);
            for (const auto& reading : batch["readings"]) {
                const auto seq = reading["seq"].get<std::uint64_t>();
                if (seq >= counts_.size()) counts_.resize(seq + 1, 0);
                ++counts_[seq];
                ++delivered_;
            }
        }
    }
    // Every seq in [first, last] seen at least once.
    bool complete(std::uint64_t first, std::uint64_t last) const {
        if (last >= counts_.size()) return false;
        for (std::uint64_t seq = first; seq <= last; ++seq)
            if (counts_[seq] == 0) return false;
        return true;
    }
    std::uint32_t count(std::uint64_t seq) const { return seq < counts_.size() ? counts_[seq] : 0; }
    std::uint64_t distinct() const {
        std::uint64_t n = 0;
        for (const auto c : counts_) n += c > 0;
        return n;
    }
    std::uint64_t delivered() const { return delivered_; }            // readings, repeats included
    std::uint64_t duplicates() const { return delivered_ - distinct(); }
    std::size_t batches() const { return batches_; }

private:
    std::string topic_;
    std::vector<std::uint32_t> counts_;
    std::size_t consumed_ = 0;
    std::uint64_t delivered_ = 0;
    std::size_t batches_ = 0;
};

// Index (in arrival order among `topic` messages) of the first batch carrying `seq`, or -1.
inline long first_batch_with(const std::vector<gridgate::testing::MqttMessage>& messages, const std::string& topic,
                             std::uint64_t seq) {
    long index = 0;
    for (const auto& message : messages) {
        if (message.topic != topic) continue;
        const auto batch = nlohmann::json::parse(message.payload);
        for (const auto& reading : batch["readings"])
            if (reading["seq"].get<std::uint64_t>() == seq) return index;
        ++index;
    }
    return -1;
}

// The first status message matching state (and clean, when given), optionally retained only.
inline std::optional<nlohmann::json> find_status(const std::vector<gridgate::testing::MqttMessage>& messages,
                                                 const std::string& topic, const std::string& state,
                                                 std::optional<bool> clean = std::nullopt,
                                                 bool retained_only = false) {
    for (const auto& message : messages) {
        if (message.topic != topic || (retained_only && !message.retained)) continue;
        const auto status = nlohmann::json::parse(message.payload);
        if (status.value("state", "") != state) continue;
        if (clean && status.value("clean", !*clean) != *clean) continue;
        return status;
    }
    return std::nullopt;
}

}  // namespace gg_northbound_test
