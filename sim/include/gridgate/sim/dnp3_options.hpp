#pragma once
// How a simulated JEMStar II DNP3 outstation behaves (reference/meter-dnp3.md §2, §3,
// Appendix C in §10). Plain data shared by the command line, the pure outstation and
// the runtime.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate::sim {

// The meter's "Data Link Confirm Mode": whether our frames go as CONFIRMED_USER_DATA.
enum class LinkConfirmMode : std::uint8_t {
    never,   // always UNCONFIRMED_USER_DATA (the meter's default)
    multi,   // confirmed only when a fragment takes more than one frame ("Sometimes")
    always,  // every frame confirmed
};
const char* to_string(LinkConfirmMode mode);
bool parse_link_confirm_mode(std::string_view text, LinkConfirmMode& out);

inline constexpr std::size_t max_dnp3_counters = 300;  // JEMWare: counter points 1-300
inline constexpr std::size_t max_dnp3_analogs = 200;   // JEMWare: analog points 1-200
inline constexpr std::size_t dnp3_binary_inputs = 2;   // Appendix C: digital inputs 1 and 2
inline constexpr std::size_t dnp3_binary_outputs = 4;  // Appendix C: Ch3..Ch6

struct Dnp3Options {
    std::uint16_t address = 1;  // outstation link address (Appendix C: device address 1)

    // Points: JEMWare point p (1-based) is sent as wire index p - 1 + index_base. The
    // manual does not say which (§6), so it is configurable.
    std::size_t counters = 4;  // g20 / g21 / g23 points, 1..300
    std::size_t analogs = 18;  // g30 points, 1..200
    std::uint32_t index_base = 0;

    std::size_t event_buffer = 500;                     // frozen-counter events held until confirmed
    Duration freeze_period = std::chrono::minutes(15);  // register freeze, aligned to the meter's clock
    // NEED_TIME is set this long after the last time set (and from start until the first);
    // 0 = never ("Write Time Interval", 1 minute by default).
    Duration write_time_interval = std::chrono::minutes(1);
    bool global_time_set = true;  // false: time writes are answered but ignored

    Duration confirm_timeout = std::chrono::seconds(5);  // application confirm
    LinkConfirmMode link_confirm = LinkConfirmMode::never;
    unsigned link_retries = 3;                        // re-sends of an unacknowledged confirmed frame
    Duration link_timeout = std::chrono::seconds(1);  // wait for the link ACK

    // The meter's clock: system UTC + offset, running fast by drift_ppm (negative: slow).
    Duration clock_offset{0};
    double clock_drift_ppm = 0.0;

    std::size_t max_fragment = 2048;  // transmitted fragment size (device profile)
};

}  // namespace gridgate::sim
