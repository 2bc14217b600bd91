#pragma once
// Where answered reads are recorded (--serve-log). The TCP connections call record()
// for every read answered with data; DNP3 outstations write whole JSON lines of their
// own (events generated, time sets) with record_line().
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gridgate/sim/request_handler.hpp"

namespace gridgate::sim {

class ServedLog {
public:
    virtual ~ServedLog() = default;
    virtual void record(std::string_view meter, std::uint8_t unit, const ServedRead& read) = 0;
    // One complete line, newline included.
    virtual void record_line(std::string_view line) { static_cast<void>(line); }
};

// JSON lines in a file (truncated at open). Lines are buffered and written out when
// the buffer fills and at least every `flush_period`, so a reader never waits long
// and a busy simulator does not pay a write per line. close() (and the destructor)
// write out what is left.
class ServedLogFile final : public ServedLog {
public:
    // Throws std::runtime_error if the file cannot be opened.
    ServedLogFile(boost::asio::any_io_executor executor, const std::string& path,
                  std::chrono::milliseconds flush_period = std::chrono::milliseconds(100));
    ~ServedLogFile() override;
    ServedLogFile(const ServedLogFile&) = delete;
    ServedLogFile& operator=(const ServedLogFile&) = delete;

    void record(std::string_view meter, std::uint8_t unit, const ServedRead& read) override;
    void record_line(std::string_view line) override;
    void flush();
    void close();

private:
    void schedule_flush();

    std::FILE* file_ = nullptr;
    std::string path_;
    bool write_failed_ = false;  // reported once on stderr, not per line
    std::string buffer_;
    boost::asio::steady_timer timer_;
    std::chrono::milliseconds period_;
    // Lets a flush that completed just before destruction see that the log is gone.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gridgate::sim
