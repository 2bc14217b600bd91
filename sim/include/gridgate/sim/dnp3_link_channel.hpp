#pragma once
// The data link layer of a simulated outstation on one channel (a TCP connection or a
// serial line), IEEE 1815 §9:
//   secondary side (the master's frames): RESET_LINK_STATES -> ACK and FCB expected 1;
//     TEST_LINK_STATES and CONFIRMED_USER_DATA -> ACK, the FCB checked (a repeated FCB
//     is acknowledged again but its data not delivered twice), both ignored while the
//     link has not been reset; REQUEST_LINK_STATUS -> LINK_STATUS; UNCONFIRMED_USER_DATA
//     delivered; anything else -> NOT_SUPPORTED;
//   primary side (our responses): UNCONFIRMED_USER_DATA, or with the confirm mode
//     CONFIRMED_USER_DATA after our own RESET_LINK_STATES, one frame at a time, re-sent
//     `retries` times when no ACK comes within `timeout`, then given up.
// Pure: times are parameters; frames to send are appended to `out`.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/dnp3/link.hpp"
#include "gridgate/sim/dnp3_options.hpp"

namespace gridgate::sim {

struct Dnp3LinkStats {
    std::uint64_t resets = 0;          // RESET_LINK_STATES received
    std::uint64_t repeated_fcb = 0;    // confirmed frames with the previous FCB (not delivered again)
    std::uint64_t not_reset = 0;       // TEST_LINK / CONFIRMED_USER_DATA ignored before a reset
    std::uint64_t confirmed_sent = 0;  // our CONFIRMED_USER_DATA frames, first sendings
    std::uint64_t retries = 0;         // re-sendings after no ACK
    std::uint64_t failures = 0;        // confirmed transmissions given up
};

class Dnp3LinkChannel {
public:
    struct Options {
        std::uint16_t local = 1;  // our link address
        LinkConfirmMode mode = LinkConfirmMode::never;
        unsigned retries = 3;
        Duration timeout = std::chrono::seconds(1);
    };
    using Frames = std::vector<std::vector<std::uint8_t>>;

    Dnp3LinkChannel(const Options& options, Dnp3LinkStats& stats) : options_(options), stats_(&stats) {}

    // A frame addressed to us. Link-level answers go to `out`; true when its user data
    // is to be delivered to the transport layer.
    bool on_frame(const dnp3::LinkFrame& frame, SteadyTime now, Frames& out);

    // Sends the transport segments of one fragment to the master (the source of the last
    // frame received).
    void send(const Frames& segments, SteadyTime now, Frames& out);

    // Re-sends or gives up an unacknowledged frame once its timeout has passed.
    void on_timer(SteadyTime now, Frames& out);
    std::optional<SteadyTime> deadline() const;

    std::uint16_t remote() const { return remote_; }
    // True when the secondary side has been reset (RESET_LINK_STATES received).
    bool secondary_reset() const { return secondary_reset_; }

private:
    void send_next(SteadyTime now, Frames& out);
    void transmit_current(SteadyTime now, Frames& out);
    void give_up();

    Options options_;
    Dnp3LinkStats* stats_;
    std::uint16_t remote_ = 0;

    bool secondary_reset_ = false;
    bool expected_fcb_ = true;

    // Primary side with confirmation.
    bool primary_reset_ = false;
    bool next_fcb_ = true;
    std::deque<std::vector<std::uint8_t>> queue_;  // segments not yet acknowledged, front = current
    enum class Waiting : std::uint8_t { nothing, reset_ack, data_ack } waiting_ = Waiting::nothing;
    std::vector<std::uint8_t> current_frame_;  // the encoded frame awaiting its ACK
    unsigned retries_left_ = 0;
    SteadyTime ack_deadline_{};
};

}  // namespace gridgate::sim
