// PullWorker's deletions on the meter (delete_after_forward): a file this puller took,
// once every file sink delivered it (the delivery rows are fsynced before this runs, so
// the gateway never deletes the meter's only copy). Never with no file sinks. A file
// already gone from the meter counts as deleted.
#include "files_pull_worker.hpp"

namespace gridgate::gateway {

std::vector<store::FileRecord> PullWorker::deletable() {
    if (!target_.config.delete_after_forward || sinks_.empty()) return {};
    auto rows = index_.delivered_not_deleted(target_.meter, sinks_);
    // Only files this puller took are the meter's to delete (an inbox or HTTPS copy is not).
    std::erase_if(rows, [](const store::FileRecord& r) { return r.source != "sftp_pull"; });
    return rows;
}

void PullWorker::delete_only() {
    try {
        if (deletable().empty()) return;
        files::SftpSession session(target_.endpoint, logger_, target_.meter);
        delete_delivered(session);
    } catch (const files::SshError& e) {
        if (e.kind() == files::SshErrorKind::cancelled) return;
        note_failure(std::string(files::to_string(e.kind())) + ": " + e.what());
    } catch (const std::exception& e) {
        note_failure(e.what());
    }
}

void PullWorker::delete_delivered(files::SftpSession& session) {
    for (const auto& row : deletable()) {
        if (stopping_) return;
        try {
            session.remove(remote_join(target_.config.directory, row.name));
        } catch (const files::SshError& e) {
            // Already gone (the meter's FIFO overwrote it, or someone deleted it): done.
            if (e.kind() != files::SshErrorKind::no_such_file) throw;
        }
        index_.mark_deleted_on_meter(row.id);
        std::lock_guard lock(mutex_);
        ++status_.deleted_on_meter;
        logger_.info(component_, "deleted " + row.name + " on the meter (every file sink delivered it)");
    }
}

}  // namespace gridgate::gateway
