#include "files_service.hpp"

#include <filesystem>
#include <vector>

#include "file_spool.hpp"
#include "files_alarms.hpp"
#include "gridgate/files/sftp.hpp"
#include "gridgate/northbound/sftp_forwarder.hpp"
#include "gridgate/notify/alarm_receiver.hpp"
#include "gridgate/store/file_index.hpp"
#include "inbox_watcher.hpp"
#include "pqdif_puller.hpp"

namespace gridgate::gateway {

namespace {

using json = nlohmann::json;

files::SshEndpoint to_endpoint(const SshPeerConfig& c) {
    files::SshEndpoint e;
    e.host = c.host;
    e.port = c.port;
    e.auth.user = c.user;
    if (c.auth == "key") {
        e.auth.private_key_file = c.private_key_file;
        e.auth.key_passphrase = c.key_passphrase;
    } else {
        e.auth.password = c.password;
    }
    e.host_key.fingerprints = c.host_key_fingerprints;
    e.host_key.trust_on_first_use = c.trust_on_first_use;
    // The default known_hosts file is consulted once it exists (first-use pins go there).
    std::error_code ignored;
    if (c.trust_on_first_use || std::filesystem::exists(c.known_hosts_file, ignored))
        e.host_key.known_hosts_file = c.known_hosts_file;
    e.connect_timeout = c.connect_timeout;
    e.io_timeout = c.io_timeout;
    return e;
}

std::vector<std::string> sink_names(const GatewayConfig& config) {
    std::vector<std::string> names;
    for (const auto& s : config.files.sinks) names.push_back("sftp." + s.id);
    return names;
}

json parse_or_text(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json(text) : j;
}

}  // namespace

struct FilesService::Impl {
    Impl(const GatewayConfig& c, const std::string& db_path, std::function<void()> n, const Clock& cl, Logger& l)
        : config(c), notify_events(std::move(n)), clock(cl), logger(l),
          index(db_path, std::filesystem::absolute(c.files.spool.directory).string()),
          spool(c.files.spool, index, sink_names(c), cl, l) {}

    void after_delivery() {
        if (notify_events) notify_events();
        if (puller) puller->notify_delivered();
        try {
            spool.enforce_quota();
        } catch (const std::exception& e) {
            logger.error("spool", std::string("quota check failed: ") + e.what());
        }
    }
    void after_intake() {
        try {
            spool.enforce_quota();
        } catch (const std::exception& e) {
            logger.error("spool", std::string("quota check failed: ") + e.what());
        }
        for (auto& s : sinks) s->notify_new_files();
    }

    GatewayConfig config;
    std::function<void()> notify_events;
    const Clock& clock;
    Logger& logger;
    store::FileIndex index;
    FileSpool spool;
    std::unique_ptr<PqdifPuller> puller;
    std::unique_ptr<InboxWatcher> inbox;
    std::unique_ptr<GatewayAlarmHandler> alarm_handler;
    std::unique_ptr<notify::HttpsAlarmReceiver> receiver;
    std::vector<std::unique_ptr<northbound::SftpForwarder>> sinks;
    bool started = false;
};

FilesService::FilesService(const GatewayConfig& config, const std::string& db_path, EventSink& events,
                           std::function<void()> notify_events, const Clock& clock, Logger& logger)
    : impl_(std::make_unique<Impl>(config, db_path, std::move(notify_events), clock, logger)) {
    Impl& d = *impl_;
    if (const auto found = d.spool.reconcile())
        logger.warn("spool", std::to_string(found) + " file(s) found in the spool but not in its index were indexed");

    for (const auto& s : config.files.sinks) {
        northbound::SftpSinkOptions o;
        o.sink_name = "sftp." + s.id;
        o.gateway_id = config.id;
        o.endpoint = to_endpoint(s.ssh);
        o.remote_root = s.remote_root;
        o.max_bytes_per_s = static_cast<double>(s.max_bytes_per_s);
        for (const auto& [start, end] : s.windows) o.windows.push_back({start, end});
        o.on_delivered = [this] { impl_->after_delivery(); };
        d.sinks.push_back(std::make_unique<northbound::SftpForwarder>(std::move(o), d.index, clock, logger));
    }

    std::vector<PullTarget> pulls;
    std::vector<InboxTarget> inboxes;
    for (const auto& m : config.meters) {
        if (!m.enabled) continue;
        if (m.pqdif.enabled) pulls.push_back(PullTarget{m.id, m.pqdif, to_endpoint(m.pqdif.ssh)});
        if (m.inbox.enabled) inboxes.push_back(InboxTarget{m.id, m.inbox.directory, m.inbox.settle});
    }
    if (!pulls.empty())
        d.puller = std::make_unique<PqdifPuller>(std::move(pulls), d.spool, d.index, sink_names(config),
                                                 events, clock, logger);
    if (!inboxes.empty()) d.inbox = std::make_unique<InboxWatcher>(std::move(inboxes), d.spool, clock, logger);

    if (config.files.alarms.enabled) {
        d.alarm_handler = std::make_unique<GatewayAlarmHandler>(
            config, d.spool,
            [this](bool with_file) {
                if (impl_->notify_events) impl_->notify_events();
                if (with_file) impl_->after_intake();
            },
            logger);
        const auto& a = config.files.alarms;
        notify::AlarmReceiverOptions o;
        o.listen_address = a.listen;
        o.port = a.port;
        o.cert_file = a.cert_file;
        o.key_file = a.key_file;
        o.client_ca_file = a.client_ca_file;
        o.require_client_cert = a.require_client_cert;
        o.path = a.path;
        o.max_body_bytes = a.max_body_bytes;
        o.max_json_bytes = a.max_json_bytes;
        o.request_timeout = a.request_timeout;
        o.max_connections = a.max_connections;
        d.receiver = std::make_unique<notify::HttpsAlarmReceiver>(std::move(o), *d.alarm_handler, logger);
    }
}

FilesService::~FilesService() { stop(); }

void FilesService::start() {
    Impl& d = *impl_;
    if (d.started) return;
    d.started = true;
    for (auto& s : d.sinks) s->start();
    if (d.puller) d.puller->start();
    if (d.inbox) d.inbox->start();
    if (d.receiver) {
        d.receiver->start();
        d.logger.info("alarms", "HTTPS notification receiver listening on " + d.config.files.alarms.listen + ":" +
                                    std::to_string(d.receiver->port()));
    }
}

void FilesService::stop() {
    Impl& d = *impl_;
    if (!d.started) return;
    d.started = false;
    if (d.receiver) d.receiver->stop();
    if (d.inbox) d.inbox->stop();
    if (d.puller) d.puller->stop();
    for (auto& s : d.sinks) s->stop();
}

json FilesService::status(std::size_t max_files) const {
    const Impl& d = *impl_;
    json out;
    out["spool"] = parse_or_text(d.spool.status_json(max_files));
    out["pulls"] = d.puller ? parse_or_text(d.puller->status_json())["meters"] : json::array();
    out["inboxes"] = d.inbox ? parse_or_text(d.inbox->status_json())["inboxes"] : json::array();
    json sinks = json::array();
    for (std::size_t i = 0; i < d.sinks.size(); ++i) {
        const auto st = d.sinks[i]->stats();
        sinks.push_back({{"sink", "sftp." + d.config.files.sinks[i].id},
                         {"host", d.config.files.sinks[i].ssh.host},
                         {"connected", st.connected},
                         {"in_window", st.in_window},
                         {"files_delivered", st.files_delivered},
                         {"bytes_uploaded", st.bytes_uploaded},
                         {"resumes", st.resumes},
                         {"restarts", st.restarts},
                         {"already_in_place", st.already_in_place},
                         {"failures", st.failures},
                         {"last_error", st.last_error},
                         {"current", st.current_id == 0 ? json(nullptr)
                                                        : json{{"id", st.current_id},
                                                               {"name", st.current_name},
                                                               {"offset", st.current_offset},
                                                               {"size", st.current_size}}}});
    }
    out["sinks"] = std::move(sinks);
    if (d.receiver) {
        const auto st = d.receiver->stats();
        out["alarms"] = {{"port", d.receiver->port()},
                         {"connections", st.connections},
                         {"requests", st.requests},
                         {"accepted", st.accepted},
                         {"rejected_malformed", st.rejected_malformed},
                         {"rejected_too_large", st.rejected_too_large},
                         {"rejected_media_type", st.rejected_media_type},
                         {"rejected_other", st.rejected_other},
                         {"handler_errors", st.handler_errors},
                         {"tls_failures", st.tls_failures},
                         {"timeouts", st.timeouts},
                         {"refused_connections", st.refused_connections}};
    } else {
        out["alarms"] = nullptr;
    }
    return out;
}

json FilesService::summary() const {
    json full = status(0);
    json s;
    s["held_files"] = full["spool"].value("held_files", 0);
    s["held_bytes"] = full["spool"].value("held_bytes", 0);
    s["intake_stopped"] = full["spool"].value("intake_stopped", false);
    s["undelivered"] = impl_->index.undelivered_count(sink_names(impl_->config));
    s["sinks"] = full["sinks"];
    s["alarms"] = full["alarms"];
    return s;
}

bool FilesService::pull_now(const std::string& meter) { return impl_->puller && impl_->puller->pull_now(meter); }

}  // namespace gridgate::gateway
