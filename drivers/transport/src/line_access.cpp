#include "gridgate/transport/line_access.hpp"

namespace gridgate::transport {

const char* to_string(LineError e) {
    switch (e) {
        case LineError::none: return "none";
        case LineError::line_down: return "line_down";
        case LineError::cancelled: return "cancelled";
    }
    return "unknown";
}

}  // namespace gridgate::transport
