#pragma once
// One DNP3 meter in the gateway: the master session on its line, the point map, and the
// glue that makes the durability contract hold: every fragment's readings are committed
// (fsynced) before the session may confirm it, and events the outstation sends again
// (a confirm withheld, or lost in a crash between commit and confirm) are recognised by
// the deduplicator and not stored twice.
//
// The meter's clock goes through its MeterClockPolicy (MeterConfig::clock): the session
// measures (every check_period, on NEED_TIME, on request) and hands each measurement to
// this glue, which corrects it for the exchange's delay (measure_offset), lets the policy
// decide, writes the audit events (meter_time_check, meter_clock_drift,
// meter_clock_large_offset; meter_time_set after a set) and tells the session whether to
// set, or when to look again (a set postponed by the guard window).
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/core/time_zone.hpp"
#include "gridgate/dnp3/dedup.hpp"
#include "gridgate/dnp3/master.hpp"
#include "gridgate/dnp3/point_map.hpp"
#include "gridgate/gateway/config.hpp"
#include "gridgate/meterclock/audit.hpp"
#include "gridgate/meterclock/policy.hpp"
#include "gridgate/transport/line_access.hpp"
#include "gateway_time_quality.hpp"

namespace gridgate::gateway {

// The deduplicator is shared by the gateway's DNP3 meters; sessions run on the io thread
// and commits complete on the committer thread, hence the lock.
struct SharedDedup {
    std::mutex mutex;
    dnp3::EventDeduplicator dedup;
};

// Session options from a meter's configuration; `on_bus` picks the default time-sync
// procedure (non-LAN on a serial line, LAN on TCP). The clock's check period and zone
// come from MeterConfig::clock; the decider is the Dnp3Meter's own.
dnp3::SessionOptions to_session_options(const MeterConfig& m, bool on_bus);
dnp3::PointMap to_point_map(const MeterConfig& m);
// The zone the meter's clock keeps (nullopt: UTC). Throws TimeZoneError for a zone that
// does not load (the configuration loader refuses those).
std::optional<TimeZone> meter_time_zone(const meterclock::ClockPolicyConfig& c);

class Dnp3Meter {
public:
    // on_event runs after an event was recorded (e.g. to wake the MQTT events lane).
    // time_quality: the gateway's own time quality, asked at each clock check (an empty
    // function counts as unsynced: the meter's clock is then never set).
    Dnp3Meter(transport::LineAccess& line, const Clock& clock, const MeterConfig& config, bool on_bus,
              DurableSink& sink, EventSink& events, std::function<void()> on_event, SharedDedup& dedup,
              Logger& logger, GatewayTimeQualityFn time_quality);
    ~Dnp3Meter();
    Dnp3Meter(const Dnp3Meter&) = delete;
    Dnp3Meter& operator=(const Dnp3Meter&) = delete;

    void start();
    void stop(std::function<void()> done);
    const std::string& id() const { return id_; }
    const std::string& link() const { return link_; }
    dnp3::SessionStats stats() const;
    std::uint64_t duplicates_dropped() const;
    std::uint64_t unmapped() const;

    // Reads the meter's clock as soon as the line allows (the policy decides as usual).
    void request_clock_check();
    // An operator's set: with force, the next set goes through whatever its size
    // (policy.force_next_set()); then an immediate check, which sets if the policy agrees.
    void request_clock_set(bool force);
    // The policy's view (gridgatectl time): last check, last set, drift, next check.
    nlohmann::json clock_status() const;
    // This meter in gridgatectl status: the session's counters and clock_status() as "clock".
    nlohmann::json status_json() const;

private:
    void on_data(dnp3::DataBatch batch, std::function<void(bool)> done);
    void on_session_event(dnp3::SessionEvent event);
    // On the line's executor: the policy's answer to one measurement, audited.
    dnp3::ClockVerdict decide_clock(const dnp3::ClockMeasurement& m);
    void on_time_set(const dnp3::TimeSetResult& r);
    void record(std::string_view kind, const std::string& detail_json);

    std::string id_;
    std::string link_;
    DurableSink& sink_;
    EventSink& events_;
    std::function<void()> on_event_;
    SharedDedup& dedup_;
    Logger& logger_;
    dnp3::PointMap map_;  // used on the line's strand only
    std::atomic<std::uint64_t> duplicates_{0};
    std::atomic<std::uint64_t> unmapped_{0};

    // The clock.
    const Clock& clock_;
    GatewayTimeQualityFn time_quality_;
    std::optional<TimeZone> zone_;
    std::optional<meterclock::ClockAuditRecord> pending_set_;  // the check a set was decided on (line's executor)
    mutable std::mutex clock_mutex_;                           // guards what the status reads:
    meterclock::MeterClockPolicy policy_;
    std::optional<std::string> last_set_result_;  // of the last set attempted
    TimestampUs last_set_attempt_us_ = 0;

    std::unique_ptr<dnp3::MasterSession> session_;
};

}  // namespace gridgate::gateway
