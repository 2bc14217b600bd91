// PullWorker::take: one settled file from the meter into the spool. The partial
// download is named by the remote size and mtime, so an interrupted download (link cut,
// sshd gone, gateway stopped or killed) resumes from the bytes already here as long as
// the remote file is the same. After the download a fresh stat must show the listed
// size and mtime and the local copy must have that size; otherwise the copy is thrown
// away and the file settles again before the next try.
#include <filesystem>

#include "files_fs.hpp"
#include "files_pull_worker.hpp"

namespace gridgate::gateway {

namespace fs = std::filesystem;

void PullWorker::take(files::SftpSession& session, const files::RemoteEntry& entry) {
    const fs::path dir = spool_.pull_partial_dir(target_.meter);
    files_fs::make_dirs_synced(dir);
    const fs::path partial = dir / partial_file_name(entry);
    const std::string remote = remote_join(target_.config.directory, entry.name);

    std::error_code ec;
    std::uint64_t offset = fs::exists(partial, ec) ? fs::file_size(partial, ec) : 0;
    if (ec || offset > entry.size) offset = 0;
    if (offset > 0)
        logger_.info(component_, "resuming " + entry.name + " at byte " + std::to_string(offset) + " of " +
                                     std::to_string(entry.size));

    files::TransferControl control;
    control.cancelled = [this] { return stopping_.load(); };
    std::uint64_t local_size = 0;
    std::optional<files::RemoteEntry> after;
    try {
        local_size = session.download(remote, partial, offset, control);
        after = session.stat(remote);
    } catch (const files::SshError& e) {
        if (e.kind() != files::SshErrorKind::no_such_file) throw;  // the partial stays for a resume
        after.reset();
    }

    const bool same_remote = after && after->size == entry.size && after->mtime_s == entry.mtime_s;
    const std::uint64_t on_disk = fs::exists(partial, ec) ? fs::file_size(partial, ec) : 0;
    if (!same_remote || local_size != entry.size || on_disk != entry.size) {
        files_fs::remove_file(partial);
        settle_.forget(entry.name);
        logger_.warn(component_, entry.name + (after ? " changed on the meter during the download"
                                                     : " disappeared from the meter during the download") +
                                     ": discarded, tried again once it settles");
        return;
    }

    SpoolIntake intake;
    intake.meter = target_.meter;
    intake.name = entry.name;
    intake.source = "sftp_pull";
    intake.meter_mtime_s = entry.mtime_s;
    intake.staged = partial;
    spool_.admit(intake);
    settle_.forget(entry.name);
    std::lock_guard lock(mutex_);
    ++status_.files_taken;
    status_.bytes_taken += entry.size;
}

}  // namespace gridgate::gateway
