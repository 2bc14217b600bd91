#include "gridgate/sim/dnp3_options.hpp"

namespace gridgate::sim {

const char* to_string(LinkConfirmMode mode) {
    switch (mode) {
        case LinkConfirmMode::never: return "never";
        case LinkConfirmMode::multi: return "multi";
        case LinkConfirmMode::always: return "always";
    }
    return "?";
}

bool parse_link_confirm_mode(std::string_view text, LinkConfirmMode& out) {
    if (text == "never")
        out = LinkConfirmMode::never;
    else if (text == "multi" || text == "sometimes")
        out = LinkConfirmMode::multi;
    else if (text == "always")
        out = LinkConfirmMode::always;
    else
        return false;
    return true;
}

}  // namespace gridgate::sim
