#include "gridgate/gateway/gateway.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config_mapping.hpp"
#include "control_server.hpp"
#include "files_service.hpp"
#include "dlms_meter.hpp"
#include "dnp3_meter.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/modbus/rtu_bus.hpp"
#include "gridgate/modbus/tcp_client.hpp"
#include "gridgate/northbound/mqtt_forwarder.hpp"
#include "gridgate/store/background_check.hpp"
#include "gridgate/store/group_committer.hpp"
#include "gridgate/store/open_or_recover.hpp"
#include "gridgate/store/reading_log.hpp"
#include "gridgate/transport/line_access.hpp"
#include "gridgate/transport/tcp_byte_channel.hpp"
#include "clock_watch.hpp"
#include "gateway_time_quality.hpp"
#include "gridgate/time/time_monitor.hpp"
#include "meter_task.hpp"
#include "time_quality_sink.hpp"

namespace gridgate::gateway {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {
std::string read_secret(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::string secret;
    std::getline(in, secret);
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
    return secret;
}

std::string iso_or_null(TimestampUs ts) { return ts == 0 ? std::string() : format_iso8601_utc(ts); }
}  // namespace

struct Gateway::Impl {
    Impl(GatewayConfig c, Logger& l) : config(std::move(c)), logger(l), signals(io, SIGINT, SIGTERM), status_timer(io) {}

    void open();
    void start();
    void shutdown();
    void schedule_status();
    void schedule_clock_watch();
    void start_time_monitor();
    void on_time_transition(const timesync::GatewayTimeStatus& before, const timesync::GatewayTimeStatus& after);
    meterclock::GatewayTimeQuality gateway_time_quality() const;
    json time_status() const;
    json time_report() const;
    void seed_dnp3_dedup();
    json dnp3_status() const;
    json status() const;
    json backlog() const;

    GatewayConfig config;
    Logger& logger;
    SystemClock clock;
    asio::io_context io{1};
    asio::signal_set signals;
    asio::steady_timer status_timer;
    SteadyTime started_at{};

    std::unique_ptr<store::ReadingLog> log;
    store::OpenReport open_report;
    std::unique_ptr<store::BackgroundCheck> integrity;
    std::unique_ptr<northbound::MqttForwarder> mqtt;
    SharedDedup dnp3_dedup;  // before the committer: a commit finishing at its destruction still uses it
    std::unique_ptr<store::GroupCommitter> committer;
    // The gateway's time: steps of the wall clock, and the quality flags every reading
    // gets on its way to the committer (sink declared after it: destroyed first).
    ClockWatch clock_watch{clock};
    asio::steady_timer clock_timer{io};
    std::atomic<std::uint32_t> time_flags{0};
    std::unique_ptr<TimeQualitySink> quality_sink;
    std::unique_ptr<timesync::TimeMonitor> time_monitor;  // null with time.source: none
    std::map<std::string, std::unique_ptr<modbus::TcpClient>> clients;  // Modbus TCP connections
    std::map<std::string, std::unique_ptr<modbus::RtuBus>> buses;       // serial lines and RTU over TCP
    std::map<std::string, std::unique_ptr<transport::OwnedLine>> dnp3_lines;  // DNP3 TCP connections
    std::map<std::string, std::unique_ptr<transport::OwnedLine>> dlms_lines;  // DLMS TCP connections (one meter each)
    std::vector<std::shared_ptr<MeterTask>> tasks;
    std::vector<std::unique_ptr<Dnp3Meter>> dnp3_meters;
    std::vector<std::unique_ptr<DlmsMeter>> dlms_meters;
    std::unique_ptr<FilesService> files;
    std::unique_ptr<ControlServer> control;
    std::atomic<bool> suspend_low{false};  // stop_low_priority quota policy in force
    bool shutting_down = false;
};

void Gateway::Impl::open() {
    std::filesystem::create_directories(config.data_dir);
    store::ReadingLogOptions store_options;
    store_options.path = (std::filesystem::path(config.data_dir) / "gridgate.db").string();
    store_options.sync = config.store.sync == "normal" ? store::SyncMode::normal : store::SyncMode::full;
    auto opened = store::open_or_recover(store_options, logger, clock);
    log = std::move(opened.log);
    open_report = std::move(opened.report);
    if (open_report.recovered)
        logger.error("store", "the database failed its open-time check (" + open_report.reason + "); moved aside to " +
                                  open_report.moved_to + " and started a fresh store");
    logger.info("store", "opened " + store_options.path + " in " + format_duration(open_report.open_time) +
                             ", last seq " + std::to_string(log->last_seq()));

    const std::string password = config.mqtt.password_file.empty() ? std::string() : read_secret(config.mqtt.password_file);
    mqtt = std::make_unique<northbound::MqttForwarder>(to_mqtt_options(config, password), *log, *log, clock, logger);
    files = std::make_unique<FilesService>(config, store_options.path, *log, [this] { mqtt->notify_new_events(); },
                                           clock, logger);

    store::GroupCommitOptions commit_options;
    commit_options.interval = config.store.commit_interval;
    commit_options.max_batch = config.store.commit_max_readings;
    commit_options.quota.max_bytes = config.store.quota_bytes;
    commit_options.quota.max_age = config.store.max_age;
    const bool stop_low = config.store.quota_policy == "stop_low_priority";
    commit_options.quota.policy = stop_low ? store::QuotaPolicy::stop_low_priority : store::QuotaPolicy::drop_oldest;
    commit_options.sinks = {"mqtt"};
    commit_options.max_pending_readings = config.store.max_pending_readings;
    commit_options.clock = &clock;
    const std::uint64_t resume_below = config.store.quota_bytes / 10 * 9;
    commit_options.on_quota = [this, stop_low, resume_below](const store::QuotaReport& r) {
        // Hysteresis: low points stay suspended until the store is back under 90 % of the
        // quota (acknowledged readings pruned), and a drop at the hard limit keeps them
        // suspended even though it leaves the store just under the quota.
        const bool was = suspend_low.load();
        const bool suspend = stop_low && (r.over_quota || r.dropped_unacked_now > 0 ||
                                          (was && r.used_bytes > resume_below));
        if (suspend_low.exchange(suspend) != suspend)
            logger.warn("store", suspend ? "over the store quota: polling of low-priority points suspended"
                                         : "back under the store quota: polling of low-priority points resumed");
    };
    committer = std::make_unique<store::GroupCommitter>(*log, commit_options, logger,
                                                        [this](store::SeqRange) { mqtt->notify_new_data(); });
    quality_sink = std::make_unique<TimeQualitySink>(*committer, time_flags);
    if (config.time.source == "chrony") {
        // Until chronyd has vouched for the clock, readings are flagged time_unsynced.
        time_flags = quality::time_unsynced;
        timesync::TimeSourceConfig time_config;
        time_config.chrony = timesync::ChronyEndpoint::parse(config.time.chrony);
        time_config.poll_interval = config.time.poll_interval;
        time_config.max_error = config.time.max_error;
        time_config.holdover = config.time.holdover;
        time_config.min_update_age = config.time.sources_lost_after;
        time_monitor = std::make_unique<timesync::TimeMonitor>(
            time_config, clock, [this](const timesync::GatewayTimeStatus& before, const timesync::GatewayTimeStatus& after) {
                on_time_transition(before, after);
            });
    }

    for (const auto& c : config.connections) {
        if (c.protocol == "dnp3_tcp" || c.protocol == "dlms_tcp") {
            transport::TcpChannelOptions tcp;
            tcp.host = c.host;
            tcp.port = c.port;
            tcp.connect_timeout = c.connect_timeout;
            transport::OwnedLineOptions line_options;
            line_options.name = c.id;
            line_options.reopen_max = c.reconnect_max;
            auto& owned = c.protocol == "dnp3_tcp" ? dnp3_lines : dlms_lines;
            owned.emplace(c.id, std::make_unique<transport::OwnedLine>(
                                         io.get_executor(),
                                         [this, tcp](const asio::any_io_executor& strand) {
                                             return std::make_unique<transport::TcpByteChannel>(strand, tcp, logger);
                                         },
                                         line_options, logger));
        } else if (c.protocol == "modbus_rtu_over_tcp")
            buses.emplace(c.id, modbus::make_tcp_rtu_bus(io.get_executor(), to_channel_options(c), to_bus_options(c),
                                                         logger));
        else
            clients.emplace(c.id, std::make_unique<modbus::TcpClient>(io.get_executor(), to_client_options(c), logger));
    }
    for (const auto& b : config.buses)
        buses.emplace(b.id, modbus::make_serial_rtu_bus(io.get_executor(), to_serial_options(b), to_bus_options(b), logger));

    seed_dnp3_dedup();
    for (const auto& m : config.meters) {
        if (!m.enabled) continue;
        if (m.trace) logger.set_trace(m.id, true);
        const std::string& link = m.bus.empty() ? m.connection : m.bus;
        if (m.protocol == "dlms") {
            const bool on_bus = !m.bus.empty();
            transport::LineAccess& line = on_bus ? static_cast<transport::LineAccess&>(*buses.at(link))
                                                 : static_cast<transport::LineAccess&>(*dlms_lines.at(link));
            // Each profile resumes after the newest interval the store holds (gap refill).
            std::map<std::string, std::optional<TimestampUs>> ends;
            for (const auto& p : m.dlms_profiles) ends[p.name] = log->latest_ts(m.id, profile_points(p));
            dlms_meters.push_back(std::make_unique<DlmsMeter>(line, clock, m, on_bus, ends, *quality_sink, *log,
                                                              [this] { mqtt->notify_new_events(); }, logger, [this] { return gateway_time_quality(); }));
            continue;
        }
        if (m.protocol == "dnp3") {
            const bool on_bus = !m.bus.empty();
            transport::LineAccess& line = on_bus ? static_cast<transport::LineAccess&>(*buses.at(link))
                                                 : static_cast<transport::LineAccess&>(*dnp3_lines.at(link));
            dnp3_meters.push_back(std::make_unique<Dnp3Meter>(line, clock, m, on_bus, *quality_sink, *log,
                                                              [this] { mqtt->notify_new_events(); }, dnp3_dedup,
                                                              logger, [this] { return gateway_time_quality(); }));
            continue;
        }
        modbus::ModbusClient& client = clients.count(link) ? static_cast<modbus::ModbusClient&>(*clients.at(link))
                                                           : static_cast<modbus::ModbusClient&>(*buses.at(link));
        std::vector<std::unique_ptr<modbus::MeterPoller>> pollers;
        std::size_t low = std::string::npos;
        for (const auto& group : priority_groups(m)) {
            if (group.priority == PointPriority::low) low = pollers.size();
            pollers.push_back(std::make_unique<modbus::MeterPoller>(client, clock, group.options, group.points));
        }
        tasks.push_back(std::make_shared<MeterTask>(io.get_executor(), std::move(pollers), low, link,
                                                    m.poll_interval, jitter_offset(m.id, m.poll_jitter), clock,
                                                    *quality_sink, suspend_low, logger));
    }

    control = std::make_unique<ControlServer>(io, config.control_socket, [this](const std::string& request) {
        // Requests arrive on the io thread; answer from thread-safe snapshots.
        std::istringstream words(request);
        std::string command, meter, state;
        words >> command >> meter >> state;
        if (command == "status") return status().dump();
        if (command == "backlog") return backlog().dump();
        if (command == "trace") {
            const bool known =
                std::any_of(tasks.begin(), tasks.end(), [&](const auto& t) { return t->id() == meter; }) ||
                std::any_of(dnp3_meters.begin(), dnp3_meters.end(), [&](const auto& d) { return d->id() == meter; }) ||
                std::any_of(dlms_meters.begin(), dlms_meters.end(), [&](const auto& d) { return d->id() == meter; });
            if (!known || (state != "on" && state != "off"))
                return json{{"error", "usage: trace <meter> on|off (meter must be configured)"}}.dump();
            logger.set_trace(meter, state == "on");
            return json{{"ok", true}, {"meter", meter}, {"trace", state == "on"}}.dump();
        }
        if (command == "files") {
            // files [N] | files pull <meter>
            if (meter == "pull") {
                if (!files->pull_now(state))
                    return json{{"error", "usage: files pull <meter> (a meter with a pqdif pull)"}}.dump();
                return json{{"ok", true}, {"meter", state}, {"requested", "pull"}}.dump();
            }
            std::size_t max_files = 50;
            if (!meter.empty()) {
                try {
                    max_files = static_cast<std::size_t>(std::stoul(meter));
                } catch (const std::exception&) {
                    return json{{"error", "usage: files [max files] | files pull <meter>"}}.dump();
                }
            }
            return files->status(max_files).dump();
        }
        if (command == "time") {
            // time | time check <meter> | time set <meter> [force]
            if (meter.empty()) return time_report().dump();
            std::string force;
            words >> force;
            const std::string& target = state;
            const bool set = meter == "set";
            if ((meter != "check" && !set) || target.empty() || (!force.empty() && (!set || force != "force")))
                return json{{"error", "usage: time | time check <meter> | time set <meter> [force]"}}.dump();
            const bool forced = force == "force";
            for (auto& d : dnp3_meters)
                if (d->id() == target) {
                    if (set) d->request_clock_set(forced);
                    else d->request_clock_check();
                    return json{{"ok", true}, {"meter", target}, {"requested", set ? "set" : "check"}, {"force", forced}}.dump();
                }
            for (auto& d : dlms_meters)
                if (d->id() == target) {
                    if (set) d->request_clock_set(forced);
                    else d->request_clock_check();
                    return json{{"ok", true}, {"meter", target}, {"requested", set ? "set" : "check"}, {"force", forced}}.dump();
                }
            return json{{"error", "time " + meter + ": " + target + " is not a DNP3 or DLMS meter"}}.dump();
        }
        if (command == "dlms") {
            // dlms <meter> read-profile | check-clock | set-clock: now rather than on schedule.
            const auto it = std::find_if(dlms_meters.begin(), dlms_meters.end(),
                                         [&](const auto& d) { return d->id() == meter; });
            if (it == dlms_meters.end() || (state != "read-profile" && state != "check-clock" && state != "set-clock"))
                return json{{"error", "usage: dlms <meter> read-profile|check-clock|set-clock (a DLMS meter)"}}.dump();
            if (state == "read-profile") (*it)->request_profile_read();
            else if (state == "check-clock") (*it)->request_clock_check();
            else (*it)->request_clock_set();
            return json{{"ok", true}, {"meter", meter}, {"requested", state}}.dump();
        }
        return json{{"error", "unknown request '" + request +
                                  "'; expected status, backlog, trace <meter> on|off, dlms <meter> "
                                  "read-profile|check-clock|set-clock, files [N], files pull <meter>, time, time check <meter> or "
                                  "time set <meter> [force]"}}.dump();
    }, logger);
    control->start();
}

void Gateway::Impl::start() {
    started_at = clock.steady_now();
    if (time_monitor) time_monitor->start();
    else logger.warn("time", "time.source is none: the gateway's clock is not checked and readings are never flagged time_unsynced");
    mqtt->start();
    files->start();
    for (auto& t : tasks) t->start();
    for (auto& d : dnp3_meters) d->start();
    for (auto& d : dlms_meters) d->start();
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        logger.info("gateway", std::string("received ") + (signo == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
        shutdown();
    });
    schedule_status();
    schedule_clock_watch();
    integrity = std::make_unique<store::BackgroundCheck>(*log, logger);
    logger.info("gateway", "gateway " + config.id + " running: " + std::to_string(tasks.size() + dnp3_meters.size() + dlms_meters.size()) +
                               " meter(s) on " +
                               std::to_string(clients.size()) + " TCP connection(s) and " + std::to_string(buses.size()) +
                               " RTU line(s), control socket " + config.control_socket);
}

void Gateway::Impl::schedule_status() {
    status_timer.expires_after(config.status_interval);
    status_timer.async_wait([this](const boost::system::error_code& ec) {
        if (ec || shutting_down) return;
        json s = status();
        int ok = 0, failing = 0;
        for (const auto& m : s["meters"]) ++(m["last_result"] == "ok" ? ok : failing);
        for (const auto& d : s["dnp3"]) ++(d["online"].get<bool>() ? ok : failing);
        for (const auto& d : s["dlms"]) ++(d["online"].get<bool>() ? ok : failing);
        json lines = json::array();
        for (const auto& b : s["buses"])
            lines.push_back({{"id", b["id"]},
                             {"link_up", b["link_up"]},
                             {"utilisation", b["utilisation"]},
                             {"transactions", b["transactions"]},
                             {"timeouts", b["timeouts"]},
                             {"crc_errors", b["crc_errors"]}});
        const json details{{"meters_ok", ok},
                           {"meters_failing", failing},
                           {"backlog", s["backlog"]["mqtt"]["readings"]},
                           {"last_seq", s["store"]["last_seq"]},
                           {"disk_full", s["store"]["disk_full"]},
                           {"over_quota", s["store"]["over_quota"]},
                           {"dropped_unacked", s["store"]["dropped_unacked"]},
                           {"buses", lines}};
        mqtt->publish_status_details(details.dump());
        schedule_status();
    });
}

void Gateway::Impl::schedule_clock_watch() {
    clock_timer.expires_after(std::chrono::seconds(1));
    clock_timer.async_wait([this](const boost::system::error_code& ec) {
        if (ec || shutting_down) return;
        if (const auto step = clock_watch.sample()) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(step->step).count();
            // Whole seconds for big steps, milliseconds below a minute: the rest is sampling noise.
            const Duration size = step->step >= Duration::zero() ? step->step : -step->step;
            const Duration shown = size >= std::chrono::minutes(1)
                                       ? Duration(std::chrono::round<std::chrono::seconds>(size))
                                       : Duration(std::chrono::round<std::chrono::milliseconds>(size));
            logger.warn("time", "the wall clock stepped " + std::string(ms >= 0 ? "forwards " : "backwards ") +
                                    format_duration(shown) +
                                    " (from " + format_iso8601_utc(step->wall_before) + " to " +
                                    format_iso8601_utc(step->wall_after) +
                                    "); polls realign, readings taken across it are flagged clock_step");
            try {
                log->record_event("gateway_clock_step", json{{"step_ms", ms},
                                                             {"wall_before", format_iso8601_utc(step->wall_before)},
                                                             {"wall_after", format_iso8601_utc(step->wall_after)}}
                                                            .dump());
                mqtt->notify_new_events();
            } catch (const std::exception& e) {
                logger.error("time", std::string("cannot record the clock step: ") + e.what());
            }
        }
        schedule_clock_watch();
    });
}

void Gateway::Impl::on_time_transition(const timesync::GatewayTimeStatus& before,
                                       const timesync::GatewayTimeStatus& after) {
    // On the monitor's thread. The flags first: readings from now on carry the new level.
    time_flags = timesync::quality_flags(after.level);
    const std::string kind = after.level == timesync::TimeQuality::synced     ? "time_source_ok"
                             : after.level == timesync::TimeQuality::holdover ? "time_source_holdover"
                                                                              : "time_source_lost";
    const std::string text = std::string("gateway clock ") + std::string(timesync::to_string(before.level)) + " -> " +
                             std::string(timesync::to_string(after.level)) +
                             (after.source.empty() ? std::string() : " (reference " + after.source + ")") + ": " +
                             after.reason;
    if (after.level == timesync::TimeQuality::synced) logger.info("time", text);
    else logger.warn("time", text);
    try {
        json detail{{"from", timesync::to_string(before.level)},
                    {"to", timesync::to_string(after.level)},
                    {"reference", after.source},
                    {"stratum", after.stratum},
                    {"offset_ms", after.offset_s * 1000.0},
                    {"root_distance_ms", after.root_distance_s * 1000.0},
                    {"chronyd_answering", after.chronyd_answering},
                    {"reason", after.reason}};
        if (after.since_update_s) detail["since_update_s"] = *after.since_update_s;
        log->record_event(kind, detail.dump());
        mqtt->notify_new_events();
    } catch (const std::exception& e) {
        logger.error("time", "cannot record " + kind + ": " + e.what());
    }
}

// `gridgatectl time`: the gateway's clock and, per meter whose clock the gateway checks,
// the last measured offset and the last set (from the meters' own status documents).
json Gateway::Impl::time_report() const {
    json meters = json::array();
    const auto add = [&meters](const json& d, const char* protocol) {
        json m{{"id", d.value("id", "")}, {"protocol", protocol}};
        for (const char* key : {"online", "last_offset_ms", "last_offset_at", "last_time_set", "time_sets", "clock"})
            if (d.contains(key)) m[key] = d[key];
        meters.push_back(std::move(m));
    };
    for (const auto& d : dnp3_meters) add(d->status_json(), "dnp3");
    for (const auto& d : dlms_meters) add(d->status_json(), "dlms");
    return json{{"gateway", time_status()}, {"meters", std::move(meters)}};
}

meterclock::GatewayTimeQuality Gateway::Impl::gateway_time_quality() const {
    if (!time_monitor) return meterclock::GatewayTimeQuality::synced;  // time.source: none
    switch (time_monitor->status().level) {
        case timesync::TimeQuality::synced: return meterclock::GatewayTimeQuality::synced;
        case timesync::TimeQuality::holdover: return meterclock::GatewayTimeQuality::holdover;
        case timesync::TimeQuality::unsynced: break;
    }
    return meterclock::GatewayTimeQuality::unsynced;
}

json Gateway::Impl::time_status() const {
    json t{{"now", format_iso8601_utc(clock.now_utc_us())}, {"clock_steps", clock_watch.epoch()}};
    t["source"] = config.time.source;
    if (time_monitor) {
        const auto st = time_monitor->status();
        t["quality"] = timesync::to_string(st.level);
        t["chrony"] = config.time.chrony;
        t["chronyd_answering"] = st.chronyd_answering;
        t["reference"] = st.source;
        t["stratum"] = st.stratum;
        t["offset_ms"] = st.offset_s * 1000.0;
        t["root_distance_ms"] = st.root_distance_s * 1000.0;
        t["since_update_s"] = st.since_update_s ? json(*st.since_update_s) : json(nullptr);
        t["reason"] = st.reason;
    } else {
        t["quality"] = "unchecked";
    }
    if (const auto step = clock_watch.last_step())
        t["last_step"] = {{"step_ms", std::chrono::duration_cast<std::chrono::milliseconds>(step->step).count()},
                          {"wall_before", format_iso8601_utc(step->wall_before)},
                          {"wall_after", format_iso8601_utc(step->wall_after)}};
    t["reading_flags"] = quality_names(time_flags.load());
    return t;
}

void Gateway::Impl::shutdown() {
    if (shutting_down) return;
    shutting_down = true;
    status_timer.cancel();
    clock_timer.cancel();
    if (time_monitor) time_monitor->stop();
    control->stop();
    // Files first: uploads and downloads stop between chunks (resumed at the next start),
    // the receiver stops taking notifications.
    files->stop();
    // 1. Meters: no new polls; the in-flight one finishes and submits its readings.
    auto remaining = std::make_shared<std::size_t>(tasks.size());
    auto after_meters = [this] {
        // 2. Connections and lines: close sockets and ports.
        auto clients_left =
            std::make_shared<std::size_t>(clients.size() + buses.size() + dnp3_lines.size() + dlms_lines.size());
        auto after_clients = [this] {
            // 3. Commit everything polled, 4. let the broker acknowledge what it can.
            // Bounded: with the disk full, what cannot be committed is reported, not waited for.
            if (!committer->flush_for(std::chrono::seconds(5)))
                logger.error("store", std::to_string(committer->stats().pending) +
                                          " reading(s) could not be committed before shutdown");
            mqtt->notify_new_data();
            mqtt->notify_new_events();
            mqtt->stop();
            logger.info("gateway", "stopped cleanly at seq " + std::to_string(log->last_seq()));
            io.stop();
        };
        if (*clients_left == 0) return after_clients();
        auto one_stopped = [this, clients_left, after_clients] {
            asio::post(io, [clients_left, after_clients] {
                if (--*clients_left == 0) after_clients();
            });
        };
        for (auto& [id, client] : clients) client->stop(one_stopped);
        for (auto& [id, bus] : buses) bus->stop(one_stopped);
        for (auto& [id, line] : dnp3_lines) line->stop(one_stopped);
        for (auto& [id, line] : dlms_lines) line->stop(one_stopped);
    };
    *remaining += dnp3_meters.size() + dlms_meters.size();
    if (*remaining == 0) return after_meters();
    auto one_meter_stopped = [this, remaining, after_meters] {
        asio::post(io, [remaining, after_meters] {
            if (--*remaining == 0) after_meters();
        });
    };
    for (auto& t : tasks) t->stop(one_meter_stopped);
    for (auto& d : dnp3_meters) d->stop(one_meter_stopped);
    for (auto& d : dlms_meters) d->stop(one_meter_stopped);
}

json Gateway::Impl::status() const {
    json s;
    s["gateway"] = config.id;
    s["time"] = format_iso8601_utc(clock.now_utc_us());
    s["uptime_s"] = std::chrono::duration_cast<std::chrono::seconds>(clock.steady_now() - started_at).count();
    const auto m = mqtt->stats();
    s["mqtt"] = {{"broker", config.mqtt.host + ":" + std::to_string(config.mqtt.port)},
                 {"tls", config.mqtt.tls.enabled},
                 {"connected", m.connected},
                 {"connects", m.connects},
                 {"connection_losses", m.connection_losses},
                 {"batches_published", m.batches_published},
                 {"batches_acked", m.batches_acked},
                 {"readings_acked", m.readings_acked},
                 {"resent_batches", m.resent_batches},
                 {"rate_limit_waits", m.rate_limit_waits},
                 {"live_lanes_opened", m.live_lanes_opened},
                 {"inflight", m.inflight},
                 {"cursor", m.cursor},
                 {"last_error", m.last_error}};
    const auto c = committer->stats();
    const auto check = integrity ? integrity->status() : store::BackgroundCheck::Status{};
    s["store"] = {{"last_seq", log->last_seq()},
                  {"first_seq", c.quota.first_seq},
                  {"commits", c.commits},
                  {"readings_committed", c.readings},
                  {"commit_failures", c.failures},
                  {"pending", c.pending},
                  {"disk_full", c.disk_full},
                  {"disk_full_episodes", c.disk_full_episodes},
                  {"dropped_pending", c.dropped_pending},
                  {"used_bytes", c.quota.used_bytes},
                  {"quota_bytes", config.store.quota_bytes},
                  {"quota_policy", config.store.quota_policy},
                  {"over_quota", c.quota.over_quota},
                  {"low_priority_suspended", suspend_low.load()},
                  {"pruned_acked", c.quota.pruned_acked},
                  {"dropped_unacked", c.quota.dropped_unacked},
                  {"quota_failures", c.quota_failures},
                  {"recovered_at_start", open_report.recovered},
                  {"moved_aside_to", open_report.moved_to},
                  {"recovery_reason", open_report.reason},
                  {"integrity_check", std::string(store::to_string(check.state))},
                  {"integrity_problems", check.problems},
                  {"audit_events", log->audit_counts()}};
    s["backlog"] = backlog();
    json conns = json::array();
    for (const auto& [id, client] : clients) {
        const auto st = client->stats();
        const auto& o = client->options();
        conns.push_back({{"id", id},
                         {"endpoint", o.host + ":" + std::to_string(o.port)},
                         {"open_connections", st.open_connections},
                         {"requests", st.requests},
                         {"responses", st.responses},
                         {"exceptions", st.exceptions},
                         {"timeouts", st.timeouts},
                         {"discarded_frames", st.discarded_frames},
                         {"connects", st.connects},
                         {"connect_failures", st.connect_failures},
                         {"disconnects", st.disconnects}});
    }
    s["connections"] = conns;
    json dnp3_conns = json::array();
    for (const auto& [id, line] : dnp3_lines) {
        const auto st = line->stats();
        dnp3_conns.push_back({{"id", id},
                         {"endpoint", line->line_description()},
                         {"open", st.open},
                         {"opens", st.opens},
                         {"open_failures", st.open_failures},
                         {"transactions", st.grants},
                         {"failures", st.failures_reported},
                         {"queued", st.queued}});
    }
    s["dnp3_connections"] = dnp3_conns;
    json dlms_conns = json::array();
    for (const auto& [id, line] : dlms_lines) {
        const auto st = line->stats();
        dlms_conns.push_back({{"id", id},
                              {"endpoint", line->line_description()},
                              {"open", st.open},
                              {"opens", st.opens},
                              {"open_failures", st.open_failures},
                              {"exchanges", st.grants},
                              {"failures", st.failures_reported}});
    }
    s["dlms_connections"] = dlms_conns;
    json lines = json::array();
    for (const auto& [id, bus] : buses) {
        const auto st = bus->stats();
        json slaves = json::array();
        for (const auto& sl : st.slaves)
            slaves.push_back({{"unit_id", sl.unit_id},
                              {"transactions", sl.transactions},
                              {"replies", sl.replies},
                              {"timeouts", sl.timeouts},
                              {"consecutive_timeouts", sl.consecutive_timeouts},
                              {"backed_off", sl.backed_off},
                              {"backoff_remaining_ms",
                               std::chrono::duration_cast<std::chrono::milliseconds>(sl.backoff_remaining).count()},
                              {"backed_off_skips", sl.backed_off_skips}});
        lines.push_back({{"id", id},
                         {"line", bus->description()},
                         {"link_up", st.link_up},
                         {"transactions", st.transactions},
                         {"leases", st.leases},
                         {"replies", st.replies},
                         {"exceptions", st.exceptions},
                         {"timeouts", st.timeouts},
                         {"crc_errors", st.crc_errors},
                         {"wrong_address", st.wrong_address},
                         {"garbage_bytes", st.garbage_bytes},
                         {"backed_off_skips", st.backed_off_skips},
                         {"queued", st.queued},
                         {"utilisation", st.utilisation()},
                         {"link_failures", st.link_failures},
                         {"slaves", slaves}});
    }
    s["buses"] = lines;
    json meters = json::array();
    for (const auto& t : tasks) {
        const auto st = t->status();
        meters.push_back({{"id", st.id},
                          {"connection", st.connection},
                          {"last_result", st.last_result},
                          {"last_poll", iso_or_null(st.last_poll_ts)},
                          {"next_poll", iso_or_null(st.next_poll_ts)},
                          {"last_duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(st.last_duration).count()},
                          {"polls", st.polls},
                          {"polls_ok", st.polls_ok},
                          {"polls_failed", st.polls_failed},
                          {"blocks_failed", st.blocks_failed},
                          {"readings", st.readings},
                          {"overruns", st.overruns},
                          {"low_priority_skipped", st.low_priority_skipped},
                          {"realignments", st.realignments},
                          {"clock_step_polls", st.clock_step_polls}});
    }
    s["meters"] = meters;
    s["clock"] = time_status();
    s["dnp3"] = dnp3_status();
    json dlms = json::array();
    for (const auto& d : dlms_meters) dlms.push_back(d->status_json());
    s["dlms"] = dlms;
    try {
        s["files"] = files->summary();
    } catch (const std::exception& e) {
        s["files"] = {{"error", e.what()}};
    }
    return s;
}

json Gateway::Impl::dnp3_status() const {
    json out = json::array();
    for (const auto& d : dnp3_meters) out.push_back(d->status_json());
    return out;
}

void Gateway::Impl::seed_dnp3_dedup() {
    // Events an outstation sends again after a crash between our commit and its confirm
    // are in the tail of the store; remember them so they are not stored twice.
    std::set<std::string, std::less<>> ids;
    for (const auto& m : config.meters)
        if (m.enabled && m.protocol == "dnp3") ids.insert(m.id);
    if (ids.empty()) return;
    constexpr std::uint64_t tail = 50'000;
    const std::uint64_t last = log->last_seq();
    const auto stored = log->read_after(last > tail ? last - tail : 0, tail);
    std::vector<Reading> mine;
    for (const auto& r : stored)
        if (ids.count(r.reading.meter)) mine.push_back(r.reading);
    std::lock_guard lock(dnp3_dedup.mutex);
    dnp3_dedup.dedup.seed(mine);
    logger.debug("dnp3", "remembered " + std::to_string(mine.size()) + " stored DNP3 reading(s) to recognise resent events");
}

json Gateway::Impl::backlog() const {
    // The forwarder's view counts both of its lanes; the store's own backlog() would count
    // readings the live lane already delivered.
    const auto b = mqtt->backlog_stats();
    return {{"mqtt",
             {{"readings", b.readings},
              {"estimated_bytes", b.estimated_bytes},
              {"oldest", iso_or_null(b.oldest_ts_us)},
              {"drain_readings_per_s", b.drain_readings_per_s},
              {"drain_bytes_per_s", b.drain_bytes_per_s},
              {"cursor", b.cursor},
              {"last_seq", b.last_seq},
              {"live_lane_active", b.live_lane_active},
              {"live_start", b.live_start},
              {"live_cursor", b.live_cursor},
              {"rate_limit", {{"max_messages_per_s", config.mqtt.max_messages_per_s},
                              {"max_bytes_per_s", config.mqtt.max_bytes_per_s}}}}}};
}

Gateway::Gateway(GatewayConfig config, Logger& logger) : impl_(std::make_unique<Impl>(std::move(config), logger)) {}
Gateway::~Gateway() = default;

int Gateway::run() {
    try {
        impl_->open();
    } catch (const std::exception& e) {
        impl_->logger.error("gateway", std::string("cannot start: ") + e.what());
        return 1;
    }
    impl_->start();
    impl_->io.run();
    return 0;
}

std::string Gateway::status_json() const { return impl_->status().dump(); }
std::string Gateway::backlog_json() const { return impl_->backlog().dump(); }

}  // namespace gridgate::gateway
