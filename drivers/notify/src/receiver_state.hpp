#pragma once
// What every connection of one HttpsAlarmReceiver shares: its options and rules, the
// handler, the logger, the TLS context, the statistics and the set of live connections
// (for max_connections and stop()). Touched on the receiver's thread only, except the
// statistics, which stats() copies from any thread.
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "gridgate/notify/alarm_receiver.hpp"
#include "gridgate/notify/alarm_request.hpp"
#include "tls_setup.hpp"

namespace gridgate::notify::detail {

class AlarmSession;

struct ReceiverState {
    ReceiverState(AlarmReceiverOptions opts, AlarmHandler& h, Logger& log)
        : options(std::move(opts)), handler(h), logger(log), tls(make_server_tls_context(options)) {
        rules.path = options.path;
        rules.max_body_bytes = options.max_body_bytes;
        rules.max_json_bytes = options.max_json_bytes;
    }

    template <class Change>
    void count(Change&& change) {
        std::lock_guard lock(stats_mutex);
        change(stats);
    }
    AlarmReceiverStats snapshot() const {
        std::lock_guard lock(stats_mutex);
        return stats;
    }

    const AlarmReceiverOptions options;
    AlarmRequestRules rules;
    AlarmHandler& handler;
    Logger& logger;
    boost::asio::ssl::context tls;
    std::unordered_map<AlarmSession*, std::weak_ptr<AlarmSession>> sessions;

private:
    mutable std::mutex stats_mutex;
    AlarmReceiverStats stats;
};

inline constexpr std::string_view log_component = "alarms";

}  // namespace gridgate::notify::detail
