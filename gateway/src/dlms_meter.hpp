#pragma once
// One DLMS/COSEM meter in the gateway: the client session on its line (a TCP connection
// of its own, or an RS-485 bus shared with other meters) and the glue to the store: a
// profile chunk is committed (fsynced) before the session moves its read pointer on, and
// the pointer resumes after a restart from the newest profile interval the store holds.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/dlms/client.hpp"
#include "gridgate/gateway/config.hpp"
#include "gridgate/transport/line_access.hpp"

namespace gridgate::gateway {

// Session options from a meter's configuration (OBIS texts were checked by the loader).
// `profile_ends`: the end of the newest interval stored per profile name.
dlms::ClientOptions to_client_options(const MeterConfig& m, bool on_bus,
                                      const std::map<std::string, std::optional<TimestampUs>>& profile_ends);
// Point names whose newest stored reading marks where profile `p` resumes.
std::vector<std::string> profile_points(const DlmsProfileConfig& p);

class DlmsMeter {
public:
    // on_event runs after an event was recorded (e.g. to wake the MQTT events lane).
    DlmsMeter(transport::LineAccess& line, const Clock& clock, const MeterConfig& config, bool on_bus,
              const std::map<std::string, std::optional<TimestampUs>>& profile_ends, DurableSink& sink,
              EventSink& events, std::function<void()> on_event, Logger& logger);
    ~DlmsMeter();
    DlmsMeter(const DlmsMeter&) = delete;
    DlmsMeter& operator=(const DlmsMeter&) = delete;

    void start();
    void stop(std::function<void()> done);
    const std::string& id() const { return id_; }
    const std::string& link() const { return link_; }
    dlms::ClientStats stats() const;
    void request_profile_read();
    void request_clock_check();
    void request_clock_set();
    // For gridgatectl status: the session's stats.
    nlohmann::json status_json() const;

private:
    void on_readings(dlms::ReadBatch batch, std::function<void(bool)> done);
    void on_client_event(dlms::ClientEvent event);

    std::string id_;
    std::string link_;
    DurableSink& sink_;
    EventSink& events_;
    std::function<void()> on_event_;
    Logger& logger_;
    std::unique_ptr<dlms::ClientSession> session_;
};

}  // namespace gridgate::gateway
