#pragma once
// PQDIF retrieval from meters over SFTP, one worker thread per meter (a dead meter only
// delays itself): every `interval` and on demand, list the meter's PQDIF folder, take
// the files not yet indexed whose size and mtime have stayed the same for `settle`
// (a file still growing is left for later), download each into the spool's staging
// folder (resuming a partial download when the remote file is unchanged), verify the
// size against a fresh stat, and admit it into the spool. Warns (log + "pqdif_fifo_warning"
// event) before the meter's FIFO would overwrite files not yet taken. With
// delete_after_forward, deletes a file on the meter only once every file sink
// delivered it (and never with no sinks).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/files/sftp.hpp"
#include "gridgate/gateway/config.hpp"
#include "gridgate/store/file_index.hpp"

namespace gridgate::gateway {

class FileSpool;

struct PullTarget {
    std::string meter;
    PqdifPullConfig config;
    files::SshEndpoint endpoint;  // resolved: host, port, auth from secrets, host key policy
};

class PqdifPuller {
public:
    PqdifPuller(std::vector<PullTarget> targets, FileSpool& spool, store::FileIndex& index,
                std::vector<std::string> file_sinks, EventSink& events, const Clock& clock, Logger& logger);
    ~PqdifPuller();  // stop()
    PqdifPuller(const PqdifPuller&) = delete;
    PqdifPuller& operator=(const PqdifPuller&) = delete;

    void start();
    void stop();   // cancels transfers between chunks, joins the threads
    // Starts a pull of `meter` now (its thread wakes). False when no such pull target.
    bool pull_now(const std::string& meter);
    // Wakes every meter's thread for deletion after forwarding (a sink delivered files).
    void notify_delivered();
    // {"meters":[{"meter","host","connected_last","last_pull","last_ok","last_error",
    //  "files_taken","bytes_taken","pulls","failures","remote_files","remote_bytes",
    //  "untaken_files","untaken_bytes","fill","fifo_warning","deleted_on_meter"}]}
    std::string status_json() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::gateway
