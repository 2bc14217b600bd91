// Names of the client vocabulary shared by the TCP client and the RTU bus.
#include "gridgate/modbus/client.hpp"

namespace gridgate::modbus {

const char* to_string(TransactionError e) {
    switch (e) {
        case TransactionError::timeout: return "timeout";
        case TransactionError::connect_failed: return "connect failed";
        case TransactionError::disconnected: return "disconnected";
        case TransactionError::bad_response: return "bad response";
        case TransactionError::cancelled: return "cancelled";
        case TransactionError::backed_off: return "backed off";
        case TransactionError::rejected: return "rejected";
    }
    return "?";
}

const char* to_string(Priority p) {
    switch (p) {
        case Priority::low: return "low";
        case Priority::normal: return "normal";
        case Priority::high: return "high";
    }
    return "?";
}

std::optional<Priority> parse_priority(std::string_view text) {
    for (const Priority p : {Priority::low, Priority::normal, Priority::high})
        if (text == to_string(p)) return p;
    return std::nullopt;
}

}  // namespace gridgate::modbus
