// store_bench: the store's figures for issue 3, printed (never pass/fail):
//   1. durable ingest through ReadingLog::append under SyncMode::full, 1,000- and
//      10,000-row transactions, on the real fsync and with 10 ms added to every fsync
//      (the fault VFS), next to raw SQLite inserting the same rows;
//   2. bytes on disk per reading for N realistic readings (30 meters x 350 points);
//   3. opening a big store (default 1 GB) left by a SIGKILL: open with its checks,
//      first read of the backlog (what forwarding needs), and the full background check.
//
//   store_bench [--dir DIR] [--readings 1000000] [--open-bytes 1G] [--skip-open]
//               [--keep] [--drop-caches]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gridgate/store/fault_vfs.hpp"
#include "gridgate/store/open_or_recover.hpp"
#include "gridgate/store/reading_log.hpp"
#include "realistic_readings.hpp"
#include "size_arg.hpp"

using namespace gridgate;
using Steady = std::chrono::steady_clock;

namespace {

struct Args {
    std::string dir = "/tmp/gg-store-bench";
    std::uint64_t readings = 1'000'000;
    std::uint64_t open_bytes = 1ULL << 30;
    bool skip_open = false;
    bool keep = false;
    bool drop_caches = false;
};

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "store_bench: " << problem << "\n"
              << "usage: store_bench [--dir DIR] [--readings N] [--open-bytes SIZE] [--skip-open] [--keep] "
                 "[--drop-caches]\n";
    std::exit(2);
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--dir") a.dir = value();
        else if (arg == "--readings") {
            if (!bench::parse_size(value(), a.readings) || a.readings < 10'000) usage("--readings: at least 10000");
        } else if (arg == "--open-bytes") {
            if (!bench::parse_size(value(), a.open_bytes)) usage("--open-bytes wants a size like 1G");
        } else if (arg == "--skip-open") a.skip_open = true;
        else if (arg == "--keep") a.keep = true;
        else if (arg == "--drop-caches") a.drop_caches = true;
        else usage("unknown option " + arg);
    }
    return a;
}

double seconds_of(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

void remove_store(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// Realistic readings in transaction-sized batches, generated outside the timed part.
class Feed {
public:
    Feed() : source_({}) {}
    const std::vector<Reading>& next(std::size_t rows) {
        batch_.clear();
        while (pending_.size() < rows) {
            source_.append_poll(poll_ts_, pending_);
            poll_ts_ += source_.interval_us();
        }
        batch_.assign(std::make_move_iterator(pending_.begin()),
                      std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(rows)));
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(rows));
        return batch_;
    }

private:
    bench::RealisticReadings source_;
    TimestampUs poll_ts_ = source_.poll_at_or_before(SystemClock().now_utc_us());
    std::vector<Reading> pending_;
    std::vector<Reading> batch_;
};

struct IngestResult {
    double readings_per_s = 0;
    double mean_ms = 0;
    double p99_ms = 0;
    std::size_t transactions = 0;
};

IngestResult ingest(const std::string& path, const std::string& vfs, std::size_t rows, std::uint64_t total) {
    remove_store(path);
    store::ReadingLogOptions options{path, store::SyncMode::full};
    options.vfs = vfs;
    store::ReadingLog log(options);
    Feed feed;
    std::vector<double> latencies;
    Steady::duration busy{};
    for (std::uint64_t done = 0; done < total; done += rows) {
        const auto& batch = feed.next(rows);
        const auto start = Steady::now();
        log.append(batch);
        const auto took = Steady::now() - start;
        busy += took;
        latencies.push_back(seconds_of(took) * 1000.0);
    }
    IngestResult r;
    r.transactions = latencies.size();
    r.readings_per_s = static_cast<double>(r.transactions * rows) / seconds_of(busy);
    r.mean_ms = seconds_of(busy) * 1000.0 / static_cast<double>(r.transactions);
    std::sort(latencies.begin(), latencies.end());
    r.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
    return r;
}

// The same rows straight into SQLite (one prepared INSERT, WAL, synchronous=FULL), as the
// ceiling the store is compared against.
double raw_sqlite(const std::string& path, std::size_t rows, std::uint64_t total) {
    remove_store(path);
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE r(seq INTEGER PRIMARY KEY, point INTEGER, ts INTEGER, value REAL)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO r VALUES(?1, ?2, ?3, ?4)", -1, &insert, nullptr);
    Feed feed;
    Steady::duration busy{};
    std::int64_t seq = 0;
    for (std::uint64_t done = 0; done < total; done += rows) {
        const auto& batch = feed.next(rows);
        const auto start = Steady::now();
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        for (const Reading& r : batch) {
            sqlite3_bind_int64(insert, 1, ++seq);
            sqlite3_bind_int64(insert, 2, static_cast<std::int64_t>(r.point.size()));
            sqlite3_bind_int64(insert, 3, r.ts_us);
            sqlite3_bind_double(insert, 4, r.value);
            sqlite3_step(insert);
            sqlite3_reset(insert);
        }
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        busy += Steady::now() - start;
    }
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return static_cast<double>(seq) / seconds_of(busy);
}

void print_ingest(const char* fsync, std::size_t rows, const IngestResult& r) {
    std::printf("  %-22s %8zu %8zu %12.0f %10.2f %10.2f\n", fsync, rows, r.transactions, r.readings_per_s, r.mean_ms,
                r.p99_ms);
}

void bench_ingest(const Args& args) {
    const std::string path = args.dir + "/ingest.db";
    const std::uint64_t total = std::min<std::uint64_t>(args.readings, 1'000'000);
    // With 10 ms per fsync a 1,000-row transaction costs at least 10 ms: fewer of them.
    const std::uint64_t slow_total = std::min<std::uint64_t>(total, 200'000);
    std::printf("\n1. durable ingest: ReadingLog::append, SyncMode::full (WAL, fsync per commit), realistic readings\n");
    std::printf("  %-22s %8s %8s %12s %10s %10s\n", "fsync", "rows/tx", "tx", "readings/s", "ms/tx", "p99 ms/tx");
    for (const std::size_t rows : {std::size_t{1'000}, std::size_t{10'000}})
        print_ingest("native", rows, ingest(path, "", rows, total));
    store::faults::reset();
    store::faults::set_sync_delay(std::chrono::milliseconds(10));
    for (const std::size_t rows : {std::size_t{1'000}, std::size_t{10'000}})
        print_ingest("+10 ms (fault VFS)", rows, ingest(path, store::faults::vfs_name(), rows, rows == 1'000 ? slow_total : total));
    const auto syncs = store::faults::counters().syncs;
    store::faults::reset();
    std::printf("  (%llu fsyncs went through the 10 ms delay)\n", static_cast<unsigned long long>(syncs));
    std::printf("  raw SQLite, same rows, 1,000-row tx, synchronous=FULL: %.0f rows/s\n", raw_sqlite(path, 1'000, total));
    std::printf("  target: >= 200,000 readings/s with full fsync\n");
    remove_store(path);
}

void bench_bytes(const Args& args) {
    const std::string path = args.dir + "/bytes.db";
    remove_store(path);
    std::uint64_t used = 0;
    {
        store::ReadingLog log({path, store::SyncMode::normal});
        Feed feed;
        for (std::uint64_t done = 0; done < args.readings; done += 10'000)
            log.append(feed.next(static_cast<std::size_t>(std::min<std::uint64_t>(10'000, args.readings - done))));
        used = log.used_bytes();
    }
    const auto file = std::filesystem::file_size(path);
    std::printf("\n2. bytes per reading: %llu realistic readings (30 meters x 350 points: kWh counters like "
                "278394.136, analogs like 121.0037)\n",
                static_cast<unsigned long long>(args.readings));
    std::printf("  used pages %.2f bytes/reading, file %.2f bytes/reading (target <= 28)\n",
                static_cast<double>(used) / static_cast<double>(args.readings),
                static_cast<double>(file) / static_cast<double>(args.readings));
    remove_store(path);
}

// Fills the big store once (kept across runs with --keep), then leaves it the way a
// SIGKILL does: a child appends and dies with commits only in the WAL.
std::string prepare_big_store(const Args& args) {
    const std::string path = args.dir + "/big.db";
    std::error_code ec;
    const auto existing = std::filesystem::file_size(path, ec);
    if (ec || existing < args.open_bytes * 95 / 100) {
        remove_store(path);
        std::printf("  filling %s to %.0f MiB (once; --keep keeps it for the next run)...\n", path.c_str(),
                    static_cast<double>(args.open_bytes) / 1048576.0);
        std::fflush(stdout);
        store::ReadingLog log({path, store::SyncMode::normal});
        Feed feed;
        while (log.used_bytes() < args.open_bytes) log.append(feed.next(100'000));
        log.advance_cursor("mqtt", log.last_seq() / 2);
    }
    std::fflush(stdout);
    const pid_t child = ::fork();
    if (child == 0) {
        auto* log = new store::ReadingLog({path, store::SyncMode::full});  // never destroyed: no checkpoint
        Feed feed;
        for (int i = 0; i < 30; ++i) log->append(feed.next(10'500));  // ~3 s of a busy gateway at 100 ms
        ::raise(SIGKILL);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return path;
}

void bench_open(const Args& args) {
    std::printf("\n3. restart after SIGKILL on a %.0f MiB store (open incl. checks, then the first backlog read)\n",
                static_cast<double>(args.open_bytes) / 1048576.0);
    const std::string path = prepare_big_store(args);
    std::error_code ec;
    const auto wal = std::filesystem::file_size(path + "-wal", ec);
    std::printf("  file %.0f MiB, WAL left by the killed writer %.1f MiB\n",
                static_cast<double>(std::filesystem::file_size(path)) / 1048576.0,
                ec ? 0.0 : static_cast<double>(wal) / 1048576.0);
    if (args.drop_caches) {
        ::sync();
        std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
        std::printf("  page cache dropped (cold start, as after a power cut)\n");
    } else {
        std::printf("  page cache warm (a process restart; --drop-caches for a cold start)\n");
    }
    const auto start = Steady::now();
    store::OpenedStore opened = store::open_or_recover({path}, null_logger());
    const auto opened_at = Steady::now();
    const std::uint64_t cursor = opened.log->cursor("mqtt");
    const auto first = opened.log->read_after(cursor, 1'000);
    const BacklogInfo backlog = opened.log->backlog("mqtt");
    const auto ready_at = Steady::now();
    std::printf("  open_or_recover %.3f s (recovered: %s), first read_after(cursor, 1000) + backlog %.3f s: "
                "forwarding could start after %.3f s (target <= 3 s)\n",
                seconds_of(opened_at - start), opened.report.recovered ? "yes" : "no", seconds_of(ready_at - opened_at),
                seconds_of(ready_at - start));
    std::printf("  backlog %llu readings after cursor %llu, last seq %llu, %zu read\n",
                static_cast<unsigned long long>(backlog.readings), static_cast<unsigned long long>(cursor),
                static_cast<unsigned long long>(backlog.last_seq), first.size());
    const auto check_start = Steady::now();
    const std::string problems = opened.log->check_integrity();
    std::printf("  full PRAGMA quick_check (the background check) %.1f s: %s\n", seconds_of(Steady::now() - check_start),
                problems.empty() ? "ok" : problems.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    std::string command;
    for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
    std::printf("store_bench: %s\n", command.c_str());
    std::printf("SQLite %s, %ld cores, store in %s\n", sqlite3_libversion(), ::sysconf(_SC_NPROCESSORS_ONLN),
                args.dir.c_str());
    try {
        std::filesystem::create_directories(args.dir);
        bench_ingest(args);
        bench_bytes(args);
        if (!args.skip_open) bench_open(args);
        if (!args.keep) remove_store(args.dir + "/big.db");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
