#include "transfer_pacer.hpp"

#include <algorithm>
#include <thread>

namespace gridgate::files::detail {

namespace {
// 64 KiB: OpenSSH takes up to 256 KiB, but other servers (embedded meters) may not;
// above this, round trips are no longer what limits a loopback or LAN transfer.
constexpr std::size_t max_request_bytes = 64 * 1024;
// With a rate limit, one request costs at most about this much waiting, so cancellation
// is noticed promptly even at a few kB/s.
constexpr double max_wait_per_request_s = 0.25;
constexpr std::size_t min_request_bytes = 512;
constexpr auto cancel_poll = std::chrono::milliseconds(50);
}  // namespace

TransferPacer::TransferPacer(const TransferControl& control, std::string what)
    : control_(control), what_(std::move(what)), refilled_(std::chrono::steady_clock::now()) {
    std::size_t bytes = std::clamp<std::size_t>(control.chunk_bytes, 1, max_request_bytes);
    if (control.max_bytes_per_s > 0) {
        const auto paced = static_cast<std::size_t>(control.max_bytes_per_s * max_wait_per_request_s);
        bytes = std::min(bytes, std::max(paced, min_request_bytes));
    }
    request_bytes_ = bytes;
    tokens_ = static_cast<double>(bytes);  // the bucket holds one request: no bigger burst
}

void TransferPacer::check_cancelled() const {
    if (control_.cancelled && control_.cancelled()) throw SshError(SshErrorKind::cancelled, what_ + ": cancelled");
}

void TransferPacer::before(std::size_t bytes) {
    check_cancelled();
    const double rate = control_.max_bytes_per_s;
    if (rate <= 0) return;
    const double capacity = static_cast<double>(std::max(bytes, request_bytes_));
    while (true) {
        const auto now = std::chrono::steady_clock::now();
        tokens_ = std::min(capacity, tokens_ + std::chrono::duration<double>(now - refilled_).count() * rate);
        refilled_ = now;
        if (tokens_ >= static_cast<double>(bytes)) break;
        const auto wait = std::chrono::duration<double>((static_cast<double>(bytes) - tokens_) / rate);
        std::this_thread::sleep_for(std::min<std::chrono::duration<double>>(wait, cancel_poll));
        check_cancelled();
    }
    tokens_ -= static_cast<double>(bytes);
}

void TransferPacer::after(std::uint64_t offset) const {
    if (control_.progress) control_.progress(offset);
}

}  // namespace gridgate::files::detail
