// DLMS load-profile readout speed: intervals/s that the gateway's ClientSession reads
// from metersim's DLMS meter, over the TCP wrapper or over HDLC on a paced serial line,
// against the wire ceiling the negotiated information field, window and PDU allow
// (bench/dlms_wire_model.hpp). Figures only; never fails on time.
//
// HDLC lines (--line): "relay" (default) is the RTU bench's pty pair with a relay that
// gives the client's bytes their wire time (bench/rtu_line.hpp), metersim paces its own,
// so both directions of the half-duplex line take real time; "pty" is metersim's own pty
// (--dlms-serial-pty), where only the meter's replies are paced.
//
// usage: dlms_profile_bench --transport tcp|hdlc [--baud 9600] [--intervals 2000]
//          [--channels 6] [--max-info 128] [--window 1] [--max-pdu 512] [--client-pdu 65535]
//          [--chunk 96]
//          [--period 1m] [--runs 3] [--line relay|pty] [--metersim PATH]
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dlms_counting_channel.hpp"
#include "dlms_metersim.hpp"
#include "dlms_wire_model.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/dlms/client.hpp"
#include "gridgate/transport/serial_port.hpp"
#include "gridgate/transport/tcp_byte_channel.hpp"
#include "rtu_line.hpp"

using namespace gridgate;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// The simulator's load profile columns after clock and status (sim/src/dlms_server_profile.cpp,
// meter-dlms.md §6.3 worked example): Wh del/rec, varh del/rec, the two status words.
const std::vector<dlms::Obis> meter_channels = {
    dlms::Obis{{1, 0, 1, 29, 0, 255}},   dlms::Obis{{1, 0, 2, 29, 0, 255}},  dlms::Obis{{1, 0, 3, 29, 0, 255}},
    dlms::Obis{{1, 0, 4, 29, 0, 255}},   dlms::Obis{{1, 0, 191, 27, 0, 255}}, dlms::Obis{{1, 0, 192, 27, 0, 255}}};

struct Args {
    bool hdlc = true;
    unsigned baud = 9600;
    std::size_t intervals = 2000;
    std::size_t channels = meter_channels.size();
    unsigned max_info = 128;
    unsigned window = 1;
    unsigned max_pdu = 512;     // the meter's (--dlms-max-pdu)
    unsigned client_pdu = 0xFFFF;  // what the client proposes in the AARQ (max_receive_pdu)
    std::size_t chunk = 96;
    Duration period = 1min;
    unsigned runs = 3;
    bool relay = true;
    std::string metersim;
};

std::string own_dir() {
    char path[4096];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return ".";
    const std::string exe(path, static_cast<std::size_t>(n));
    return exe.substr(0, exe.rfind('/'));
}

Args parse(int argc, char** argv) {
    Args a;
    a.metersim = own_dir() + "/metersim";
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (key == "--help" || key == "-h") {
            std::printf("usage: dlms_profile_bench --transport tcp|hdlc [--baud 9600] [--intervals 2000] [--channels 6]\n"
                        "  [--max-info 128] [--window 1] [--max-pdu 512] [--client-pdu 65535] [--chunk 96]\n"
                        "  [--period 1m] [--runs 3] [--line relay|pty] [--metersim PATH]   (see docs/benchmarks.md)\n");
            std::exit(0);
        }
        if (i + 1 >= argc) throw std::invalid_argument("missing value for " + key);
        const std::string value = argv[++i];
        const auto number = [&] { return static_cast<unsigned>(std::stoul(value)); };
        if (key == "--transport") {
            if (value != "tcp" && value != "hdlc") throw std::invalid_argument("--transport is tcp or hdlc");
            a.hdlc = value == "hdlc";
        } else if (key == "--baud") a.baud = number();
        else if (key == "--intervals") a.intervals = number();
        else if (key == "--channels") a.channels = number();
        else if (key == "--max-info") a.max_info = number();
        else if (key == "--window") a.window = number();
        else if (key == "--max-pdu") a.max_pdu = number();
        else if (key == "--client-pdu") a.client_pdu = number();
        else if (key == "--chunk") a.chunk = number();
        else if (key == "--runs") a.runs = number();
        else if (key == "--metersim") a.metersim = value;
        else if (key == "--period") {
            if (!parse_duration(value, a.period) || a.period < 1s) throw std::invalid_argument("bad --period");
        } else if (key == "--line") {
            if (value != "relay" && value != "pty") throw std::invalid_argument("--line is relay or pty");
            a.relay = value == "relay";
        } else throw std::invalid_argument("unknown option " + key);
    }
    if (a.channels < 1 || a.channels > meter_channels.size()) throw std::invalid_argument("--channels is 1..6");
    if (a.intervals < 1 || a.chunk < 1 || a.runs < 1) throw std::invalid_argument("--intervals, --chunk, --runs >= 1");
    if (a.client_pdu < 12 || a.client_pdu > 0xFFFF) throw std::invalid_argument("--client-pdu is 12..65535");
    return a;
}

Logger& bench_logger() {
    const bool trace = std::getenv("GG_BENCH_TRACE") != nullptr;
    static Logger logger(trace ? LogLevel::debug : LogLevel::warn);
    if (trace) {
        logger.set_trace("dlms1", true);
        logger.set_trace("dlms100", true);
    }
    return logger;
}

// The io thread's CPU time (the client runs there; the relay has a thread of its own).
struct CpuTime {
    double user = 0, system = 0;
};
CpuTime thread_cpu() {
    rusage u{};
    ::getrusage(RUSAGE_THREAD, &u);
    return {double(u.ru_utime.tv_sec) + double(u.ru_utime.tv_usec) / 1e6,
            double(u.ru_stime.tv_sec) + double(u.ru_stime.tv_usec) / 1e6};
}

double seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size())))];
}

std::vector<std::string> metersim_options(const Args& a, const bench::RtuLine* relay) {
    // Enough history for the readout and a little more (the client reads back exactly
    // intervals x period from now).
    const auto history_s = std::chrono::duration_cast<std::chrono::seconds>(a.period).count() *
                           static_cast<long long>(a.intervals + 5);
    std::vector<std::string> o{"--dlms-capture-period", format_duration(a.period), "--dlms-history",
                               std::to_string(history_s) + "s",    "--dlms-profile-entries",
                               std::to_string(std::max<std::size_t>(78624, a.intervals + 100)),
                               "--dlms-max-pdu",        std::to_string(a.max_pdu)};
    if (!a.hdlc) {
        o.insert(o.end(), {"--dlms-meters", "1", "--dlms-base-port", "0"});
        return o;
    }
    if (relay) o.insert(o.end(), {"--dlms-serial", relay->slave_path()});
    else o.push_back("--dlms-serial-pty");
    o.insert(o.end(), {"--dlms-physical-ids", "100", "--baud", std::to_string(a.baud), "--dlms-hdlc-info",
                       std::to_string(a.max_info), "--dlms-hdlc-window", std::to_string(a.window)});
    return o;
}

dlms::ClientOptions client_options(const Args& a, const bench::DlmsEndpoint& ep) {
    dlms::ClientOptions o;
    o.id = ep.meter;
    o.transport = a.hdlc ? dlms::TransportKind::hdlc : dlms::TransportKind::tcp_wrapper;
    // The public client 16 may not read the load profile on the reference meter.
    o.client_sap = 2;
    o.password = "ClientId2";
    o.hdlc.physical_id = a.hdlc ? ep.physical_id : 100;
    o.hdlc.proposal = dlms::HdlcParameters{static_cast<std::uint16_t>(a.max_info),
                                           static_cast<std::uint16_t>(a.max_info), static_cast<std::uint8_t>(a.window),
                                           static_cast<std::uint8_t>(a.window)};
    o.max_receive_pdu = static_cast<std::uint16_t>(a.client_pdu);
    o.register_period = Duration{0};
    o.clock_check_period = Duration{0};
    dlms::ProfileOptions p;
    for (std::size_t c = 0; c < a.channels; ++c)
        p.channels.push_back(dlms::ProfileChannel{meter_channels[c], 2, "ch" + std::to_string(c + 1), "", 1.0});
    p.history = a.period * static_cast<Duration::rep>(a.intervals);
    p.max_entries_per_read = a.chunk;
    o.profiles.push_back(std::move(p));
    return o;
}

// The negotiation the bench expects: the client proposes what metersim was told to offer.
bench::WireModelParams expected_model(const Args& a) {
    return {a.hdlc, meter_channels.size(), std::min(a.max_pdu, a.client_pdu), a.max_info, a.max_info, a.window,
            a.window};
}

struct Snapshot {
    SteadyClock::time_point at{};
    std::uint64_t intervals = 0;
    bench::WireCounters wire;
    CpuTime cpu;
};

struct RunResult {
    bool complete = false;
    Snapshot start, first, last;
    dlms::ClientStats stats;
    double metersim_cpu = 0;
    std::vector<double> reactions_us;  // relay only: the client's turnaround per meter frame
};

RunResult run_once(const Args& a) {
    Logger& logger = bench_logger();
    std::optional<bench::RtuLine> relay;
    if (a.hdlc && a.relay) relay.emplace(std::chrono::nanoseconds(10'000'000'000LL / a.baud));
    bench::DlmsMetersim sim(a.metersim, metersim_options(a, relay ? &*relay : nullptr));
    const bench::DlmsEndpoint ep = sim.endpoint();

    asio::io_context io;
    RunResult r;
    bench::WireCounters wire;
    transport::OwnedLineOptions line_options;
    line_options.name = "bench";
    transport::OwnedLine line(
        io.get_executor(),
        [&](const asio::any_io_executor& strand) -> std::unique_ptr<transport::ByteChannel> {
            if (!a.hdlc)
                return std::make_unique<bench::CountingChannel>(
                    std::make_unique<transport::TcpByteChannel>(
                        strand, transport::TcpChannelOptions{ep.host, ep.port, 3s}, logger),
                    wire);
            transport::SerialPortOptions serial;
            serial.path = relay ? relay->master_path() : ep.device;
            serial.baud = a.baud;
            return std::make_unique<bench::CountingChannel>(
                std::make_unique<transport::SerialPort>(strand, serial, logger), wire);
        },
        line_options, logger);

    std::uint64_t intervals = 0;
    const auto snap = [&] { return Snapshot{SteadyClock::now(), intervals, wire, thread_cpu()}; };
    auto on_readings = [&](dlms::ReadBatch batch, std::function<void(bool)> done) {
        // Each entry gives one reading per mapped channel, all with the interval's end.
        std::optional<TimestampUs> previous;
        for (const Reading& reading : batch.readings) {
            if (previous != reading.ts_us) ++intervals;
            previous = reading.ts_us;
        }
        r.last = snap();
        if (r.first.intervals == 0) {
            r.first = r.last;
            if (relay) relay->reset_measurements();
        }
        done(true);  // no store: this measures the protocol
    };
    auto on_event = [&](dlms::ClientEvent e) {
        if (e.kind == "dlms_association_failed" || e.kind == "dlms_comm_lost")
            std::fprintf(stderr, "  event %s %s\n", e.kind.c_str(), e.detail_json.c_str());
    };
    SystemClock clock;
    dlms::ClientSession session(line, clock, client_options(a, ep), on_readings, on_event, logger);

    // Generous: three times the HDLC ceiling's time plus a minute.
    const auto cost = bench::readout_cost(expected_model(a), a.intervals, a.chunk);
    const double ceiling_s = a.hdlc ? double(cost.total()) * 10.0 / a.baud : 10.0;
    const auto deadline = SteadyClock::now() + std::chrono::seconds(static_cast<long long>(3 * ceiling_s + 60));
    const double sim_cpu0 = sim.cpu_seconds();
    r.start = snap();
    session.start();
    session.request_profile_read();
    while (intervals < a.intervals && SteadyClock::now() < deadline) io.run_one_for(100ms);
    r.complete = intervals >= a.intervals;
    r.metersim_cpu = sim.cpu_seconds() - sim_cpu0;
    r.stats = session.stats();
    if (relay) r.reactions_us = relay->reactions();

    bool stopped = false;
    session.stop([&] { stopped = true; });
    const auto stop_deadline = SteadyClock::now() + 10s;
    while (!stopped && SteadyClock::now() < stop_deadline) io.run_one_for(50ms);
    bool line_stopped = false;
    line.stop([&] { line_stopped = true; });
    while (!line_stopped && SteadyClock::now() < stop_deadline + 5s) io.run_one_for(50ms);
    return r;
}

bench::WireModelParams negotiated_model(const Args& a, const dlms::ClientStats& s) {
    bench::WireModelParams m = expected_model(a);
    // The meter cuts its answers at the smaller of its own PDU and the client's.
    if (s.negotiated_pdu != 0) m.max_pdu = std::min<std::size_t>(s.negotiated_pdu, a.client_pdu);
    if (a.hdlc) {
        m.info_to_client = s.negotiated_hdlc.max_info_rx;
        m.info_to_meter = s.negotiated_hdlc.max_info_tx;
        m.window_to_client = s.negotiated_hdlc.window_rx;
        m.window_to_meter = s.negotiated_hdlc.window_tx;
    }
    return m;
}

void print_run(const Args& a, unsigned index, const RunResult& r) {
    if (!r.complete) {
        std::printf("%3u  INCOMPLETE: %llu of %zu intervals before the deadline; last error: %s\n", index,
                    static_cast<unsigned long long>(r.last.intervals), a.intervals, r.stats.last_error.c_str());
        return;
    }
    const bench::WireModelParams m = negotiated_model(a, r.stats);
    const double total_s = seconds(r.last.at - r.start.at);
    const double overall = double(r.last.intervals) / total_s;
    // The steady window: from the first chunk delivered to the last (the association,
    // the profile's attributes, the clock and the first chunk are before it).
    const auto steady_n = r.last.intervals - r.first.intervals;
    const double steady_s = seconds(r.last.at - r.first.at);
    const auto skip = (r.first.intervals + a.chunk - 1) / a.chunk;
    const auto model = bench::readout_cost(m, r.last.intervals, a.chunk, skip);
    const double per = steady_n > 0 ? 1.0 / double(steady_n) : 0.0;
    const double rx = double(r.last.wire.received - r.first.wire.received) * per;
    const double tx = double(r.last.wire.sent - r.first.wire.sent) * per;
    const double user_us = (r.last.cpu.user - r.start.cpu.user) * 1e6 / double(r.last.intervals);
    const double cpu_us = user_us + (r.last.cpu.system - r.start.cpu.system) * 1e6 / double(r.last.intervals);
    char steady[64] = "      -", ceiling[64] = "      -", eff[32] = "     -";
    if (steady_n > 0) std::snprintf(steady, sizeof steady, "%9.2f", double(steady_n) / steady_s);
    if (a.hdlc && steady_n > 0) {
        const double c = a.baud / 10.0 * double(steady_n) / double(model.total());
        std::snprintf(ceiling, sizeof ceiling, "%9.2f", c);
        std::snprintf(eff, sizeof eff, "%5.1f %%", 100 * double(steady_n) / steady_s / c);
    }
    char reaction[48] = "        -";
    if (!r.reactions_us.empty()) {
        double sum = 0;
        for (const double x : r.reactions_us) sum += x;
        std::snprintf(reaction, sizeof reaction, "%5.2f/%5.2f", sum / double(r.reactions_us.size()) / 1000,
                      percentile(r.reactions_us, 0.99) / 1000);
    }
    std::printf("%3u %6llu %8.2f %9.2f %s %s %s   %6.1f %6.1f   %5.1f %5.1f   %7.1f %6.1f %7.2f   %s\n", index,
                static_cast<unsigned long long>(r.last.intervals), total_s, overall, steady, ceiling, eff, rx,
                double(model.to_client) * per, tx, double(model.to_meter) * per, cpu_us, user_us, r.metersim_cpu,
                reaction);
    const bench::WireModelParams want = expected_model(a);
    if (m.max_pdu != want.max_pdu || m.info_to_client != want.info_to_client || m.window_to_client != want.window_to_client)
        std::printf("     negotiated differently from the request: PDU %zu, info %zu/%zu, window %u/%u\n", m.max_pdu,
                    m.info_to_client, m.info_to_meter, m.window_to_client, m.window_to_meter);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Args a = parse(argc, argv);
        ::prctl(PR_SET_TIMERSLACK, 1UL);
        std::printf("command:");
        for (int i = 0; i < argc; ++i) std::printf(" %s", argv[i]);
        double load[3] = {0, 0, 0};
        ::getloadavg(load, 3);
        std::printf("\nmetersim %s; %s; client 2 (LLS), %zu of %zu channels mapped, %zu intervals of %s in chunks of %zu;"
                    " PDU: meter %u, client %u; load average %.2f\n",
                    a.metersim.c_str(),
                    a.hdlc ? (std::to_string(a.baud) + " baud 8N1, " +
                              (a.relay ? "paced both ways (relay)" : "meter side paced (metersim pty)"))
                                 .c_str()
                           : "TCP wrapper on loopback",
                    a.channels, meter_channels.size(), a.intervals, format_duration(a.period).c_str(), a.chunk,
                    a.max_pdu, a.client_pdu, load[0]);
        std::printf("%s", bench::describe_model(expected_model(a), a.chunk).c_str());
        std::printf("steady = from the first chunk delivered to the last; octets per interval over that window,\n"
                    "measured (model); CPU = the client's io thread from start(), per interval, all and user mode;\n"
                    "sim CPU = metersim's in the run; reaction = from the meter's last octet to the client's next\n"
                    "frame, mean/p99 (relay line only)\n\n");
        std::printf("run  intvl  seconds  overall/s  steady/s ceiling/s  effic.    rx/int (model) tx/int (model)"
                    "  CPU us/int (user) sim CPU s  reaction ms\n");
        std::fflush(stdout);
        for (unsigned i = 1; i <= a.runs; ++i) {
            const RunResult r = run_once(a);
            print_run(a, i, r);
            if (i == 1 && r.complete && a.hdlc)
                std::printf("     negotiated: PDU %u, info tx/rx %u/%u, window tx/rx %u/%u\n", r.stats.negotiated_pdu,
                            r.stats.negotiated_hdlc.max_info_tx, r.stats.negotiated_hdlc.max_info_rx,
                            unsigned{r.stats.negotiated_hdlc.window_tx}, unsigned{r.stats.negotiated_hdlc.window_rx});
            else if (i == 1 && r.complete)
                std::printf("     negotiated: PDU %u\n", r.stats.negotiated_pdu);
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dlms_profile_bench: %s\n", e.what());
        return 2;
    }
}
