#pragma once
// Pipelined SFTP reads: several read requests in flight, delivered in order. One round
// trip per request would cap a download at request size / RTT, which is slow on a
// cellular link.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "sftp_impl.hpp"
#include "transfer_pacer.hpp"

namespace gridgate::files::detail {

using ReadSink = std::function<void(std::uint64_t offset, std::span<const std::byte> bytes)>;

// Reads [offset, end) of an open remote file, or to its end when that comes first, and
// hands the bytes to `sink` in order, obeying `pacer`. Returns the offset reached.
// `operation` and `path` name the transfer in errors.
std::uint64_t read_pipelined(SftpState& s, sftp_file file, std::uint64_t offset, std::uint64_t end,
                             TransferPacer& pacer, const std::string& operation, const std::string& path,
                             const ReadSink& sink);

}  // namespace gridgate::files::detail
