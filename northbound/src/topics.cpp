#include <stdexcept>
#include <string>

#include "gridgate/northbound/encoding.hpp"

namespace gridgate::northbound {

namespace {

// A topic level we build from configuration must not contain MQTT wildcards, and the
// gateway id must be one non-empty level.
void check_topic_part(std::string_view what, std::string_view text, bool allow_slash) {
    if (text.find_first_of("+#") != std::string_view::npos || text.find('\0') != std::string_view::npos)
        throw std::invalid_argument(std::string(what) + " must not contain '+', '#' or NUL: " + std::string(text));
    if (!allow_slash && text.find('/') != std::string_view::npos)
        throw std::invalid_argument(std::string(what) + " must not contain '/': " + std::string(text));
}

}  // namespace

Topics make_topics(std::string_view prefix, std::string_view gateway_id) {
    if (gateway_id.empty()) throw std::invalid_argument("gateway id must not be empty");
    check_topic_part("topic prefix", prefix, /*allow_slash=*/true);
    check_topic_part("gateway id", gateway_id, /*allow_slash=*/false);
    std::string base;
    if (!prefix.empty()) base.append(prefix).push_back('/');
    base.append(gateway_id).push_back('/');
    return Topics{base + "readings", base + "events", base + "status", base + "files", base + "cmd/#"};
}

}  // namespace gridgate::northbound
