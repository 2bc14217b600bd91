#pragma once
// Forwards spooled files (a FileOutbox) to a head-end over SFTP, one file at a time, in
// id order: upload to "<remote_root>/<gateway_id>/<meter>/.<name>.part", resuming a
// partial upload after a cut link (the offset is the remote temporary file's size, and
// the remote prefix is hashed and compared with the local one; a prefix that does not
// match, or is longer than the file, is uploaded again from 0), then rename to
// "<remote_root>/<gateway_id>/<meter>/<name>", stat it to confirm the size, and only
// then mark the file delivered (which records its `files` notice). A file already in
// place with the right size (a crash after the rename) is confirmed, not re-sent.
// Bandwidth limit and schedule windows per sink. Runs its own thread; libssh blocks.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/files/sftp.hpp"

namespace gridgate::northbound {

// A daily window in UTC, [start, end) minutes after midnight; end < start wraps past
// midnight (22:00-06:00).
struct TimeWindow {
    int start_minute = 0;   // 0..1439
    int end_minute = 1440;  // 1..1440
    bool contains(int minute_of_day) const;
};

struct SftpSinkOptions {
    std::string sink_name;               // delivery records and cursor: "sftp.<id>"
    std::string gateway_id;
    files::SshEndpoint endpoint;
    std::string remote_root = ".";
    double max_bytes_per_s = 0;          // 0 = unlimited
    std::vector<TimeWindow> windows;     // empty = always; otherwise uploads start and continue only inside one
    Duration retry_min = std::chrono::seconds(1);
    Duration retry_max = std::chrono::seconds(60);
    Duration idle_disconnect = std::chrono::seconds(30);  // close the SSH session when nothing is left this long
    Duration poll_interval = std::chrono::seconds(5);     // look at the outbox again without a notify
    std::size_t chunk_bytes = 64 * 1024;
    // Called after each delivery is recorded (the gateway wakes the MQTT forwarder to
    // publish the notice); on the forwarder's thread.
    std::function<void()> on_delivered;
};

struct SftpSinkStats {
    bool connected = false;
    bool in_window = true;
    std::uint64_t connects = 0;
    std::uint64_t files_delivered = 0;
    std::uint64_t bytes_uploaded = 0;     // bytes written to the server (resumed parts not counted twice)
    std::uint64_t resumes = 0;            // uploads continued from a verified remote prefix
    std::uint64_t restarts = 0;           // remote prefix unusable: uploaded again from 0
    std::uint64_t already_in_place = 0;   // found renamed and complete after a restart
    std::uint64_t failures = 0;           // attempts that ended in an error
    std::string last_error;
    std::uint64_t current_id = 0;         // file being uploaded (0 = none)
    std::string current_name;
    std::uint64_t current_offset = 0;
    std::uint64_t current_size = 0;
    std::uint64_t last_delivered_id = 0;
};

class SftpForwarder {
public:
    // Throws std::invalid_argument for unusable options (empty sink or gateway id, '/'
    // in the gateway id or one that is "." or "..", negative rate, empty host, chunk_bytes
    // 0, retry_min <= 0 or > retry_max, poll_interval <= 0, a window out of range or empty).
    SftpForwarder(SftpSinkOptions options, FileOutbox& outbox, const Clock& clock, Logger& logger);
    ~SftpForwarder();  // stop()
    SftpForwarder(const SftpForwarder&) = delete;
    SftpForwarder& operator=(const SftpForwarder&) = delete;

    void start();
    void notify_new_files();  // cheap, any thread
    // Stops: an upload in progress is cancelled between chunks (its remote temporary
    // file stays, to be resumed). Joins the thread.
    void stop();
    SftpSinkStats stats() const;

    // "<remote_root>/<gateway_id>/<meter>/<name>" and its temporary sibling.
    static std::string remote_path(const SftpSinkOptions& options, const SpooledFile& file);
    static std::string remote_temp_path(const SftpSinkOptions& options, const SpooledFile& file);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::northbound
