#pragma once
// The gateway's side of the HTTPS alarm receiver: a notification is matched to a
// configured meter (by the ids its meter sends, else by the peer's address), stored as
// a gateway event together with its attached PQDIF file in one fsynced transaction, and
// only then answered 200. Event kinds: "meter_alarm" (OU, SS, PQ, RE, BAT, TS, CFG),
// "meter_pqdif" (PQD), "meter_notification" (others); docs/northbound.md has the detail.
#include <functional>
#include <map>
#include <string>

#include "gridgate/core/log.hpp"
#include "gridgate/gateway/config.hpp"
#include "gridgate/notify/alarm_receiver.hpp"

namespace gridgate::gateway {

class FileSpool;

class GatewayAlarmHandler final : public notify::AlarmHandler {
public:
    // `stored`: called after each stored notification (wakes MQTT and the file sinks).
    GatewayAlarmHandler(const GatewayConfig& config, FileSpool& spool, std::function<void(bool with_file)> stored,
                        Logger& logger);
    notify::AlarmReply handle(const notify::AlarmDelivery& delivery) override;

    // Which meter a notification belongs to: "" when none claims it.
    std::string meter_of(const notify::AlarmDelivery& delivery) const;

private:
    FileSpool& spool_;
    std::function<void(bool)> stored_;
    Logger& logger_;
    std::map<std::string, std::string> by_id_;    // notification id -> meter
    std::map<std::string, std::string> by_host_;  // meter host (IP) -> meter, when unique
};

// A file name a meter sent, made safe to store: the last path component, characters
// outside [A-Za-z0-9._-] replaced by '_', no leading '.', at most 200 characters; ""
// when nothing is left.
std::string safe_file_name(const std::string& name);

}  // namespace gridgate::gateway
