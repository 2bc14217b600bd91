#pragma once
// gpsfake replaying an NMEA log into its own gpsd, plus the TOFF -> SHM shim
// (toff_to_shm.py) that writes gpsd's fix times to NTP shared-memory segment 0, where
// gpsd itself would write them for a serial GPS (gpsd 3.22 exports no NTP time for the
// pty gpsfake uses). Whoever uses this must be in a private IPC namespace.
//
// Processes and cleanup:
//   - gpsfake runs as `unshare --pid --kill-child gpsfake -1 -p ...`: it and the gpsd it
//     spawns live in a PID namespace of their own, so SIGKILL of the unshare pid (or the
//     test dying: ChildProcess's parent-death signal) takes gpsd down too. unshare with a
//     forked child ignores SIGTERM; stop() therefore kills.
//   - -1 -p: one pass over the log, then gpsfake (a client in pipe mode) sees gpsd drop
//     the device, stops gpsd and exits 0. Its JSON goes to gpsfake.out in the test dir.
//   - TMPDIR is the test's directory: gpsfake puts gpsd's control socket there.
//   - the shim exits when gpsd closes its connection.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/temp_dir.hpp"

namespace gridgate::testing {

// One TOFF the shim wrote to the segment: the fix's time and the system time at arrival.
struct GpsTimeSample {
    double real_s = 0;
    double clock_s = 0;
    double offset_s() const { return clock_s - real_s; }  // + = system clock ahead of GPS
};

class GpsReplay {
public:
    // `nmea_log`: the file to replay, one sentence per 0.5 s (two per second).
    GpsReplay(const TempDir& dir, std::filesystem::path nmea_log);
    ~GpsReplay();

    void start();
    // Waits for gpsfake to finish the log; its exit code, nullopt on timeout or signal.
    std::optional<int> wait_gpsfake(std::chrono::milliseconds timeout);
    // Waits for the shim to exit; its exit code, nullopt on timeout or signal.
    std::optional<int> wait_shim(std::chrono::milliseconds timeout);
    void stop();  // SIGKILL both (gpsd goes with gpsfake's PID namespace)

    // Every sample the shim has written so far, oldest first.
    std::vector<GpsTimeSample> samples() const;
    std::string logs() const;  // gpsfake's and the shim's output, for failure messages

private:
    const TempDir& dir_;
    std::filesystem::path nmea_log_;
    std::uint16_t port_ = 0;
    std::unique_ptr<ChildProcess> gpsfake_, shim_;
};

}  // namespace gridgate::testing
