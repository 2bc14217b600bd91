#include "gridgate/core/clock.hpp"

namespace gridgate {

TimestampUs SystemClock::now_utc_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

SteadyTime SystemClock::steady_now() const { return std::chrono::steady_clock::now(); }

}  // namespace gridgate
