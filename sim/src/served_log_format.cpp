#include "gridgate/sim/served_log_format.hpp"

#include "json_text.hpp"

namespace gridgate::sim {

void append_served_line(std::string& out, TimestampUs t, std::string_view meter, std::uint8_t unit,
                        const ServedRead& read) {
    out.append("{\"t\":");
    json::append_number(out, t);
    out.append(",\"meter\":");
    json::append_string(out, meter);
    out.append(",\"unit\":");
    json::append_number(out, unsigned{unit});
    out.append(",\"fc\":");
    json::append_number(out, unsigned{read.function});
    out.append(",\"addr\":");
    json::append_number(out, unsigned{read.address});
    out.append(",\"count\":");
    json::append_number(out, unsigned{read.count});
    out.append(",\"values\":[");
    for (std::size_t i = 0; i < read.values.size(); ++i) {
        if (i != 0) out.push_back(',');
        json::append_number(out, unsigned{read.values[i]});
    }
    out.append("]}\n");
}

}  // namespace gridgate::sim
