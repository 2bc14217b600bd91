// The tcdrain thread of a serial port.
#include "drain_worker.hpp"

#include "serial_line.hpp"

namespace gridgate::transport {

DrainWorker::~DrainWorker() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void DrainWorker::start(int fd, Done done) {
    {
        std::lock_guard lock(mutex_);
        job_ = Job{fd, std::move(done)};
        busy_ = true;
        if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    }
    changed_.notify_all();
}

void DrainWorker::wait_idle() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !busy_; });
}

void DrainWorker::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [this] { return quit_ || job_.has_value(); });
        if (!job_) return;  // quit with nothing left to do
        Job job = std::move(*job_);
        job_.reset();
        lock.unlock();
        const auto ec = serial_line::drain(job.fd);
        job.done(ec);
        lock.lock();
        busy_ = job_.has_value();
        changed_.notify_all();
    }
}

}  // namespace gridgate::transport
