#include "gridgate/sim/dlms_meter.hpp"

#include "gridgate/core/clock.hpp"
#include "json_text.hpp"

namespace gridgate::sim {

DlmsMeter::DlmsMeter(DlmsServerOptions options, TimestampUs start_utc_us, UtcNow utc_now)
    : id_(options.id),
      server_(std::make_unique<DlmsServer>(std::move(options), start_utc_us)),
      utc_now_(utc_now ? std::move(utc_now) : UtcNow([] { return SystemClock{}.now_utc_us(); })) {}

DlmsHdlcServer& DlmsMeter::attach_hdlc(const DlmsHdlcOptions& options, std::string bus) {
    bus_ = std::move(bus);
    hdlc_ = std::make_unique<DlmsHdlcServer>(
        options,
        [this](std::uint16_t client_sap, std::span<const std::uint8_t> apdu) {
            return server_->handle_apdu(hdlc_association_, client_sap, apdu, utc_now_());
        },
        [this] { server_->end_association(hdlc_association_); });
    return *hdlc_;
}

void DlmsMeter::set_link_up(bool up) {
    if (up == link_up_) return;
    link_up_ = up;
    if (!up && hdlc_) hdlc_->disconnect();
    for (const auto& listener : link_listeners_) listener(up);
}

void DlmsMeter::add_link_listener(std::function<void(bool up)> listener) {
    link_listeners_.push_back(std::move(listener));
}

DlmsMeter& DlmsFleet::add(std::unique_ptr<DlmsMeter> meter) {
    meters_.push_back(std::move(meter));
    return *meters_.back();
}

DlmsMeter* DlmsFleet::find(std::string_view id) {
    for (const auto& m : meters_)
        if (m->id() == id) return m.get();
    return nullptr;
}

DlmsLineInfo& DlmsFleet::add_line(DlmsLineInfo line) {
    lines_.push_back(std::make_unique<DlmsLineInfo>(std::move(line)));
    return *lines_.back();
}

std::string dlms_served_line(TimestampUs t, std::string_view kind, std::string_view detail_json) {
    std::string out = "{\"t\":";
    json::append_number(out, t);
    out.append(",\"event\":");
    json::append_string(out, kind);
    // The detail is an object of its own: its members follow ours.
    const auto open = detail_json.find('{');
    const auto close = detail_json.rfind('}');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
        const std::string_view members = detail_json.substr(open + 1, close - open - 1);
        if (members.find_first_not_of(" \t") != std::string_view::npos) out.append(",").append(members);
    }
    out.append("}\n");
    return out;
}

}  // namespace gridgate::sim
