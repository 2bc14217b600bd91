// SftpSession transfers: download (pipelined reads), upload, and hashing a remote prefix.
// Both directions resume at an offset and obey TransferControl between requests.
#include <cerrno>
#include <span>
#include <vector>

#include "gridgate/files/sha256.hpp"
#include "local_file.hpp"
#include "sftp_impl.hpp"
#include "sftp_read_pipeline.hpp"
#include "transfer_pacer.hpp"

namespace gridgate::files {

namespace {

sftp_file open_remote(detail::SftpState& s, const std::string& path, int flags, mode_t mode,
                      const std::string& operation) {
    s.require_link();
    s.clear_status();
    sftp_file file = nullptr;
    {
        auto armed = s.guard();
        file = sftp_open(s.sftp, path.c_str(), flags, mode);
    }
    if (!file) throw s.fail(operation, path);
    return file;
}

}  // namespace

std::uint64_t SftpSession::download(const std::string& remote, const std::filesystem::path& local,
                                    std::uint64_t offset, const TransferControl& control) {
    auto& s = *impl_;
    s.require_link();
    detail::LocalFile out(local, O_WRONLY | O_CREAT, s.where);
    if (out.size() < offset) {
        errno = 0;
        out.fail(("shorter than the resume offset " + std::to_string(offset)).c_str());
    }
    out.truncate(offset);
    detail::RemoteFile file(open_remote(s, remote, O_RDONLY, 0, "download"));
    detail::TransferPacer pacer(control, s.where + ": download " + remote);
    std::uint64_t reached = offset;
    try {
        reached = detail::read_pipelined(s, file.get(), offset, UINT64_MAX, pacer, "download", remote,
                                 [&](std::uint64_t at, std::span<const std::byte> bytes) { out.write_at(at, bytes); });
    } catch (...) {
        try {
            out.sync();  // what arrived is kept for the resume: make it durable too
        } catch (const SshError&) {
        }
        throw;
    }
    out.sync();
    {
        auto armed = s.guard();
        file.close();  // a read handle: nothing to lose if the close itself fails
    }
    s.logger.debug("sftp", s.log_name + ": downloaded " + remote + " [" + std::to_string(offset) + ", " +
                               std::to_string(reached) + ")");
    return reached;
}

std::uint64_t SftpSession::upload(const std::filesystem::path& local, const std::string& remote,
                                  std::uint64_t offset, const TransferControl& control) {
    auto& s = *impl_;
    s.require_link();
    detail::LocalFile in(local, O_RDONLY, s.where);
    const std::uint64_t size = in.size();
    if (offset > size) {
        errno = 0;
        in.fail(("shorter than the resume offset " + std::to_string(offset)).c_str());
    }
    const int flags = offset == 0 ? (O_WRONLY | O_CREAT | O_TRUNC) : O_WRONLY;
    detail::RemoteFile file(open_remote(s, remote, flags, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH, "upload"));

    std::uint64_t remote_size = 0;
    if (offset > 0) {
        s.clear_status();
        sftp_attributes attributes = nullptr;
        {
            auto armed = s.guard();
            attributes = sftp_fstat(file.get());
        }
        if (!attributes) throw s.fail("upload (fstat)", remote);
        remote_size = attributes->size;
        sftp_attributes_free(attributes);
        if (remote_size < offset)
            throw SshError(SshErrorKind::remote, s.where + ": upload " + remote + ": remote file has " +
                                                     std::to_string(remote_size) + " bytes, cannot resume at " +
                                                     std::to_string(offset));
    }

    detail::TransferPacer pacer(control, s.where + ": upload " + remote);
    std::vector<std::byte> buffer(pacer.request_bytes());
    sftp_seek64(file.get(), offset);
    for (std::uint64_t at = offset; at < size;) {
        const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - at));
        pacer.before(length);
        in.read_at(at, std::span(buffer.data(), length));
        s.clear_status();
        ssize_t written = 0;
        {
            auto armed = s.guard();
            written = sftp_write(file.get(), buffer.data(), length);
        }
        if (written < 0 || static_cast<std::size_t>(written) != length) throw s.fail("upload", remote);
        at += length;
        pacer.after(at);
    }

    if (remote_size > size) {  // a resume over a longer remote file: drop the stale tail
        sftp_attributes_struct attributes{};
        attributes.flags = SSH_FILEXFER_ATTR_SIZE;
        attributes.size = size;
        s.clear_status();
        auto armed = s.guard();
        if (sftp_setstat(s.sftp, remote.c_str(), &attributes) != SSH_OK) throw s.fail("upload (truncate)", remote);
    }
    if (s.has_fsync) {
        s.clear_status();
        auto armed = s.guard();
        if (sftp_fsync(file.get()) != SSH_OK) throw s.fail("upload (fsync)", remote);
    }
    {
        s.clear_status();
        auto armed = s.guard();
        if (file.close() != SSH_OK) throw s.fail("upload (close)", remote);
    }
    s.logger.debug("sftp", s.log_name + ": uploaded " + remote + " [" + std::to_string(offset) + ", " +
                               std::to_string(size) + ")");
    return size;
}

std::string SftpSession::sha256_prefix(const std::string& remote, std::uint64_t length,
                                       const TransferControl& control) {
    auto& s = *impl_;
    detail::RemoteFile file(open_remote(s, remote, O_RDONLY, 0, "sha256"));
    detail::TransferPacer pacer(control, s.where + ": sha256 " + remote);
    Sha256 hash;
    const std::uint64_t reached =
        detail::read_pipelined(s, file.get(), 0, length, pacer, "sha256", remote,
                       [&](std::uint64_t, std::span<const std::byte> bytes) { hash.update(bytes); });
    if (reached < length)
        throw SshError(SshErrorKind::remote, s.where + ": sha256 " + remote + ": file has " + std::to_string(reached) +
                                                 " bytes, fewer than " + std::to_string(length));
    {
        auto armed = s.guard();
        file.close();
    }
    return hash.hex_digest();
}

}  // namespace gridgate::files
