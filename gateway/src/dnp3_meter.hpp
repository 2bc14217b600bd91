#pragma once
// One DNP3 meter in the gateway: the master session on its line, the point map, and the
// glue that makes the durability contract hold: every fragment's readings are committed
// (fsynced) before the session may confirm it, and events the outstation sends again
// (a confirm withheld, or lost in a crash between commit and confirm) are recognised by
// the deduplicator and not stored twice.
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/dnp3/dedup.hpp"
#include "gridgate/dnp3/master.hpp"
#include "gridgate/dnp3/point_map.hpp"
#include "gridgate/gateway/config.hpp"
#include "gridgate/transport/line_access.hpp"

namespace gridgate::gateway {

// The deduplicator is shared by the gateway's DNP3 meters; sessions run on the io thread
// and commits complete on the committer thread, hence the lock.
struct SharedDedup {
    std::mutex mutex;
    dnp3::EventDeduplicator dedup;
};

// Session options from a meter's configuration; `on_bus` picks the default time-sync
// procedure (non-LAN on a serial line, LAN on TCP).
dnp3::SessionOptions to_session_options(const MeterConfig& m, bool on_bus);
dnp3::PointMap to_point_map(const MeterConfig& m);

class Dnp3Meter {
public:
    // on_event runs after an event was recorded (e.g. to wake the MQTT events lane).
    Dnp3Meter(transport::LineAccess& line, const Clock& clock, const MeterConfig& config, bool on_bus,
              DurableSink& sink, EventSink& events, std::function<void()> on_event, SharedDedup& dedup,
              Logger& logger);
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

private:
    void on_data(dnp3::DataBatch batch, std::function<void(bool)> done);
    void on_session_event(dnp3::SessionEvent event);

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
    std::unique_ptr<dnp3::MasterSession> session_;
};

}  // namespace gridgate::gateway
