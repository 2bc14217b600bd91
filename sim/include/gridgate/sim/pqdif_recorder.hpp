#pragma once
// The meter's PQDIF folder on disk: recordings made at start, periodically and on command,
// named and filled as the reference meter does (pqdif_recording.hpp), written in place
// (the meter has no temporary names: a slow write shows a growing file), and a FIFO that
// deletes the oldest recordings when the folder exceeds its capacity. Runs on the
// simulator's io_context: the pause of a slow write and the period are Asio timers, the
// file times come from the Clock.
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/sim/pqdif_control.hpp"
#include "gridgate/sim/pqdif_options.hpp"

namespace gridgate::sim {

struct PqdifRecorderStats {
    std::uint64_t made = 0;      // recordings started
    std::uint64_t completed = 0; // fully written
    std::uint64_t deleted = 0;   // by the FIFO
    std::uint64_t write_errors = 0;
};

class PqdifRecorder final : public PqdifControl {
public:
    // `clock` and `logger` must outlive the recorder.
    PqdifRecorder(boost::asio::any_io_executor executor, PqdifRecorderOptions options, const Clock& clock,
                  Logger& logger);
    ~PqdifRecorder() override;
    PqdifRecorder(const PqdifRecorder&) = delete;
    PqdifRecorder& operator=(const PqdifRecorder&) = delete;

    // Creates the folder if missing, makes the initial recordings (their times spaced by
    // `every`, or a minute, before now) and starts the periodic ones. Throws
    // std::runtime_error when the folder cannot be made or written.
    void start();
    // Stops the period and finishes the slow writes at once, so no file is left half
    // written by a clean shutdown.
    void stop();

    std::vector<std::string> make(std::optional<PqdifRecordingType> type, std::size_t count) override;
    std::vector<PqdifFolderEntry> list() const override;
    void grow_next(Duration write_time) override;

    const PqdifRecorderOptions& options() const { return options_; }
    const PqdifRecorderStats& stats() const { return stats_; }
    // Files written in halves whose second half is still to come.
    std::size_t writes_in_progress() const;

private:
    struct PendingWrite;

    std::string write_recording(const PqdifRecordingType& type, TimestampUs event_us, Duration write_time);
    void finish(std::list<PendingWrite>::iterator write);
    void enforce_capacity();
    PqdifRecordingType next_type();
    TimestampUs unique_time(TimestampUs wanted);
    void arm_period();

    boost::asio::any_io_executor executor_;
    PqdifRecorderOptions options_;
    const Clock& clock_;
    Logger& logger_;
    boost::asio::steady_timer period_;
    std::list<PendingWrite> pending_;
    std::optional<Duration> next_write_time_;  // `pqdif grow`
    std::size_t next_type_ = 0;
    TimestampUs last_event_us_ = 0;
    PqdifRecorderStats stats_;
    bool stopped_ = false;
};

}  // namespace gridgate::sim
