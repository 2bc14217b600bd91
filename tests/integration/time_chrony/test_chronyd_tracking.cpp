// gg_time against a real chronyd 4.x that never touches the system clock: a "server"
// chronyd at local stratum 8 and a "client" chronyd polling it every 1/64 s on loopback.
// What the gateway parses is compared with chronyc's own reading of the same state.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "chronyd_fixture.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/core/reading.hpp"
#include "gridgate/testing/ports.hpp"
#include "gridgate/testing/wait.hpp"
#include "gridgate/time/time_monitor.hpp"

using namespace gridgate;
using namespace gridgate::timesync;
using namespace gridgate::testing;
using namespace std::chrono_literals;

namespace {

// Command access either on 127.0.0.1:cmd_port only, or on a Unix socket only. Both are
// always named: chronyd's defaults would bind every interface or create /run/chrony.
std::vector<std::string> client_directives(std::uint16_t server_port, std::uint16_t cmd_port,
                                           const std::string& socket_path = {}) {
    std::vector<std::string> d = {
        "server 127.0.0.1 port " + std::to_string(server_port) + " iburst minpoll -6 maxpoll -6",
        "port 0"};  // the client serves nobody
    if (socket_path.empty()) {
        d.insert(d.end(), {"cmdport " + std::to_string(cmd_port), "bindcmdaddress 127.0.0.1",
                           "bindcmdaddress /"});
    } else {
        d.insert(d.end(), {"cmdport 0", "bindcmdaddress " + socket_path});
    }
    return d;
}

std::optional<ChronyTracking> try_tracking(ChronyClient& client) {
    try {
        return client.tracking(200ms);
    } catch (const ChronyError&) {
        return std::nullopt;
    }
}

std::string hex8(std::uint32_t v) {
    char text[9];
    std::snprintf(text, sizeof(text), "%08X", v);
    return text;
}

// chronyc prints the reference time as seconds.nanoseconds; the gateway keeps µs.
TimestampUs csv_time_us(const std::string& field) {
    const auto dot = field.find('.');
    return std::stoll(field.substr(0, dot)) * 1'000'000 + std::stoll(field.substr(dot + 1, 6));
}

// True when x lies between a and b (either order), give or take chronyc's rounding.
bool between(double x, double a, double b, double rounding) {
    return std::min(a, b) - rounding <= x && x <= std::max(a, b) + rounding;
}

// `before` and `after` are the gateway's readings around chronyc's, with the same reference
// time: fixed fields must match chronyc's to its printed precision, the two that move with
// time (the correction being applied, the dispersion growing) must lie between them.
void check_against_chronyc(const ChronyTracking& before, const ChronyTracking& t,
                           const std::vector<std::string>& csv) {
    REQUIRE(csv.size() == 14);
    INFO("chronyc: " << csv[0] << "," << csv[1] << "," << csv[2] << "," << csv[3] << ",...");
    CHECK(csv[0] == hex8(t.ref_id));
    CHECK(csv[1] == t.reference_name());
    CHECK(std::stoi(csv[2]) == t.stratum);
    CHECK(csv_time_us(csv[3]) == t.ref_time_us);
    CHECK(between(std::stod(csv[4]), before.current_correction_s, t.current_correction_s, 1e-9));
    CHECK(std::stod(csv[5]) == Approx(t.last_offset_s).margin(1e-9));
    CHECK(std::stod(csv[6]) == Approx(t.rms_offset_s).margin(1e-9));
    CHECK(std::stod(csv[7]) == Approx(t.freq_ppm).margin(0.0005));
    CHECK(std::stod(csv[8]) == Approx(t.resid_freq_ppm).margin(0.0005));
    CHECK(std::stod(csv[9]) == Approx(t.skew_ppm).margin(0.0005));
    CHECK(std::stod(csv[10]) == Approx(t.root_delay_s).margin(1e-9));
    CHECK(between(std::stod(csv[11]), before.root_dispersion_s, t.root_dispersion_s, 1e-9));
    CHECK(std::stod(csv[12]) == Approx(t.last_update_interval_s).margin(0.05));
    const char* leap[] = {"Normal", "Insert second", "Delete second", "Not synchronised"};
    CHECK(csv[13] == leap[t.leap_status & 3]);
}

// Reads around chronyc until a pair brackets it with the same reference time (the caller
// froze the server, so chronyd's reference only moves if a last sample was in flight).
void compare_with_chronyc(ChronyClient& client, const TempDir& dir, const std::string& host,
                          std::uint16_t port) {
    for (int i = 0; i < 20; ++i) {
        const auto before = try_tracking(client);
        const auto csv = chronyc_csv(dir, host, port, "tracking");
        const auto after = try_tracking(client);
        if (!before || !after || csv.size() != 14 || before->ref_time_us != after->ref_time_us) continue;
        check_against_chronyc(*before, *after, csv);
        return;
    }
    FAIL("no stable reading to compare with chronyc's");
}

}  // namespace

TEST_CASE("UDP command port: unsynchronised, then synchronised to the server, as chronyc sees it",
          "[chrony][integration]") {
    TempDir dir("gg-chrony");
    const auto server_port = free_loopback_port();
    const auto cmd_port = free_loopback_port();
    Chronyd client_chronyd(dir, "client", client_directives(server_port, cmd_port));
    Chronyd server_chronyd(dir, "server", local_server_directives(server_port));
    ChronyClient client(ChronyEndpoint::udp("127.0.0.1", cmd_port));

    // The server is not up yet: the client chronyd has nothing to follow.
    client_chronyd.start();
    std::optional<ChronyTracking> t;
    REQUIRE(wait_until([&] { return (t = try_tracking(client)).has_value(); }, 10s));
    INFO(client_chronyd.log());
    CHECK(t->leap_status == chrony::leap_unsynchronised);
    CHECK(t->stratum == 0);
    CHECK(t->reference_name().empty());
    check_against_chronyc(*t, *t, chronyc_csv(dir, "127.0.0.1", cmd_port, "tracking"));
    TimeStatusEvaluator evaluator;
    SystemClock clock;
    CHECK(evaluator.evaluate(t, {}, clock.now_utc_us(), clock.steady_now()).level == TimeQuality::unsynced);

    // Synchronised within a few seconds; good enough (root distance <= 100 ms) soon after.
    server_chronyd.start();
    GatewayTimeStatus status;
    REQUIRE(wait_until(
        [&] {
            t = try_tracking(client);
            status = evaluator.evaluate(t, "", clock.now_utc_us(), clock.steady_now());
            return status.level == TimeQuality::synced;
        },
        15s, 50ms));
    CHECK(t->leap_status == chrony::leap_normal);
    CHECK(t->stratum == 9);
    CHECK(t->ref_id == 0x7F000001u);
    CHECK(t->reference_name() == "127.0.0.1");
    CHECK(status.source == "127.0.0.1");

    // Freeze the server so that chronyd's reference stays put while both read it.
    server_chronyd.process().signal(SIGSTOP);
    compare_with_chronyc(client, dir, "127.0.0.1", cmd_port);
    server_chronyd.process().signal(SIGCONT);
}

TEST_CASE("Unix socket: the monitor sees synced, then holdover and unsynced once the server dies",
          "[chrony][integration]") {
    TempDir dir("gg-chrony");
    const auto server_port = free_loopback_port();
    // chronyd insists its socket directory is closed to others.
    const auto sock_dir = dir.file("run");
    std::filesystem::create_directory(sock_dir);
    ::chmod(sock_dir.c_str(), 0700);
    const auto socket_path = (sock_dir / "chronyd.sock").string();
    Chronyd server_chronyd(dir, "server", local_server_directives(server_port));
    Chronyd client_chronyd(dir, "client", client_directives(server_port, 0, socket_path));
    server_chronyd.start();
    client_chronyd.start();

    TimeSourceConfig config;
    config.chrony = ChronyEndpoint::unix_socket(socket_path);
    config.chrony.reply_dir = dir.path().string();
    config.poll_interval = 100ms;
    config.request_timeout = 200ms;
    config.max_error = 100ms;
    config.min_update_age = 1s;  // updates come every 1/64 s here
    config.holdover = 2s;
    SystemClock clock;
    std::mutex mutex;
    std::vector<std::pair<TimeQuality, TimeQuality>> transitions;
    TimeMonitor monitor(config, clock, [&](const GatewayTimeStatus& before, const GatewayTimeStatus& after) {
        std::lock_guard lock(mutex);
        transitions.emplace_back(before.level, after.level);
    });
    monitor.start();
    INFO(client_chronyd.log());

    REQUIRE(wait_until([&] { return monitor.status().level == TimeQuality::synced; }, 15s, 20ms));
    const auto synced = monitor.status();
    CHECK(synced.source == "127.0.0.1");
    CHECK(synced.stratum == 9);
    CHECK(monitor.quality_flags() == 0);
    ChronyClient client(config.chrony);
    server_chronyd.process().signal(SIGSTOP);
    compare_with_chronyc(client, dir, socket_path, 0);

    server_chronyd.kill();
    REQUIRE(wait_until([&] { return monitor.status().level == TimeQuality::holdover; }, 10s, 20ms));
    CHECK(monitor.status().reason.find("last update") != std::string::npos);
    CHECK(monitor.quality_flags() == quality::time_holdover);
    REQUIRE(wait_until([&] { return monitor.status().level == TimeQuality::unsynced; }, 10s, 20ms));
    CHECK(monitor.status().reason.starts_with("holdover of 2s exhausted"));
    CHECK(monitor.quality_flags() == quality::time_unsynced);

    client_chronyd.kill();
    REQUIRE(wait_until([&] { return !monitor.status().chronyd_answering; }, 10s, 20ms));
    CHECK(monitor.status().reason.starts_with("chronyd not answering"));
    monitor.stop();

    std::lock_guard lock(mutex);
    REQUIRE(transitions.size() == 3);
    CHECK(transitions[0] == std::pair{TimeQuality::unsynced, TimeQuality::synced});
    CHECK(transitions[1] == std::pair{TimeQuality::synced, TimeQuality::holdover});
    CHECK(transitions[2] == std::pair{TimeQuality::holdover, TimeQuality::unsynced});
    // Every per-query reply directory was removed.
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        CHECK(entry.path().filename().string().rfind("gg-chrony-", 0) != 0);
}
