// gridgatectl: asks a running gridgated over its control socket and prints the answer.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "files_table.hpp"
#include "time_table.hpp"

using json = nlohmann::json;

namespace {

constexpr const char* default_socket = "/var/lib/gridgate/gridgated.sock";

void usage(std::ostream& out) {
    out << "usage: gridgatectl [--socket PATH] [--json] COMMAND\n"
           "commands:\n"
           "  status                 meters, connections, broker and store state\n"
           "  backlog                per-sink backlog (readings not yet acknowledged)\n"
           "  trace METER on|off     hex trace of one meter's protocol frames in the log\n"
           "  dlms METER read-profile|check-clock|set-clock\n"
           "                         a DLMS meter's profile read, clock check or clock set, now\n"
           "  files [N]              the spool's newest N files (default 50) with their state,\n"
           "                         PQDIF pulls, push inboxes, SFTP sinks, HTTPS notifications\n"
           "  files pull METER       pull a meter's PQDIF files now\n"
           "  time                   the gateway's clock (chrony, steps) and each meter's last\n"
           "                         measured clock offset and last set\n"
           "  time check METER       measure a DNP3 or DLMS meter's clock now\n"
           "  time set METER [force] check now and set if the meter's clock policy allows;\n"
           "                         force lets one step beyond max_step through (still never\n"
           "                         from an unsynced gateway clock, nor inside the guard window)\n"
           "The socket defaults to $GRIDGATE_SOCKET or " << default_socket << ".\n";
}

// Sends one request line and returns the whole answer; throws with a clear reason.
std::string ask(const std::string& path, const std::string& request) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long: " + path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd);
        throw std::runtime_error("cannot reach gridgated at " + path + ": " + std::strerror(err) +
                                 " (is it running? use --socket or GRIDGATE_SOCKET)");
    }
    const std::string line = request + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
        const ssize_t n = ::write(fd, line.data() + sent, line.size() - sent);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("write to " + path + " failed");
        }
        sent += static_cast<std::size_t>(n);
    }
    std::string answer;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        answer.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
}

std::string str(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

std::string human_bytes(double b) {
    static constexpr const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000 && u < 4) {
        b /= 1000;
        ++u;
    }
    std::ostringstream out;
    out << std::fixed << std::setprecision(u == 0 ? 0 : 1) << b << ' ' << units[u];
    return out.str();
}

void print_status(const json& s) {
    std::cout << "gateway " << str(s["gateway"]) << "  time " << str(s["time"]) << "  uptime " << s["uptime_s"]
              << " s\n";
    const auto& m = s["mqtt"];
    std::cout << "broker  " << str(m["broker"]) << (m["tls"].get<bool>() ? " (TLS)" : "") << "  "
              << (m["connected"].get<bool>() ? "connected" : "DISCONNECTED") << "  acked batches "
              << m["batches_acked"] << "  in flight " << m["inflight"] << "  cursor " << m["cursor"];
    if (!str(m["last_error"]).empty()) std::cout << "  last error: " << str(m["last_error"]);
    std::cout << '\n';
    const auto& st = s["store"];
    const auto& b = s["backlog"]["mqtt"];
    std::cout << "store   last seq " << st["last_seq"] << "  pending " << st["pending"] << "  commit failures "
              << st["commit_failures"] << "  backlog " << b["readings"] << " reading(s)";
    if (!str(b["oldest"]).empty()) std::cout << " since " << str(b["oldest"]);
    std::cout << "\n        used " << human_bytes(st["used_bytes"].get<double>());
    if (st["quota_bytes"].get<std::uint64_t>())
        std::cout << " of " << human_bytes(st["quota_bytes"].get<double>()) << " quota (" << str(st["quota_policy"])
                  << ")" << (st["over_quota"].get<bool>() ? " OVER QUOTA" : "");
    if (st["low_priority_suspended"].get<bool>()) std::cout << ", low-priority points suspended";
    std::cout << "  dropped unacked " << st["dropped_unacked"] << "  integrity " << str(st["integrity_check"]);
    if (st["disk_full"].get<bool>()) std::cout << "  DISK FULL";
    if (st["recovered_at_start"].get<bool>()) std::cout << "\n        recovered at start: " << str(st["recovery_reason"])
                                                        << " (moved to " << str(st["moved_aside_to"]) << ")";
    std::cout << "\n\n";
    std::cout << std::left << std::setw(16) << "CONNECTION" << std::setw(24) << "ENDPOINT" << std::setw(6) << "OPEN"
              << std::setw(10) << "REQUESTS" << std::setw(10) << "TIMEOUTS" << std::setw(11) << "EXCEPTIONS"
              << std::setw(10) << "DISCARDED" << "CONNECT-FAILS\n";
    for (const auto& c : s["connections"])
        std::cout << std::setw(16) << str(c["id"]) << std::setw(24) << str(c["endpoint"]) << std::setw(6)
                  << c["open_connections"] << std::setw(10) << c["requests"] << std::setw(10) << c["timeouts"]
                  << std::setw(11) << c["exceptions"] << std::setw(10) << c["discarded_frames"]
                  << c["connect_failures"] << '\n';
    if (!s["buses"].empty()) {
        std::cout << '\n'
                  << std::setw(16) << "RTU LINE" << std::setw(34) << "DEVICE" << std::setw(6) << "UP" << std::setw(8)
                  << "USE" << std::setw(10) << "REQUESTS" << std::setw(10) << "TIMEOUTS" << std::setw(8) << "CRC"
                  << std::setw(11) << "WRONG-ADDR" << "BACKED-OFF SLAVES\n";
        for (const auto& line : s["buses"]) {
            std::string backed;
            for (const auto& sl : line["slaves"])
                if (sl["backed_off"].get<bool>()) backed += (backed.empty() ? "" : ",") + sl["unit_id"].dump();
            std::ostringstream use;
            use << std::fixed << std::setprecision(1) << 100.0 * line["utilisation"].get<double>() << '%';
            std::cout << std::setw(16) << str(line["id"]) << std::setw(34) << str(line["line"]) << std::setw(6)
                      << (line["link_up"].get<bool>() ? "yes" : "NO") << std::setw(8) << use.str() << std::setw(10)
                      << line["transactions"] << std::setw(10) << line["timeouts"] << std::setw(8) << line["crc_errors"]
                      << std::setw(11) << line["wrong_address"] << (backed.empty() ? "-" : backed) << '\n';
        }
    }
    if (s.contains("dnp3") && !s["dnp3"].empty()) {
        std::cout << '\n'
                  << std::setw(16) << "DNP3 METER" << std::setw(16) << "LINK" << std::setw(8) << "ONLINE"
                  << std::setw(8) << "TRANS" << std::setw(10) << "TIMEOUTS" << std::setw(8) << "EVENTS"
                  << std::setw(10) << "CONFIRMS" << std::setw(9) << "WITHHELD" << std::setw(7) << "DUPS"
                  << std::setw(12) << "OFFSET ms" << "LAST TIME SET\n";
        for (const auto& d : s["dnp3"])
            std::cout << std::setw(16) << str(d["id"]) << std::setw(16) << str(d["link"]) << std::setw(8)
                      << (d["online"].get<bool>() ? "yes" : "NO") << std::setw(8) << d["transactions"]
                      << std::setw(10) << d["timeouts"] << std::setw(8) << d["events"] << std::setw(10)
                      << d["confirms_sent"] << std::setw(9) << d["confirms_withheld"] << std::setw(7)
                      << d["duplicates_dropped"] << std::setw(12)
                      << (d["last_offset_ms"].is_null() ? std::string("-") : d["last_offset_ms"].dump())
                      << (str(d["last_time_set"]).empty() ? "-" : str(d["last_time_set"])) << '\n';
    }
    if (s.contains("dlms") && !s["dlms"].empty()) {
        std::cout << '\n'
                  << std::setw(16) << "DLMS METER" << std::setw(16) << "LINK" << std::setw(8) << "ONLINE"
                  << std::setw(10) << "EXCHANGES" << std::setw(10) << "TIMEOUTS" << std::setw(10) << "READINGS"
                  << std::setw(12) << "INTERVALS" << std::setw(10) << "REFILLED" << std::setw(6) << "LOST"
                  << std::setw(12) << "OFFSET ms" << "LAST INTERVAL\n";
        for (const auto& d : s["dlms"]) {
            std::uint64_t intervals = 0, refilled = 0, lost = 0;
            std::string last;
            for (const auto& p : d["profiles"]) {
                intervals += p["intervals"].get<std::uint64_t>();
                refilled += p["refilled"].get<std::uint64_t>();
                lost += p["lost"].get<std::uint64_t>();
                if (str(p["last_interval_end"]) > last) last = str(p["last_interval_end"]);
            }
            std::cout << std::setw(16) << str(d["id"]) << std::setw(16) << str(d["link"]) << std::setw(8)
                      << (d["online"].get<bool>() ? "yes" : "NO") << std::setw(10) << d["exchanges"]
                      << std::setw(10) << d["timeouts"] << std::setw(10) << d["readings"] << std::setw(12)
                      << intervals << std::setw(10) << refilled << std::setw(6) << lost << std::setw(12)
                      << (d["last_offset_ms"].is_null() ? std::string("-") : d["last_offset_ms"].dump())
                      << (last.empty() ? "-" : last) << '\n';
            if (!str(d["last_error"]).empty()) std::cout << "        last error: " << str(d["last_error"]) << '\n';
        }
    }
    std::cout << '\n'
              << std::setw(16) << "METER" << std::setw(28) << "LAST POLL" << std::setw(8) << "POLLS" << std::setw(8)
              << "FAILED" << std::setw(10) << "READINGS" << std::setw(9) << "OVERRUNS" << "LAST RESULT\n";
    for (const auto& me : s["meters"])
        std::cout << std::setw(16) << str(me["id"]) << std::setw(28)
                  << (str(me["last_poll"]).empty() ? "-" : str(me["last_poll"])) << std::setw(8) << me["polls"]
                  << std::setw(8) << me["polls_failed"] << std::setw(10) << me["readings"] << std::setw(9)
                  << me["overruns"] << str(me["last_result"]) << '\n';
}

void print_backlog(const json& b) {
    std::cout << std::left << std::setw(8) << "SINK" << std::setw(12) << "READINGS" << std::setw(12) << "~BYTES"
              << std::setw(30) << "OLDEST UNACKED" << std::setw(22) << "DRAIN RATE" << "CURSOR / LAST SEQ\n";
    for (const auto& [sink, v] : b.items()) {
        std::ostringstream rate;
        rate << std::fixed << std::setprecision(0) << v["drain_readings_per_s"].get<double>() << "/s, "
             << human_bytes(v["drain_bytes_per_s"].get<double>()) << "/s";
        std::cout << std::setw(8) << sink << std::setw(12) << v["readings"] << std::setw(12)
                  << human_bytes(v["estimated_bytes"].get<double>()) << std::setw(30)
                  << (str(v["oldest"]).empty() ? "-" : str(v["oldest"])) << std::setw(22) << rate.str()
                  << v["cursor"] << " / " << v["last_seq"] << '\n';
        if (v["live_lane_active"].get<bool>())
            std::cout << "        live lane open: readings after seq " << v["live_start"]
                      << " go first, acknowledged up to " << v["live_cursor"] << '\n';
        const auto& r = v["rate_limit"];
        if (r["max_messages_per_s"].get<std::uint64_t>() || r["max_bytes_per_s"].get<std::uint64_t>())
            std::cout << "        rate limit: " << r["max_messages_per_s"] << " messages/s, "
                      << human_bytes(r["max_bytes_per_s"].get<double>()) << "/s (0 = unlimited)\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string socket_path = std::getenv("GRIDGATE_SOCKET") ? std::getenv("GRIDGATE_SOCKET") : default_socket;
    bool raw = false;
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--socket" && i + 1 < argc) socket_path = argv[++i];
        else if (a == "--json") raw = true;
        else if (a == "-h" || a == "--help") {
            usage(std::cout);
            return 0;
        } else if (a == "--version") {
            std::cout << "gridgatectl " GRIDGATE_VERSION "\n";
            return 0;
        } else words.push_back(a);
    }
    if (words.empty()) {
        usage(std::cerr);
        return 2;
    }
    std::string request;
    for (const auto& w : words) request += (request.empty() ? "" : " ") + w;
    try {
        const std::string answer = ask(socket_path, request);
        const json j = json::parse(answer);
        if (j.contains("error")) {
            std::cerr << "gridgatectl: " << str(j["error"]) << '\n';
            return 1;
        }
        if (raw) std::cout << j.dump(2) << '\n';
        else if (words[0] == "status") print_status(j);
        else if (words[0] == "backlog") print_backlog(j);
        else if (words[0] == "files" && (words.size() < 2 || words[1] != "pull")) gridgate::tools::print_files(j);
        else if (words[0] == "time" && words.size() == 1) gridgate::tools::print_time(j);
        else std::cout << j.dump() << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "gridgatectl: " << e.what() << '\n';
        return 1;
    }
}
