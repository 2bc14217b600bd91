#pragma once
// A misbehaving RTU slave for fault-injection tests, on one end of a pty pair, in a
// thread. It reads each request and does what the script says for it: answer right,
// stay silent, answer with garbage, from the wrong address, with a bad CRC, late, or
// after line noise. Every wrong answer carries values that differ from the right ones,
// so a test can prove no wrong value was ever taken for a reading.
//
// Right values: register a of slave u holds right_value(u, a).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "gridgate/core/time.hpp"

namespace gridgate::rtu_test {

enum class SlaveAction : std::uint8_t {
    answer,          // the right reply
    silent,          // no reply
    garbage,         // random bytes instead of a reply
    wrong_address,   // a valid reply, wrong values, from the next address up
    bad_crc,         // the reply's shape with wrong values and a corrupted CRC
    late,            // a valid reply with wrong values, after `late_by` (past the master's timeout)
    noise_then_answer,  // a few noise bytes, then the right reply
    truncated,       // the first half of a reply with wrong values, then nothing
};
const char* to_string(SlaveAction a);

inline std::uint16_t right_value(std::uint8_t unit, std::uint16_t address) {
    return static_cast<std::uint16_t>(unit * 1000 + address);
}

class ScriptedRtuSlave {
public:
    // Which action for the n-th request (0-based) addressed to one of `units`.
    using Script = std::function<SlaveAction(std::uint64_t n, std::uint8_t unit)>;

    ScriptedRtuSlave(const std::string& device, std::vector<std::uint8_t> units, Script script, Duration late_by);
    ~ScriptedRtuSlave();
    ScriptedRtuSlave(const ScriptedRtuSlave&) = delete;
    ScriptedRtuSlave& operator=(const ScriptedRtuSlave&) = delete;

    std::map<SlaveAction, std::uint64_t> actions() const;  // what was done, how often

private:
    void run();
    void serve(const std::vector<std::byte>& request);
    void send(const std::vector<std::byte>& bytes);

    int fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::vector<std::uint8_t> units_;
    Script script_;
    Duration late_by_;
    std::uint64_t served_ = 0;
    std::uint32_t random_ = 0x2545F491;
    mutable std::mutex mutex_;
    std::map<SlaveAction, std::uint64_t> actions_;
    std::thread thread_;
};

}  // namespace gridgate::rtu_test
