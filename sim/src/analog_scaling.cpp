#include "gridgate/sim/analog_scaling.hpp"

#include <algorithm>
#include <cmath>

namespace gridgate::sim {

std::int16_t scale_analog(double value, double range, double scale_factor) {
    constexpr double full_scale = 32767.0;
    if (!(range > 0.0) || !std::isfinite(value)) return 0;
    const double raw = std::round(value / range * full_scale * scale_factor);
    return static_cast<std::int16_t>(std::clamp(raw, -32768.0, 32767.0));
}

}  // namespace gridgate::sim
