#pragma once
// One DLMS/COSEM meter in the gateway: the client session on its line (a TCP connection
// of its own, or an RS-485 bus shared with other meters) and the glue to the store: a
// profile chunk is committed (fsynced) before the session moves its read pointer on, and
// the pointer resumes after a restart from the newest profile interval the store holds.
//
// The meter's clock goes through its MeterClockPolicy (MeterConfig::clock): the session
// reads the clock (attribute 2, with the times of the exchange), the policy decides on
// the offset measured with the delay correction (meterclock::measure_offset, at the
// resolution the date-time carries), and the session sets it (client 1) only when the
// policy says set. Each check is audited as meter_time_check (plus meter_clock_drift /
// meter_clock_large_offset when raised), each set as meter_time_set, through the EventSink.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/dlms/client.hpp"
#include "gridgate/gateway/config.hpp"
#include "gridgate/meterclock/audit.hpp"
#include "gridgate/meterclock/policy.hpp"
#include "gridgate/transport/line_access.hpp"
#include "gateway_time_quality.hpp"

namespace gridgate::gateway {

// Session options from a meter's configuration (OBIS texts were checked by the loader).
// `profile_ends`: the end of the newest interval stored per profile name. The meter's
// date-times without a deviation (or with deviation: ignore) are local time: in
// clock.time_zone when it is a tz zone (loaded here: TimeZoneError if unreadable), else by
// dlms.utc_offset_minutes and dlms.dst. No clock policy hooks (DlmsMeter adds them).
dlms::ClientOptions to_client_options(const MeterConfig& m, bool on_bus,
                                      const std::map<std::string, std::optional<TimestampUs>>& profile_ends);
// Point names whose newest stored reading marks where profile `p` resumes.
std::vector<std::string> profile_points(const DlmsProfileConfig& p);

class DlmsMeter {
public:
    // on_event runs after an event was recorded (e.g. to wake the MQTT events lane).
    // time_quality: the gateway's own time quality at each check; empty = unsynced (the
    // policy then never sets).
    DlmsMeter(transport::LineAccess& line, const Clock& clock, const MeterConfig& config, bool on_bus,
              const std::map<std::string, std::optional<TimestampUs>>& profile_ends, DurableSink& sink,
              EventSink& events, std::function<void()> on_event, Logger& logger,
              GatewayTimeQualityFn time_quality = {});
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
    // A check now; force (an operator's set): the policy lets the next set through
    // whatever its size (policy.force_next_set(); not past set: false, an unsynced gateway
    // or the guard window).
    void request_clock_set(bool force = true);
    // For gridgatectl status: the session's stats, and `clock` from the policy's state
    // (last check at / offset, last set at / result, drift streak, next check).
    nlohmann::json status_json() const;
    meterclock::MeterClockState clock_state() const;

private:
    void on_readings(dlms::ReadBatch batch, std::function<void(bool)> done);
    void on_client_event(dlms::ClientEvent event);
    dlms::ClockCheckAnswer on_clock_check(const std::optional<dlms::ClockReading>& reading);
    void on_clock_set(const dlms::ClockSetOutcome& outcome);
    std::optional<TimestampUs> next_check_after_failure(TimestampUs now) const;
    void record(std::string_view kind, const std::string& detail_json);
    nlohmann::json clock_json() const;

    std::string id_;
    std::string link_;
    DurableSink& sink_;
    EventSink& events_;
    std::function<void()> on_event_;
    Logger& logger_;
    const Clock& clock_;
    GatewayTimeQualityFn time_quality_;
    // The policy runs on the line's executor (the session's hooks) and is read by status
    // and operator requests from other threads.
    mutable std::mutex clock_mutex_;
    meterclock::MeterClockPolicy policy_;
    meterclock::ClockAuditRecord last_check_record_;   // the check a set follows
    std::optional<TimestampUs> last_set_attempt_at_;
    std::string last_set_result_;
    std::unique_ptr<dlms::ClientSession> session_;
};

}  // namespace gridgate::gateway
