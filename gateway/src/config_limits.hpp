#pragma once
// Bounds of every bounded configuration value, in one place so the loader and
// docs/configuration.md can be checked against each other.
#include <chrono>
#include <cstddef>

#include "gridgate/core/time.hpp"

namespace gridgate::gateway::config_detail {

struct IntRange {
    long long min;
    long long max;
};

struct DurationRange {
    Duration min;
    Duration max;
};

namespace limits {
using namespace std::chrono_literals;

inline constexpr std::size_t max_id_length = 64;      // ids become MQTT topic segments
inline constexpr std::size_t max_socket_path = 107;   // sizeof(sockaddr_un::sun_path) - 1

inline constexpr DurationRange status_interval{1s, 24h};

inline constexpr IntRange tcp_port{1, 65535};
inline constexpr DurationRange mqtt_keepalive{1s, 1h};
inline constexpr IntRange batch_max_readings{1, 10'000};
inline constexpr IntRange inflight_batches{1, 1'000};

inline constexpr IntRange max_messages_per_s{0, 1'000'000};
inline constexpr IntRange max_bytes_per_s{0, 1'000'000'000};   // bytes; "0" = unlimited
inline constexpr IntRange live_lane_threshold{0, 100'000'000};

inline constexpr DurationRange commit_interval{1ms, 10s};
inline constexpr IntRange quota_bytes{0, 1LL << 40};          // up to 1 TiB; 0 = off
inline constexpr DurationRange max_age{0s, 87600h};            // up to 10 years; 0 = off
inline constexpr IntRange max_pending_readings{1'000, 10'000'000};
inline constexpr IntRange commit_max_readings{1, 1'000'000};

inline constexpr IntRange max_connections{1, 8};
inline constexpr DurationRange connect_timeout{100ms, 60s};
inline constexpr DurationRange reconnect_max{1s, 1h};

inline constexpr IntRange unit_id{0, 255};
inline constexpr IntRange slave_address{1, 247};              // Modbus serial line: 0 is broadcast
inline constexpr DurationRange tx_delay{0s, 1s};
inline constexpr DurationRange max_backoff{1s, 24h};
inline constexpr IntRange backoff_after{1, 100};
inline constexpr DurationRange poll_interval{10ms, 24h};
inline constexpr DurationRange response_timeout{10ms, 60s};
inline constexpr IntRange max_block_registers{1, 125};
inline constexpr IntRange max_gap{0, 124};

inline constexpr IntRange address{0, 65535};

inline constexpr IntRange dnp3_address{0, 65519};             // 0xFFF0.. are reserved (broadcast, self)
inline constexpr IntRange dnp3_index{0, 65535};
inline constexpr DurationRange dnp3_period{1s, 24h};           // class polls and checks; 0 = off
inline constexpr DurationRange dnp3_read_period{1s, 24h};
inline constexpr DurationRange time_tolerance{10ms, 1h};
inline constexpr double min_scale_factor = 1.0;
inline constexpr double max_scale_factor = 1000.0;
}  // namespace limits

}  // namespace gridgate::gateway::config_detail
