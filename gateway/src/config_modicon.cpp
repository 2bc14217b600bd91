#include "config_modicon.hpp"

namespace gridgate::gateway::config_detail {

std::optional<ModiconRef> parse_modicon_ref(std::string_view text) {
    if (text.size() != 5 && text.size() != 6) return std::nullopt;
    long number = 0;
    for (char c : text.substr(1)) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + (c - '0');
    }
    const long max_number = text.size() == 5 ? 9'999 : 65'536;
    if (number < 1 || number > max_number) return std::nullopt;
    PointTable table{};
    switch (text.front()) {
        case '0': table = PointTable::coil; break;
        case '1': table = PointTable::discrete_input; break;
        case '3': table = PointTable::input_register; break;
        case '4': table = PointTable::holding_register; break;
        default: return std::nullopt;
    }
    return ModiconRef{table, static_cast<std::uint16_t>(number - 1)};
}

}  // namespace gridgate::gateway::config_detail
