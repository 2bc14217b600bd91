#pragma once
// gridgatectl time: the gateway's clock (chrony's view of it, steps seen) and each meter's
// last measured clock offset and last set.
#include <nlohmann/json.hpp>

namespace gridgate::tools {

void print_time(const nlohmann::json& report);

}  // namespace gridgate::tools
