#pragma once
// How meter glue asks for the gateway's own time quality at the moment it checks a
// meter's clock (the gateway maps its chrony-based TimeMonitor onto this).
#include <functional>

#include "gridgate/meterclock/policy.hpp"

namespace gridgate::gateway {

using GatewayTimeQualityFn = std::function<meterclock::GatewayTimeQuality()>;

}  // namespace gridgate::gateway
