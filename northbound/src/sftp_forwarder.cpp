// SftpForwarder's public face: option checks, the worker thread's life, stats. The
// worker is in sftp_worker.cpp, one delivery in sftp_delivery.cpp.
#include "gridgate/northbound/sftp_forwarder.hpp"

#include <stdexcept>
#include <utility>

#include "sftp_forwarder_impl.hpp"
#include "sftp_schedule.hpp"

namespace gridgate::northbound {

namespace {

void check_options(const SftpSinkOptions& o) {
    auto fail = [&](const std::string& what) { throw std::invalid_argument("sftp sink '" + o.sink_name + "': " + what); };
    if (o.sink_name.empty()) fail("empty sink name");
    if (o.gateway_id.empty()) fail("empty gateway id");
    if (o.gateway_id.find('/') != std::string::npos || o.gateway_id == "." || o.gateway_id == "..")
        fail("gateway id '" + o.gateway_id + "' cannot be a remote folder name");
    if (o.endpoint.host.empty()) fail("empty host");
    if (!(o.max_bytes_per_s >= 0)) fail("negative bandwidth limit");
    if (o.chunk_bytes == 0) fail("chunk size 0");
    if (o.retry_min <= Duration::zero() || o.retry_max < o.retry_min) fail("retry_min must be > 0 and <= retry_max");
    if (o.poll_interval <= Duration::zero()) fail("poll interval must be > 0");
    for (const TimeWindow& w : o.windows)
        if (const std::string problem = window_problem(w); !problem.empty()) fail(problem);
}

}  // namespace

SftpForwarder::Impl::Impl(SftpSinkOptions opts, FileOutbox& box, const Clock& clk, Logger& log)
    : options(std::move(opts)), outbox(box), clock(clk), logger(log), backoff(options.retry_min, options.retry_max) {}

SftpForwarder::SftpForwarder(SftpSinkOptions options, FileOutbox& outbox, const Clock& clock, Logger& logger) {
    check_options(options);
    impl_ = std::make_unique<Impl>(std::move(options), outbox, clock, logger);
}

SftpForwarder::~SftpForwarder() { stop(); }

void SftpForwarder::start() {
    if (impl_->thread.joinable()) return;
    impl_->stop_requested = false;
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void SftpForwarder::notify_new_files() { impl_->wake(); }

void SftpForwarder::stop() {
    if (!impl_ || !impl_->thread.joinable()) return;
    impl_->stop_requested = true;
    impl_->wake();
    impl_->thread.join();
}

SftpSinkStats SftpForwarder::stats() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

}  // namespace gridgate::northbound
