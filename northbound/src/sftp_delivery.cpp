// One file to the head-end: confirm a copy already in place, or upload to the temporary
// name (resuming a verified remote prefix), rename, stat; then record the delivery with
// its notice. Every step that can fail throws; the worker decides about retries.
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "gridgate/files/sha256.hpp"
#include "sftp_forwarder_impl.hpp"
#include "sftp_notice.hpp"
#include "sftp_resume.hpp"
#include "sftp_schedule.hpp"

namespace gridgate::northbound {

namespace {

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return {};
    return slash == 0 ? std::string("/") : path.substr(0, slash);
}

}  // namespace

void SftpForwarder::Impl::deliver(const SpooledFile& file) {
    const std::optional<LocalCopy> local = read_local_copy(file);
    if (!local) return;  // skipped, and said why
    {
        std::lock_guard lock(mutex);
        stats.current_id = file.id;
        stats.current_name = file.name;
        stats.current_offset = 0;
        stats.current_size = local->size;
    }
    const std::string final_path = SftpForwarder::remote_path(options, file);
    const std::string temp_path = SftpForwarder::remote_temp_path(options, file);
    ensure_dirs(final_path);
    if (already_in_place(final_path, temp_path, *local)) {
        logger.info(options.sink_name, file.name + " is already in place as " + final_path + " (confirmed by hash)");
        std::lock_guard lock(mutex);
        ++stats.already_in_place;
    } else {
        upload_to_temp(file, temp_path, *local);
        confirm_final(temp_path, final_path, *local);
    }
    record_delivery(file, final_path);
}

// The spool's copy, checked against its record: a copy that vanished (evicted by the
// quota) or changed on disk cannot be delivered by retrying, so it is skipped.
std::optional<LocalCopy> SftpForwarder::Impl::read_local_copy(const SpooledFile& file) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(file.local_path, ec);
    if (ec) {
        if (!std::filesystem::exists(file.local_path, ec)) {
            skip(file, "its local copy " + file.local_path + " is gone (evicted from the spool?)", false);
            return std::nullopt;
        }
        throw std::runtime_error("cannot read " + file.local_path + ": " + ec.message());
    }
    LocalCopy local{static_cast<std::uint64_t>(size), files::sha256_file(file.local_path)};
    if (local.size != file.size || (!file.sha256.empty() && local.sha256 != file.sha256)) {
        skip(file,
             "its local copy " + file.local_path + " (" + std::to_string(local.size) + " bytes, sha256 " +
                 local.sha256 + ") does not match the spool record (" + std::to_string(file.size) + " bytes, sha256 " +
                 file.sha256 + ")",
             true);
        return std::nullopt;
    }
    return local;
}

void SftpForwarder::Impl::skip(const SpooledFile& file, const std::string& why, bool is_error) {
    const std::string text = "file " + std::to_string(file.id) + " (" + file.name + ") skipped: " + why;
    if (is_error) {
        logger.error(options.sink_name, text);
        std::lock_guard lock(mutex);
        ++stats.failures;
        stats.last_error = text;
    } else {
        logger.warn(options.sink_name, text);
    }
    after_id = file.id;
}

void SftpForwarder::Impl::ensure_dirs(const std::string& final_path) {
    const std::string dir = parent_of(final_path);
    files::SftpSession& sftp = ensure_session();
    if (dir.empty() || made_dirs.count(dir) != 0) return;
    sftp.make_dirs(dir);
    made_dirs.insert(dir);
}

// A crash between the rename and the delivery record leaves the file complete under its
// final name: confirmed by reading it back, it is not sent again.
bool SftpForwarder::Impl::already_in_place(const std::string& final_path, const std::string& temp_path,
                                           const LocalCopy& local) {
    files::SftpSession& sftp = ensure_session();
    const std::optional<files::RemoteEntry> final_entry = sftp.stat(final_path);
    if (!worth_checking_in_place(final_entry ? std::optional(final_entry->size) : std::nullopt, local.size))
        return false;
    if (sftp.sha256_prefix(final_path, local.size, control(false)) != local.sha256) return false;
    if (sftp.stat(temp_path)) sftp.remove(temp_path);  // a stale temporary file from an earlier attempt
    return true;
}

void SftpForwarder::Impl::upload_to_temp(const SpooledFile& file, const std::string& temp_path,
                                         const LocalCopy& local) {
    files::SftpSession& sftp = ensure_session();
    const std::optional<files::RemoteEntry> temp = sftp.stat(temp_path);
    const std::optional<std::uint64_t> temp_size = temp ? std::optional(temp->size) : std::nullopt;
    std::uint64_t offset = 0;
    switch (plan_resume(temp_size, local.size)) {
        case ResumeStep::fresh:
            break;
        case ResumeStep::restart: {
            logger.info(options.sink_name, temp_path + " is longer than " + file.name + ": uploading again from 0");
            std::lock_guard lock(mutex);
            ++stats.restarts;
            break;
        }
        case ResumeStep::verify_prefix: {
            const std::string remote_hash = sftp.sha256_prefix(temp_path, *temp_size, control(false));
            const std::string local_hash =
                *temp_size == local.size ? local.sha256 : files::sha256_file(file.local_path, *temp_size);
            offset = resume_offset(*temp_size, remote_hash == local_hash);
            logger.info(options.sink_name, offset > 0 ? "resuming " + file.name + " at byte " + std::to_string(offset)
                                                      : temp_path + " does not match the first " +
                                                            std::to_string(*temp_size) + " bytes of " + file.name +
                                                            ": uploading again from 0");
            std::lock_guard lock(mutex);
            ++(offset > 0 ? stats.resumes : stats.restarts);
            stats.current_offset = offset;
            break;
        }
    }
    // A verified temporary file that is already complete needs no upload at all.
    if (offset > 0 && offset == local.size) return;
    const std::uint64_t written = sftp.upload(file.local_path, temp_path, offset, control(true));
    if (written != local.size)
        throw files::SshError(files::SshErrorKind::remote, "uploaded " + std::to_string(written) + " of " +
                                                               std::to_string(local.size) + " bytes to " + temp_path);
}

// After the rename the final name must hold exactly the local size; anything else is an
// error, and the retry finds no temporary file and uploads from 0.
void SftpForwarder::Impl::confirm_final(const std::string& temp_path, const std::string& final_path,
                                        const LocalCopy& local) {
    files::SftpSession& sftp = ensure_session();
    sftp.rename(temp_path, final_path);
    const std::optional<files::RemoteEntry> entry = sftp.stat(final_path);
    if (!entry)
        throw files::SshError(files::SshErrorKind::remote, final_path + " is missing right after the rename");
    if (entry->size != local.size)
        throw files::SshError(files::SshErrorKind::remote, final_path + " holds " + std::to_string(entry->size) +
                                                               " bytes after the rename, expected " +
                                                               std::to_string(local.size));
}

void SftpForwarder::Impl::record_delivery(const SpooledFile& file, const std::string& final_path) {
    const std::string notice = make_file_notice(
        file, FileNoticeFacts{options.gateway_id, options.sink_name, final_path, clock.now_utc_us()});
    outbox.mark_delivered(options.sink_name, file.id, final_path, notice);
    after_id = file.id;
    {
        std::lock_guard lock(mutex);
        ++stats.files_delivered;
        stats.last_delivered_id = file.id;
        stats.current_id = 0;
        stats.current_name.clear();
        stats.current_offset = 0;
        stats.current_size = 0;
    }
    logger.debug(options.sink_name, "delivered " + file.name + " to " + final_path);
    if (options.on_delivered) {
        try {
            options.on_delivered();
        } catch (const std::exception& e) {
            logger.warn(options.sink_name, std::string("on_delivered failed: ") + e.what());
        }
    }
}

files::TransferControl SftpForwarder::Impl::control(bool uploading) {
    files::TransferControl c;
    c.chunk_bytes = options.chunk_bytes;
    c.cancelled = [this] { return stop_requested.load() || !in_window(); };
    if (!uploading) return c;  // reading back is not what the bandwidth limit is for
    c.max_bytes_per_s = options.max_bytes_per_s;
    c.progress = [this](std::uint64_t offset) {
        std::lock_guard lock(mutex);
        if (offset > stats.current_offset) stats.bytes_uploaded += offset - stats.current_offset;
        stats.current_offset = offset;
    };
    return c;
}

}  // namespace gridgate::northbound
