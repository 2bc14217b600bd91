#include "gps_replay.hpp"

#include <sys/wait.h>

#include <sstream>
#include <string>

#include "gridgate/testing/ports.hpp"

namespace gridgate::testing {

namespace {

std::optional<int> exit_code(std::optional<int> status) {
    if (!status || !WIFEXITED(*status)) return std::nullopt;
    return WEXITSTATUS(*status);
}

}  // namespace

GpsReplay::GpsReplay(const TempDir& dir, std::filesystem::path nmea_log)
    : dir_(dir), nmea_log_(std::move(nmea_log)) {}

GpsReplay::~GpsReplay() { stop(); }

void GpsReplay::start() {
    port_ = free_loopback_port();
    // env sets TMPDIR and execs: the pid stays unshare's. -c 0.5: two sentences a second.
    gpsfake_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/env", "TMPDIR=" + dir_.path().string(),
                                 "/usr/bin/unshare", "--pid", "--kill-child", "--",
                                 "/usr/bin/gpsfake", "-1", "-p", "-q", "-c", "0.5", "-P",
                                 std::to_string(port_), nmea_log_.string()},
        dir_.file("gpsfake.out"), dir_.file("gpsfake.log"));
    shim_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/python3", GG_TIME_GPS_DIR "/toff_to_shm.py",
                                 std::to_string(port_)},
        dir_.file("shim.out"), dir_.file("shim.log"));
}

std::optional<int> GpsReplay::wait_gpsfake(std::chrono::milliseconds timeout) {
    return gpsfake_ ? exit_code(gpsfake_->wait(timeout)) : std::nullopt;
}

std::optional<int> GpsReplay::wait_shim(std::chrono::milliseconds timeout) {
    return shim_ ? exit_code(shim_->wait(timeout)) : std::nullopt;
}

void GpsReplay::stop() {
    if (gpsfake_) gpsfake_->kill();
    if (shim_) shim_->kill();
}

std::vector<GpsTimeSample> GpsReplay::samples() const {
    // The shim prints "sample <real s.ns> <clock s.ns>" per TOFF.
    std::vector<GpsTimeSample> out;
    std::istringstream lines(read_text_file(dir_.file("shim.out")));
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string tag;
        GpsTimeSample s;
        if (words >> tag >> s.real_s >> s.clock_s && tag == "sample") out.push_back(s);
    }
    return out;
}

std::string GpsReplay::logs() const {
    return "--- gpsfake\n" + read_text_file(dir_.file("gpsfake.log")) + "--- shim\n" +
           read_text_file(dir_.file("shim.log")) + read_text_file(dir_.file("shim.out"));
}

}  // namespace gridgate::testing
