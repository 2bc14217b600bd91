#pragma once
// Runs tcdrain() off the io thread. tcdrain blocks until the UART has sent the last bit
// (a few character times on a real line, nothing on a pty); doing it on the io thread
// would stall every other bus and meter for that long. Private to SerialPort.
#include <boost/system/error_code.hpp>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace gridgate::transport {

class DrainWorker {
public:
    using Done = std::function<void(boost::system::error_code)>;

    DrainWorker() = default;
    ~DrainWorker();
    DrainWorker(const DrainWorker&) = delete;
    DrainWorker& operator=(const DrainWorker&) = delete;

    // Drains `fd` on the worker thread (started on first use) and calls done there.
    // One drain at a time.
    void start(int fd, Done done);
    // Blocks until no drain is running. Discard the output first so it returns at once.
    void wait_idle();

private:
    void run();

    std::mutex mutex_;
    std::condition_variable changed_;
    struct Job {
        int fd;
        Done done;
    };
    std::optional<Job> job_;
    bool busy_ = false;
    bool quit_ = false;
    std::thread thread_;
};

}  // namespace gridgate::transport
