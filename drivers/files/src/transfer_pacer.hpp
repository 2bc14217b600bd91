#pragma once
// Applies a TransferControl between chunks: cancellation, the bandwidth limit (a token
// bucket, so a slow start is not made up for by a burst later) and progress reports.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "gridgate/files/sftp.hpp"

namespace gridgate::files::detail {

class TransferPacer {
public:
    // `what` names the transfer in the cancellation message ("host:port download x").
    TransferPacer(const TransferControl& control, std::string what);

    // The size of one SFTP request: the caller's chunk, capped so a server that only
    // takes the spec's minimum packet is served and a rate-limited request never has
    // to wait long for its tokens.
    std::size_t request_bytes() const { return request_bytes_; }

    // Before sending `bytes`: throws SshError(cancelled) when asked to stop, then waits
    // until the bucket holds enough tokens (checking cancellation while it waits).
    void before(std::size_t bytes);
    // After a chunk is done: reports the new offset.
    void after(std::uint64_t offset) const;
    void check_cancelled() const;

private:
    const TransferControl& control_;
    std::string what_;
    std::size_t request_bytes_;
    double tokens_ = 0;
    std::chrono::steady_clock::time_point refilled_;
};

}  // namespace gridgate::files::detail
