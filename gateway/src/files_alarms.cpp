#include "files_alarms.hpp"

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "file_spool.hpp"

namespace gridgate::gateway {

namespace {

std::string host_of_peer(const std::string& peer) {
    // "1.2.3.4:567" or "[::1]:567"
    const auto colon = peer.rfind(':');
    std::string host = colon == std::string::npos ? peer : peer.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return host;
}

}  // namespace

std::string safe_file_name(const std::string& name) {
    std::string base = name;
    if (const auto slash = base.find_last_of("/\\"); slash != std::string::npos) base = base.substr(slash + 1);
    for (char& c : base)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
    while (!base.empty() && base.front() == '.') base.erase(0, 1);
    if (base.size() > 200) base = base.substr(base.size() - 200);
    return base;
}

GatewayAlarmHandler::GatewayAlarmHandler(const GatewayConfig& config, FileSpool& spool,
                                         std::function<void(bool)> stored, Logger& logger)
    : spool_(spool), stored_(std::move(stored)), logger_(logger) {
    std::map<std::string, std::set<std::string>> hosts;
    for (const auto& m : config.meters) {
        for (const auto& id : m.notification_ids) by_id_[id] = m.id;
        for (const auto& c : config.connections)
            if (c.id == m.connection) hosts[c.host].insert(m.id);
        if (m.pqdif.enabled && !m.pqdif.ssh.host.empty()) hosts[m.pqdif.ssh.host].insert(m.id);
    }
    // Several meters behind one address (a serial server) cannot be told apart by it.
    for (const auto& [host, meters] : hosts)
        if (meters.size() == 1) by_host_[host] = *meters.begin();
}

std::string GatewayAlarmHandler::meter_of(const notify::AlarmDelivery& delivery) const {
    if (!delivery.notification.device_id.empty())
        if (const auto it = by_id_.find(delivery.notification.device_id); it != by_id_.end()) return it->second;
    if (const auto it = by_host_.find(host_of_peer(delivery.peer)); it != by_host_.end()) return it->second;
    return {};
}

notify::AlarmReply GatewayAlarmHandler::handle(const notify::AlarmDelivery& delivery) {
    const auto& n = delivery.notification;
    const std::string meter = meter_of(delivery);
    nlohmann::json detail;
    if (!meter.empty()) detail["meter"] = meter;
    detail["event_type"] = n.event_type;
    if (!n.device_id.empty()) detail["device_id"] = n.device_id;
    if (!n.event_id.empty()) detail["event_id"] = n.event_id;
    if (!n.event_time.empty()) detail["event_time"] = n.event_time;
    detail["peer"] = delivery.peer;
    if (!delivery.client_subject.empty()) detail["client_subject"] = delivery.client_subject;
    detail["notification"] = nlohmann::json::parse(n.json, nullptr, false);
    if (detail["notification"].is_discarded()) detail["notification"] = n.json;

    std::optional<SpoolIntake> intake;
    if (delivery.file) {
        if (spool_.intake_stopped()) {
            logger_.warn("alarms", "refused a notification with a file from " + delivery.peer +
                                       ": the spool is over its quota (stop_intake); the meter will retry");
            return {503, "spool full"};
        }
        std::string name = safe_file_name(delivery.file->filename);
        if (name.empty()) name = "notification-" + (n.event_id.empty() ? std::string("file") : safe_file_name(n.event_id)) + ".pqd";
        const auto staged = spool_.new_staging_path(name);
        {
            std::ofstream out(staged, std::ios::binary | std::ios::trunc);
            out.write(delivery.file->bytes.data(), static_cast<std::streamsize>(delivery.file->bytes.size()));
            out.flush();
            if (!out) {
                std::error_code ignored;
                std::filesystem::remove(staged, ignored);
                logger_.error("alarms", "cannot write the attached file of a notification from " + delivery.peer);
                return {503, "cannot store the file"};
            }
        }
        detail["file"] = name;
        intake = SpoolIntake{meter, name, "https", 0, staged};
    }
    const std::string kind(notify::notification_event_kind(n.event_type));
    try {
        const SpoolAdmit admitted = spool_.admit_with_event(intake, kind, detail.dump());
        if (intake && admitted.duplicate)
            logger_.info("alarms", "notification from " + delivery.peer + " carried " + intake->name +
                                       ", already in the spool (a repeat)");
    } catch (const std::exception& e) {
        if (intake) {
            std::error_code ignored;
            std::filesystem::remove(intake->staged, ignored);
        }
        logger_.error("alarms", "cannot store a notification from " + delivery.peer + ": " + e.what());
        return {503, "cannot store the notification"};
    }
    logger_.info("alarms", "stored " + n.event_type + " notification" + (meter.empty() ? "" : " of meter " + meter) +
                               " from " + delivery.peer + (intake ? " with " + intake->name : ""));
    if (stored_) stored_(intake.has_value());
    return {200, "stored"};
}

}  // namespace gridgate::gateway
