// Modbus RTU bus efficiency: achieved polls/s of the gateway's RtuBus against the
// physical ceiling of the line, the gateway's own overhead per poll, and the share of
// line time one dead meter costs. Figures only; never fails on time.
//
// The line is a pair of ptys joined by a relay that gives the master's bytes their wire
// time (bench/rtu_line.hpp); the slave paces its replies: the bench's own paced slave
// (bench/rtu_paced_slave.hpp) or metersim's RTU mode (--metersim PATH).
//
// usage: rtu_bus_bench [--bauds 9600,19200,115200] [--registers 10,60,125] [--seconds 3]
//                      [--turnaround 2ms] [--metersim PATH]
//                      [--dead-baud 19200] [--dead-registers 10] [--dead-timeout 100ms]
//                      [--dead-backoff-max 30s] [--dead-warmup 60s] [--dead-window 120s]
//                      [--no-dead]
#include <sys/prctl.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gridgate/core/log.hpp"
#include "gridgate/modbus/rtu_bus.hpp"
#include "gridgate/modbus/rtu_timing.hpp"
#include "rtu_line.hpp"
#include "rtu_metersim.hpp"
#include "rtu_paced_slave.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Args {
    std::vector<unsigned> bauds{9600, 19200, 115200};
    std::vector<unsigned> registers{10, 60, 125};
    Duration seconds = 3s;
    Duration turnaround = 2ms;
    std::string metersim;
    bool dead = true;
    unsigned dead_baud = 19200;
    unsigned dead_registers = 10;
    Duration dead_timeout = 100ms;
    Duration dead_backoff_max = 30s;
    Duration dead_warmup = 60s;
    Duration dead_window = 120s;
};

std::vector<unsigned> parse_list(const std::string& text) {
    std::vector<unsigned> out;
    std::size_t at = 0;
    while (at <= text.size()) {
        const std::size_t comma = text.find(',', at);
        out.push_back(static_cast<unsigned>(std::stoul(text.substr(at, comma - at))));
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return out;
}

Duration parse_time(const std::string& text) {
    Duration d;
    if (!parse_duration(text, d)) throw std::invalid_argument("bad duration: " + text);
    return d;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (key == "--no-dead") {
            a.dead = false;
            continue;
        }
        if (i + 1 >= argc) throw std::invalid_argument("missing value for " + key);
        const std::string value = argv[++i];
        if (key == "--bauds") a.bauds = parse_list(value);
        else if (key == "--registers") a.registers = parse_list(value);
        else if (key == "--seconds") a.seconds = parse_time(value + "s");
        else if (key == "--turnaround") a.turnaround = parse_time(value);
        else if (key == "--metersim") a.metersim = value;
        else if (key == "--dead-baud") a.dead_baud = static_cast<unsigned>(std::stoul(value));
        else if (key == "--dead-registers") a.dead_registers = static_cast<unsigned>(std::stoul(value));
        else if (key == "--dead-timeout") a.dead_timeout = parse_time(value);
        else if (key == "--dead-backoff-max") a.dead_backoff_max = parse_time(value);
        else if (key == "--dead-warmup") a.dead_warmup = parse_time(value);
        else if (key == "--dead-window") a.dead_window = parse_time(value);
        else throw std::invalid_argument("unknown option " + key);
    }
    return a;
}

double mean(const std::vector<double>& v) { return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size())))];
}

// Warnings and errors of the bus on stderr; GG_BENCH_TRACE=1 adds hex traces.
Logger& bench_logger() {
    const bool trace = std::getenv("GG_BENCH_TRACE") != nullptr;
    static Logger logger(trace ? LogLevel::debug : LogLevel::warn);
    if (trace) {
        logger.set_trace("bench", true);
        logger.set_trace("dead", true);
    }
    return logger;
}

constexpr unsigned wire_bits = 10;  // 8N1, the JEMStar II's only format

// One line with a slave on it (paced slave or metersim) and the bus on the other end.
struct Setup {
    Setup(unsigned baud, const Args& args, std::vector<std::uint8_t> units, RtuBusOptions options)
        : timing(rtu_timing(baud, wire_bits)), line(std::chrono::nanoseconds(std::uint64_t{wire_bits} * 1'000'000'000 / baud)) {
        if (args.metersim.empty()) {
            paced.emplace(line.slave_path(), units,
                          bench::PacedSlaveTiming{std::chrono::nanoseconds(std::uint64_t{wire_bits} * 1'000'000'000 / baud),
                                                  timing.t3_5, args.turnaround});
        } else {
            sim = std::make_unique<bench::Metersim>(args.metersim, line.slave_path(), baud, args.turnaround, units);
        }
        transport::SerialPortOptions serial;
        serial.path = line.master_path();
        serial.baud = baud;
        options.name = "bench";
        bus = make_serial_rtu_bus(io.get_executor(), serial, options, bench_logger());
    }
    ~Setup() {
        bool done = false;
        bus->stop([&] { done = true; });
        while (!done) io.run_one_for(50ms);
    }

    RtuTiming timing;
    bench::RtuLine line;
    std::optional<bench::PacedSlave> paced;
    std::unique_ptr<bench::Metersim> sim;
    asio::io_context io;
    std::unique_ptr<RtuBus> bus;
};

// Keeps `depth` reads of `unit` queued so the line never waits for the application.
struct Saturator {
    Saturator(RtuBus& b, std::uint8_t u, std::uint16_t n, Duration t, bool check)
        : bus(b), unit(u), count(n), timeout(t), check_values(check) {}
    void start(int depth) {
        for (int i = 0; i < depth; ++i) submit();
    }
    void submit() {
        ++outstanding;
        bus.submit(ReadCall{unit, {FunctionCode::read_input_registers, 0, count}, timeout, "bench", Priority::normal},
                   [this](TransactionResult r) {
                       --outstanding;
                       if (const auto* data = std::get_if<ReadResponse>(&r)) {
                           ++ok;
                           if (data->registers.size() != count) ++wrong;
                           for (std::uint16_t i = 0; check_values && i < count; ++i)
                               if (data->registers.at(i) != i) ++wrong;
                           last_ok = SteadyClock::now();
                       } else {
                           ++failed;
                       }
                       if (running) submit();
                   });
    }
    RtuBus& bus;
    std::uint8_t unit;
    std::uint16_t count;
    Duration timeout;
    bool check_values;  // the paced slave's values are known: register i = i
    bool running = true;
    int outstanding = 0;
    std::uint64_t ok = 0, failed = 0, wrong = 0;
    SteadyClock::time_point last_ok{};
};

void run_for(asio::io_context& io, Duration d) {
    const auto until = SteadyClock::now() + d;
    while (SteadyClock::now() < until) io.run_one_until(until);
}

void efficiency(const Args& args, unsigned baud, std::uint16_t registers) {
    Setup s(baud, args, {1}, RtuBusOptions{});
    Saturator load(*s.bus, 1, registers, 1s, !s.sim);
    load.start(1);
    run_for(s.io, 500ms);  // warm up: line open, first polls
    s.line.reset_measurements();
    if (s.paced) s.paced->reset_measurements();
    load.running = false;
    while (load.outstanding > 0) s.io.run_one();
    const auto ok_before = load.ok;
    const auto start = load.last_ok;
    load.running = true;
    load.start(2);
    run_for(s.io, args.seconds);
    load.running = false;
    while (load.outstanding > 0) s.io.run_one();

    const double polls = double(load.ok - ok_before);
    const double elapsed = std::chrono::duration<double>(load.last_ok - start).count();
    const double achieved = polls / elapsed;
    const double floor_s = std::chrono::duration<double>(rtu_read_cycle_floor(s.timing, registers, args.turnaround)).count();
    const double ceiling = 1.0 / floor_s;
    const double excess_ms = (elapsed / polls - floor_s) * 1000;
    const auto reactions = s.line.reactions();
    const double t35_us = double(s.timing.t3_5.count());
    std::vector<double> overhead;
    for (const double r : reactions) overhead.push_back(r - t35_us);
    char late[32] = "     n/a";  // metersim reports its own (stats: tx_late_max_us)
    if (s.paced) std::snprintf(late, sizeof late, "%6.3f ms", percentile(s.paced->lateness(), 0.99) / 1000);
    std::printf("%6u %4u %9.2f %9.2f %7.2f %%  %7.3f ms   %6.3f / %6.3f ms   %s   %s\n", baud, registers, achieved,
                ceiling, 100 * achieved / ceiling, excess_ms, mean(overhead) / 1000, percentile(overhead, 0.99) / 1000,
                late, load.failed || load.wrong ? "FAILED/WRONG POLLS" : "");
    std::fflush(stdout);
}

void dead_meter(const Args& args) {
    RtuBusOptions options;
    options.health.timeouts_before_backoff = 2;
    options.health.backoff_initial = 1s;
    options.health.backoff_max = args.dead_backoff_max;
    Setup s(args.dead_baud, args, {1}, options);  // slave 2 is dead: nobody answers it
    const auto count = static_cast<std::uint16_t>(args.dead_registers);

    // Baseline: the healthy meter alone.
    Saturator healthy(*s.bus, 1, count, args.dead_timeout, !s.sim);
    healthy.start(2);
    run_for(s.io, 1s);
    const auto base_ok = healthy.ok;
    run_for(s.io, 10s);
    const double baseline = double(healthy.ok - base_ok) / 10.0;

    // The dead meter polled once a second (after each result), like a 1 s poll interval.
    asio::steady_timer dead_timer(s.io);
    std::uint64_t dead_results = 0;
    std::function<void()> poll_dead = [&] {
        s.bus->submit(ReadCall{2, {FunctionCode::read_input_registers, 0, count}, args.dead_timeout, "dead",
                               Priority::normal},
                      [&](TransactionResult) {
                          ++dead_results;
                          dead_timer.expires_after(1s);
                          dead_timer.async_wait([&](const boost::system::error_code& ec) {
                              if (!ec) poll_dead();
                          });
                      });
    };
    poll_dead();
    run_for(s.io, args.dead_warmup);

    auto dead_stats = [&] {
        const auto st = s.bus->stats();
        for (const auto& sl : st.slaves)
            if (sl.unit_id == 2) return std::make_pair(st, sl);
        return std::make_pair(st, RtuSlaveStats{});
    };
    const auto [bus0, dead0] = dead_stats();
    const auto ok0 = healthy.ok;
    const auto t0 = SteadyClock::now();
    run_for(s.io, args.dead_window);
    const auto [bus1, dead1] = dead_stats();
    const double window = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    const double lost = std::chrono::duration<double>(dead1.busy_time - dead0.busy_time).count() / window;
    const double with_dead = double(healthy.ok - ok0) / window;
    healthy.running = false;
    dead_timer.cancel();

    std::printf("\ndead meter: %u baud, %u registers, timeout %s, backoff 1s..%s (K = 2), dead polled every 1 s\n",
                args.dead_baud, args.dead_registers, format_duration(args.dead_timeout).c_str(),
                format_duration(args.dead_backoff_max).c_str());
    std::printf("  window %.0f s after %s of warm-up: %llu probes (timeouts), %llu reads skipped while backed off\n",
                window, format_duration(args.dead_warmup).c_str(),
                static_cast<unsigned long long>(dead1.timeouts - dead0.timeouts),
                static_cast<unsigned long long>(dead1.backed_off_skips - dead0.backed_off_skips));
    std::printf("  line time lost to the dead meter   %6.3f %%   (target <= 1 %%; steady-state bound timeout / (max/2) = %.2f %%)\n",
                100 * lost,
                100 * std::chrono::duration<double>(args.dead_timeout).count() /
                    (std::chrono::duration<double>(args.dead_backoff_max).count() / 2));
    std::printf("  healthy meter polls/s              %7.2f with the dead meter, %7.2f alone (%.2f %% fewer)\n",
                with_dead, baseline, 100 * (1 - with_dead / baseline));
    std::printf("  healthy polls failed %llu, wrong values %llu; bus utilisation %.1f %%\n",
                static_cast<unsigned long long>(healthy.failed), static_cast<unsigned long long>(healthy.wrong),
                100 * bus1.utilisation());
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Args args = parse(argc, argv);
        ::prctl(PR_SET_TIMERSLACK, 1UL);
        std::printf("command:");
        for (int i = 0; i < argc; ++i) std::printf(" %s", argv[i]);
        std::printf("\nslave: %s, 8N1, turnaround %s; line: pty pair with the master's bytes paced to the baud\n",
                    args.metersim.empty() ? "bench paced slave" : ("metersim " + args.metersim).c_str(),
                    format_duration(args.turnaround).c_str());
        std::printf("ceiling = 1 / ((13 + 2N) characters + 2 x t3.5 + turnaround); overhead = master's reaction"
                    " after the last reply byte, minus t3.5\n\n");
        std::printf("  baud    N   polls/s   ceiling   ratio     excess/poll   overhead mean/p99   slave late p99\n");
        for (const unsigned baud : args.bauds)
            for (const unsigned n : args.registers) efficiency(args, baud, static_cast<std::uint16_t>(n));
        if (args.dead) dead_meter(args);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rtu_bus_bench: %s\n", e.what());
        return 2;
    }
}
