#pragma once
// Everything the gateway does with power-quality files, in one place for gateway.cpp:
// the spool and its durable index, PQDIF pulls from meters, the push inboxes, the HTTPS
// alarm receiver (notifications become events; attached files go into the spool) and
// the northbound SFTP sinks. docs/files.md describes the whole.
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/gateway/config.hpp"

namespace gridgate::gateway {

class FilesService {
public:
    // `db_path`: the reading log's file (already opened, so migrated). `notify_events`:
    // wakes the MQTT forwarder after an event or a files notice was stored (any thread).
    // Throws when the spool folder or the index cannot be opened.
    // `events`: where the pullers record their events (the reading log).
    FilesService(const GatewayConfig& config, const std::string& db_path, EventSink& events,
                 std::function<void()> notify_events, const Clock& clock, Logger& logger);
    ~FilesService();  // stop()
    FilesService(const FilesService&) = delete;
    FilesService& operator=(const FilesService&) = delete;

    // Starts the pullers, inbox watcher, receiver and sinks that are configured. Throws
    // std::runtime_error when the receiver cannot bind or load its certificate.
    void start();
    void stop();

    // `gridgatectl files`: the spool (newest max_files files with their state), pulls,
    // inboxes, receiver and sinks.
    nlohmann::json status(std::size_t max_files) const;
    // A summary for `status`.
    nlohmann::json summary() const;
    // `files pull <meter>`: false when the meter has no PQDIF pull.
    bool pull_now(const std::string& meter);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::gateway
