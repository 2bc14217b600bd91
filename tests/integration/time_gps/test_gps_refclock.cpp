// GPS as chronyd's reference clock, seen through gg_time: gpsfake replays an NMEA log
// stamped with the current UTC time into gpsd; chronyd (-x: never touches the system
// clock) reads NTP shared-memory segment 0 as `refclock SHM 0 refid GPS`; TimeMonitor
// must report synced to "GPS", then holdover and unsynced once the log has run out.
//
// What is real and what stands in:
//   - gpsd 3.22 parses the replayed NMEA, but for a pseudo-terminal source (gpsfake
//     always uses one) it deliberately writes nothing to the NTP segments ("don't talk to
//     NTP when we're running inside the test harness"). It still reports each fix's
//     time to clients as TOFF messages: the same two times (fix time, arrival time) it
//     would put in the segment. toff_to_shm.py copies those into segment 0 in the NTP
//     SHM driver's documented layout. It stands in for gpsd's own SHM export only; on
//     the appliance gpsd reads a real serial GPS and writes segment 0 itself.
//   - chronyd, its SHM refclock driver, its cmdmon socket and gg_time are the real ones.
//   - gpsfake's pacing drifts by ~1 ms per second (Python's loop on top of -c 0.5), so
//     chronyd estimates a frequency error near 1000 ppm here; a real receiver has none.
//
// Isolation: the test process moves itself into a fresh IPC namespace before starting
// anything, so chronyd, gpsd (which creates NTP units 0-7 at start even for a pty) and
// the shim share segments that exist nowhere else, and vanish with the namespace. That
// needs root (CAP_SYS_ADMIN), as the chronyd tests do in practice.
#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <mutex>
#include <utility>
#include <vector>

#include "chronyd_fixture.hpp"
#include "gps_replay.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/core/reading.hpp"
#include "gridgate/testing/wait.hpp"
#include "gridgate/time/time_monitor.hpp"
#include "nmea_log.hpp"

using namespace gridgate;
using namespace gridgate::timesync;
using namespace gridgate::testing;
using namespace std::chrono_literals;

namespace {

constexpr key_t ntp_shm_unit0 = 0x4E545030;  // "NTP0"
// Long enough to see the status stay synced for a while after chronyd settles (~6 s),
// short enough for the whole case to take under a minute.
constexpr int replay_seconds = 36;

// chronyd's refclock as on the appliance (rootfs/chrony/gridgate.conf) minus `noselect`
// (no PPS here), with poll 0 (one update per sample) instead of the default 16 s so that
// the test takes seconds; command socket in the test's directory, no NTP port.
std::vector<std::string> gps_chronyd_directives(const std::string& socket_path) {
    return {"refclock SHM 0 refid GPS precision 1e-1 delay 0.2 poll 0", "port 0", "cmdport 0",
            "bindcmdaddress " + socket_path};
}

// Waits for the monitor to reach `level`; on timeout fails with the status and the peers' logs.
void require_level(const TimeMonitor& monitor, TimeQuality level, std::chrono::milliseconds timeout,
                   const std::function<std::string()>& logs) {
    if (wait_until([&] { return monitor.status().level == level; }, timeout, 20ms)) return;
    const auto status = monitor.status();
    FAIL("still " << to_string(status.level) << " (" << status.reason << "), expected "
                  << to_string(level) << "\n" << logs());
}

}  // namespace

TEST_CASE("NMEA log: textbook checksums, one RMC and one GGA per second", "[gps]") {
    CHECK(nmea_checksum("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,") == 0x47);
    CHECK(nmea_sentence("GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W") ==
          "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n");

    // 2024-02-29 23:59:59 UTC, across midnight into March.
    const auto log = nmea_fix_log(1709251199, 2);
    CHECK(log ==
          nmea_sentence("GPRMC,235959.00,A,4807.038,N,01131.000,E,0.0,0.0,290224,,,A") +
              nmea_sentence("GPGGA,235959.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,") +
              nmea_sentence("GPRMC,000000.00,A,4807.038,N,01131.000,E,0.0,0.0,010324,,,A") +
              nmea_sentence("GPGGA,000000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"));
}

TEST_CASE("gpsd via SHM: chronyd follows GPS, the gateway is synced, then holdover, then unsynced",
          "[gps][chrony][integration]") {
    // Private IPC namespace first: segment 0 must not exist in it yet.
    if (::unshare(CLONE_NEWIPC) != 0)
        FAIL("unshare(CLONE_NEWIPC): " << std::strerror(errno) << " (the test needs root)");
    const int shmid = ::shmget(ntp_shm_unit0, 0, 0);
    const int shm_errno = errno;
    CHECK(shmid == -1);
    CHECK(shm_errno == ENOENT);

    TempDir dir("gg-gps");
    const auto sock_dir = dir.file("run");  // chronyd wants its socket directory 0700
    std::filesystem::create_directory(sock_dir);
    ::chmod(sock_dir.c_str(), 0700);
    const auto socket_path = (sock_dir / "chronyd.sock").string();

    // Stamped from the next second on: gpsfake starts feeding 1-2 s after this, so the
    // fixes arrive a fraction of a second to a second late, like slow NMEA.
    SystemClock clock;
    const auto now_s = clock.now_utc_us() / 1'000'000;
    const auto nmea = dir.write("gps.nmea", nmea_fix_log(now_s + 1, replay_seconds));

    Chronyd chronyd(dir, "chronyd", gps_chronyd_directives(socket_path));
    chronyd.start();
    GpsReplay gps(dir, nmea);
    gps.start();

    TimeSourceConfig config;
    config.chrony = ChronyEndpoint::unix_socket(socket_path);
    config.chrony.reply_dir = dir.path().string();
    config.poll_interval = 200ms;
    config.request_timeout = 500ms;
    // Generous: NMEA time is a ~100 ms source (root distance = delay/2 + dispersion
    // ~ 0.2 s once settled; chronyd's first estimates are over 1 s).
    config.max_error = 1s;
    // chronyd updates about once a second here, but its reference time trails the wall
    // clock by 2-3 s (a sample is dated by the fix's arrival and the segment is read once
    // a second), and now and then a read finds no new sample as gpsfake's pace drifts
    // against chronyd's: 4 update intervals (4 s) flapped into holdover.
    config.min_update_age = 8s;
    config.holdover = 2s;
    std::mutex mutex;
    std::vector<std::pair<TimeQuality, TimeQuality>> transitions;
    std::string history;  // every transition's reason, for a failure message
    TimeMonitor monitor(config, clock, [&](const GatewayTimeStatus& before,
                                           const GatewayTimeStatus& after) {
        std::lock_guard lock(mutex);
        transitions.emplace_back(before.level, after.level);
        history += std::string(to_string(after.level)) + ": " + after.reason + "\n";
    });
    monitor.start();
    const auto logs = [&] { return chronyd.log() + gps.logs(); };

    require_level(monitor, TimeQuality::synced, 20s, logs);
    const auto synced = monitor.status();
    INFO(synced.reason);
    CHECK(synced.source == "GPS");
    CHECK(synced.stratum == 1);  // a reference clock is stratum 0
    CHECK(synced.leap_status == chrony::leap_normal);
    CHECK(synced.root_distance_s <= 1.0);
    CHECK(monitor.quality_flags() == 0);
    // chronyd's estimate of the system clock's offset is what the samples say (clock
    // minus fix time), sign included: the shim put each time in the right field.
    const auto samples = gps.samples();
    REQUIRE(!samples.empty());
    CHECK(synced.offset_s == Approx(samples.back().offset_s()).margin(0.05));

    // One pass over the log, then gpsfake stops gpsd and the shim sees the end.
    const auto replay_timeout = std::chrono::seconds(replay_seconds + 15);
    CHECK(gps.wait_gpsfake(replay_timeout) == 0);
    CHECK(gps.wait_shim(5s) == 0);
    const auto all = gps.samples();
    CHECK(all.size() >= static_cast<std::size_t>(replay_seconds - 3));
    CHECK(all.size() <= static_cast<std::size_t>(replay_seconds));

    // No more samples: chronyd keeps its GPS reference, but its updates stop.
    require_level(monitor, TimeQuality::holdover, 20s, logs);
    CHECK(monitor.status().reason.find("last update") != std::string::npos);
    CHECK(monitor.status().source == "GPS");
    CHECK(monitor.quality_flags() == quality::time_holdover);
    require_level(monitor, TimeQuality::unsynced, 10s, logs);
    const auto lost = monitor.status();
    CHECK(lost.reason.starts_with("holdover of 2s exhausted"));
    CHECK(lost.source == "GPS");  // chronyd still names it; the gateway no longer trusts it
    CHECK(lost.chronyd_answering);
    CHECK(monitor.quality_flags() == quality::time_unsynced);
    monitor.stop();

    // Synced once and stayed so for the whole replay.
    std::lock_guard lock(mutex);
    INFO(history);
    REQUIRE(transitions.size() == 3);
    CHECK(transitions[0] == std::pair{TimeQuality::unsynced, TimeQuality::synced});
    CHECK(transitions[1] == std::pair{TimeQuality::synced, TimeQuality::holdover});
    CHECK(transitions[2] == std::pair{TimeQuality::holdover, TimeQuality::unsynced});
}
