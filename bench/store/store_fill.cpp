// store_fill: creates (or extends) a realistic gridgate store of a given size, for the
// benchmarks that need a big one (SIGKILL-to-forwarding time on a 1 GB store). Goes
// through ReadingLog::append like the daemon, in large transactions.
//
//   store_fill PATH --bytes 1G [--meters 30 --points 350 --acked-fraction 0.0]
//              [--interval 1s] [--batch 100000] [--sync normal|full]
//
// Prints the seq range, the size and the `mqtt` cursor it set.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/store/reading_log.hpp"
#include "realistic_readings.hpp"
#include "size_arg.hpp"

using namespace gridgate;

namespace {

struct Args {
    std::string path;
    std::uint64_t bytes = 0;
    unsigned meters = 30;
    unsigned points = 350;
    double acked_fraction = 0.0;
    std::int64_t interval_us = 1'000'000;
    std::size_t batch = 100'000;
    store::SyncMode sync = store::SyncMode::normal;
};

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "store_fill: " << problem << "\n"
              << "usage: store_fill PATH --bytes SIZE[K|M|G] [--meters 30] [--points 350] [--acked-fraction 0.0]\n"
              << "                  [--interval 1s] [--batch 100000] [--sync normal|full]\n";
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
        try {
            if (arg == "--bytes") {
                if (!bench::parse_size(value(), a.bytes)) usage("--bytes wants a size like 1G, 512M, 300000K");
            } else if (arg == "--meters") {
                a.meters = static_cast<unsigned>(std::stoul(value()));
            } else if (arg == "--points") {
                a.points = static_cast<unsigned>(std::stoul(value()));
            } else if (arg == "--acked-fraction") {
                a.acked_fraction = std::stod(value());
            } else if (arg == "--interval") {
                Duration d{};
                if (!parse_duration(value(), d) || d.count() <= 0) usage("--interval wants a duration like 1s, 100ms");
                a.interval_us = d.count();
            } else if (arg == "--batch") {
                a.batch = std::stoul(value());
            } else if (arg == "--sync") {
                const std::string s = value();
                if (s != "normal" && s != "full") usage("--sync is normal or full");
                a.sync = s == "full" ? store::SyncMode::full : store::SyncMode::normal;
            } else if (!arg.empty() && arg[0] == '-') {
                usage("unknown option " + arg);
            } else if (a.path.empty()) {
                a.path = arg;
            } else {
                usage("only one PATH");
            }
        } catch (const std::logic_error&) {  // stoul / stod on garbage
            usage("bad value for " + arg);
        }
    }
    if (a.path.empty()) usage("PATH is required");
    if (a.bytes == 0) usage("--bytes is required");
    if (a.meters == 0 || a.points == 0 || a.batch == 0) usage("--meters, --points and --batch must be positive");
    if (!(a.acked_fraction >= 0.0 && a.acked_fraction <= 1.0)) usage("--acked-fraction is between 0 and 1");
    return a;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    const auto start = std::chrono::steady_clock::now();
    try {
        store::ReadingLog log({args.path, args.sync});
        const bench::RealisticReadings source({.meters = args.meters, .points = args.points,
                                               .interval_us = args.interval_us});
        const std::uint64_t first_before = log.last_seq();

        // A new store starts at the current poll; an existing one continues after its
        // newest reading.
        TimestampUs poll_ts = source.poll_at_or_before(SystemClock().now_utc_us());
        if (first_before > 0) {
            const auto last = log.read_after(first_before - 1, 1);
            if (!last.empty()) poll_ts = source.poll_at_or_before(last.front().reading.ts_us) + source.interval_us();
        }

        std::vector<Reading> batch;
        batch.reserve(args.batch + source.readings_per_poll());
        while (log.used_bytes() < args.bytes) {
            batch.clear();
            while (batch.size() < args.batch) {
                source.append_poll(poll_ts, batch);
                poll_ts += source.interval_us();
            }
            log.append(batch);
        }

        const std::uint64_t last_seq = log.last_seq();
        const auto acked = static_cast<std::uint64_t>(std::floor(args.acked_fraction * static_cast<double>(last_seq)));
        if (acked > 0) log.advance_cursor("mqtt", acked);
        const std::uint64_t cursor = log.cursor("mqtt");
        const std::uint64_t rows = log.reading_count();
        const std::uint64_t used = log.used_bytes();
        const BacklogInfo backlog = log.backlog("mqtt");
        std::printf("store_fill: %s\n", args.path.c_str());
        std::printf("  seq %llu..%llu (%llu added now), %llu readings held\n",
                    static_cast<unsigned long long>(last_seq > 0 ? last_seq - rows + 1 : 0),
                    static_cast<unsigned long long>(last_seq),
                    static_cast<unsigned long long>(last_seq - first_before), static_cast<unsigned long long>(rows));
        std::printf("  used %llu bytes (%.1f MiB), %.2f bytes/reading\n", static_cast<unsigned long long>(used),
                    static_cast<double>(used) / (1024.0 * 1024.0),
                    rows > 0 ? static_cast<double>(used) / static_cast<double>(rows) : 0.0);
        std::printf("  cursor mqtt=%llu, backlog %llu readings\n", static_cast<unsigned long long>(cursor),
                    static_cast<unsigned long long>(backlog.readings));
        std::printf("  %.1f s\n", seconds_since(start));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_fill: %s\n", e.what());
        return 1;
    }
    // The ReadingLog closed above: its last connection checkpointed the WAL into the file.
    std::error_code ec;
    const auto file = std::filesystem::file_size(args.path, ec);
    if (!ec) std::printf("  file %s is %llu bytes\n", args.path.c_str(), static_cast<unsigned long long>(file));
    return 0;
}
