// Backlog drain benchmark (issue 3): N buffered readings delivered by MqttForwarder to a
// loopback mosquitto over TLS (server verified against a throwaway CA), QoS 1, with a
// mosquitto_sub consumer on the broker's plain listener. For each batch size it prints
// the seconds until the last buffered reading is acknowledged, readings/s and MB/s of
// payload, and the peak RSS of this process during the drain (VmHWM, reset before each
// run). The live variants keep committing new readings during the drain, as polling
// does, and report how long those took to be acknowledged (commit -> PUBACK covering
// them), with the live lane and without it. Figures only: it never fails on time.
//
// By default the Outbox is in memory and generates readings from their seq on read: the
// figure is the forwarder's (encoding, TLS, MQTT, window) and the RSS its own. With
// --outbox sqlite each run drains a real ReadingLog file filled beforehand (the fill is
// not timed; live readings are committed to it with synchronous=FULL).
//
//   northbound_drain [--readings 1000000] [--batches 500,1000,5000] [--inflight 16]
//                    [--live-rate 1000] [--live-batch 1000] [--no-live] [--outbox memory|sqlite]
//                    [--max-bytes-per-s 0]   (a rate-limited, metered link)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/northbound/mqtt_forwarder.hpp"
#include "gridgate/store/reading_log.hpp"
#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/test_pki.hpp"
#include "northbound_synthetic_outbox.hpp"
#include "northbound_timed_outbox.hpp"

namespace {

using Steady = std::chrono::steady_clock;
using gg_bench::SyntheticOutbox;
using gg_bench::TimedOutbox;
namespace nb = gridgate::northbound;
namespace t = gridgate::testing;

struct Settings {
    std::uint64_t readings = 1'000'000;
    std::vector<std::size_t> batches{500, 1000, 5000};
    std::size_t inflight = 16;
    double live_rate = 1000;        // readings/s committed during the live variants
    std::size_t live_batch = 1000;  // batch size of the live variants
    bool live = true;
    bool sqlite = false;            // drain a ReadingLog instead of the in-memory outbox
    double max_bytes_per_s = 0;     // a metered link (0 = unlimited)
};

struct Run {
    std::size_t batch = 0;
    bool live = false;
    bool lanes = true;
};

struct Result {
    double drain_s = 0;
    double payload_mb = 0;
    double peak_rss_mb = 0;
    std::uint64_t live_readings = 0;
    std::vector<double> latencies;  // seconds, one per live chunk
    std::uint64_t batches = 0;
    std::uint64_t consumed = 0;  // batches the consumer received
};

// Linux: VmHWM / VmRSS from /proc/self/status, in MiB.
double proc_status_mib(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) / 1024.0;
    return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so each run reports its own peak.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

struct Site {
    t::TempDir dir{"gg-bench-drain"};
    t::TestPki pki = t::make_test_pki(dir.path(), "bench");
    // Unlimited queue for the consumer: a slow consumer must not make the broker drop.
    t::Mosquitto broker{dir.path(),
                        t::MosquittoOptions{false, t::MosquittoTls{pki.ca_cert, pki.server_cert, pki.server_key, false},
                                            {"max_queued_messages 0"}}};
    // A head-end consuming everything (QoS 1) on the plain listener. It writes one line
    // per message (the topic), which is enough to check that every batch arrived.
    std::filesystem::path consumer_out = dir.file("consumer.out");
    t::ChildProcess consumer{{"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()), "-q", "1",
                              "-t", "gridgate/+/readings", "-F", "%t"},
                             consumer_out, dir.file("consumer.log")};

    // Messages the consumer has received on `topic`.
    std::uint64_t consumed(const std::string& topic) const {
        std::ifstream in(consumer_out);
        std::uint64_t n = 0;
        for (std::string line; std::getline(in, line);) n += line == topic;
        return n;
    }
};

// A ReadingLog holding `count` readings, appended in transactions of 10,000.
std::unique_ptr<gridgate::store::ReadingLog> filled_log(const std::filesystem::path& path, std::uint64_t count) {
    gridgate::store::ReadingLogOptions options;
    options.path = path.string();
    auto log = std::make_unique<gridgate::store::ReadingLog>(options);
    std::vector<gridgate::Reading> chunk;
    for (std::uint64_t seq = 1; seq <= count; ++seq) {
        chunk.push_back(SyntheticOutbox::reading_for(seq));
        if (chunk.size() == 10'000 || seq == count) {
            log->append(chunk);
            chunk.clear();
        }
    }
    return log;
}

Result drain(Site& site, const Settings& settings, const Run& run, int index) {
    // The readings: generated on read, or in a real store file.
    std::unique_ptr<SyntheticOutbox> synthetic;
    std::unique_ptr<gridgate::store::ReadingLog> log;
    if (settings.sqlite) log = filled_log(site.dir.file("run-" + std::to_string(index) + ".db"), settings.readings);
    else synthetic = std::make_unique<SyntheticOutbox>(settings.readings);
    gridgate::Outbox& store = log ? static_cast<gridgate::Outbox&>(*log) : *synthetic;
    TimedOutbox outbox(store, "mqtt");
    // Commits `count` live readings, as a poll cycle does.
    const auto commit_live = [&](std::uint64_t count) {
        std::uint64_t first = 0, last = 0;
        if (log) {
            std::vector<gridgate::Reading> readings;
            const std::uint64_t next = log->last_seq() + 1;
            for (std::uint64_t seq = next; seq < next + count; ++seq)
                readings.push_back(SyntheticOutbox::reading_for(seq));
            const auto range = log->append(readings);
            first = range.first;
            last = range.last;
        } else {
            last = synthetic->append(count);
            first = last - count + 1;
        }
        outbox.committed(first, last);
    };
    gridgate::SystemClock clock;
    nb::MqttOptions options;
    options.gateway_id = "bench-" + std::to_string(index);  // a fresh topic and client id per run
    options.port = site.broker.tls_port();
    options.tls.enabled = true;
    options.tls.ca_file = site.pki.ca_cert.string();
    options.batch_max_readings = run.batch;
    options.inflight_batches = settings.inflight;
    options.max_bytes_per_s = settings.max_bytes_per_s;
    if (!run.lanes) options.live_lane_threshold = 0;
    nb::MqttForwarder forwarder(options, outbox, clock, gridgate::null_logger());

    std::atomic<bool> polling{run.live};
    const auto chunk = static_cast<std::uint64_t>(std::max(1.0, settings.live_rate / 10));
    std::thread poller;
    reset_peak_rss();
    const auto started = Steady::now();
    forwarder.start();
    if (run.live)
        poller = std::thread([&] {
            // Live readings are those committed once the drain is under way (what was
            // committed before belongs to the backlog): from the first batch on, one
            // poll cycle every 100 ms, as the gateway's scheduler would commit them.
            while (polling && forwarder.stats().batches_published == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            auto next = Steady::now();
            while (polling) {
                commit_live(chunk);
                forwarder.notify_new_data();
                next += std::chrono::milliseconds(100);
                std::this_thread::sleep_until(next);
            }
        });
    while (outbox.cursor("mqtt") < settings.readings) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    Result result;
    result.drain_s = std::chrono::duration<double>(Steady::now() - started).count();
    if (run.live) {
        polling = false;
        poller.join();
        while (!outbox.all_delivered()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    result.peak_rss_mb = proc_status_mib("VmHWM");
    const auto backlog = forwarder.backlog_stats();
    result.payload_mb = backlog.average_bytes_per_reading * static_cast<double>(settings.readings) / 1e6;
    result.live_readings = outbox.last_seq() - settings.readings;
    result.latencies = outbox.latencies();
    result.batches = forwarder.stats().batches_published;
    forwarder.stop();
    // Delivered to the head-end, not only acknowledged by the broker (figures after the
    // measurement: the consumer may lag behind the broker a little).
    const std::string topic = "gridgate/" + options.gateway_id + "/readings";
    const auto deadline = Steady::now() + std::chrono::seconds(60);
    while ((result.consumed = site.consumed(topic)) < result.batches && Steady::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return result;
}

std::vector<std::size_t> parse_list(const std::string& text) {
    std::vector<std::size_t> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoul(item));
    return out;
}

Settings parse(int argc, char** argv) {
    Settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--readings") s.readings = std::stoull(value());
        else if (arg == "--batches") s.batches = parse_list(value());
        else if (arg == "--inflight") s.inflight = std::stoul(value());
        else if (arg == "--live-rate") s.live_rate = std::stod(value());
        else if (arg == "--live-batch") s.live_batch = std::stoul(value());
        else if (arg == "--no-live") s.live = false;
        else if (arg == "--max-bytes-per-s") s.max_bytes_per_s = std::stod(value());
        else if (arg == "--outbox") {
            const std::string kind = value();
            if (kind != "memory" && kind != "sqlite") throw std::invalid_argument("--outbox is memory or sqlite");
            s.sqlite = kind == "sqlite";
        }
        else throw std::invalid_argument("unknown argument " + arg);
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    Settings settings;
    try {
        settings = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\nusage: %s [--readings N] [--batches 500,1000,5000] [--inflight 16] "
                             "[--live-rate 1000] [--live-batch 1000] [--no-live] [--outbox memory|sqlite] "
                             "[--max-bytes-per-s 0]\n",
                     e.what(), argv[0]);
        return 2;
    }
    Site site;
    char limit[64] = "none";
    if (settings.max_bytes_per_s > 0) std::snprintf(limit, sizeof limit, "%.2f MB/s", settings.max_bytes_per_s / 1e6);
    std::printf("northbound_drain: %llu buffered readings -> mosquitto on loopback, TLS, QoS 1, %zu batches in "
                "flight\n  outbox: %s\n"
                "  targets: drain <= 5 s while live polling continues, peak RSS <= 64 MB\n"
                "  rate limit: %s\n"
                "  RSS before the runs: %.1f MiB\n\n",
                static_cast<unsigned long long>(settings.readings), settings.inflight,
                settings.sqlite ? "SQLite ReadingLog (synchronous=FULL), filled before each run (not timed)"
                                : "in memory, readings generated on read (forwarder cost only, no SQLite)",
                limit,
                proc_status_mib("VmRSS"));
    std::printf("  %-6s %-22s %8s %12s %8s %15s %10s %22s\n", "batch", "live", "drain_s", "readings/s", "MB/s",
                "batches rcvd/sent", "peak_RSS", "live latency p50/p99/max");

    std::vector<Run> runs;
    for (const auto batch : settings.batches) runs.push_back({batch, false, true});
    if (settings.live) {
        runs.push_back({settings.live_batch, true, true});
        runs.push_back({settings.live_batch, true, false});
    }
    int index = 0;
    for (const auto& run : runs) {
        const Result r = drain(site, settings, run, index);
        for (const char* suffix : {".db", ".db-wal", ".db-shm"})  // a run's store file is big
            std::filesystem::remove(site.dir.file("run-" + std::to_string(index) + suffix));
        ++index;
        char live[64] = "-";
        char latency[64] = "-";
        if (run.live) {
            std::snprintf(live, sizeof live, "%.0f/s, %s", settings.live_rate, run.lanes ? "live lane" : "one lane");
            std::snprintf(latency, sizeof latency, "%.0f/%.0f/%.0f ms", 1000 * percentile(r.latencies, 0.5),
                          1000 * percentile(r.latencies, 0.99), 1000 * percentile(r.latencies, 1.0));
        }
        std::printf("  %-6zu %-22s %8.2f %12.0f %8.1f %7llu/%-7llu %6.1f MiB %22s\n", run.batch, live, r.drain_s,
                    static_cast<double>(settings.readings) / r.drain_s, r.payload_mb / r.drain_s,
                    static_cast<unsigned long long>(r.consumed), static_cast<unsigned long long>(r.batches),
                    r.peak_rss_mb, latency);
        std::fflush(stdout);
    }
    return 0;
}
