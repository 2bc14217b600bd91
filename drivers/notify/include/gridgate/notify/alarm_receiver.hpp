#pragma once
// The HTTPS receiver of the meters' alarm notifications (Boost.Beast over Asio SSL):
// POST of application/json, or multipart/form-data with parts "json_msg" and
// "pqdif_file" (Expect: 100-continue honoured). Bodies are validated (size limits,
// content types, JSON and multipart structure); a malformed one gets 400, an oversized
// one 413, a wrong content type 415, another method 405, another path 404, each counted.
// A valid one goes to the AlarmHandler, whose status (200 only once the notification is
// stored) is the reply. Runs on its own thread; one connection never blocks another.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gridgate/core/log.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/notify/notification.hpp"

namespace gridgate::notify {

struct AlarmReceiverOptions {
    std::string listen_address = "127.0.0.1";
    std::uint16_t port = 8443;                      // 0 = any free port (tests); see port()
    std::string cert_file;                          // the gateway's certificate chain (PEM), required
    std::string key_file;                           // its key (PEM), required
    std::string client_ca_file;                     // verify client certificates against this CA when set
    bool require_client_cert = false;               // refuse the handshake without one (needs client_ca_file)
    std::string path = "/";                         // the POST target; anything else is 404
    std::size_t max_body_bytes = 4 * 1024 * 1024;   // whole body (a PQDIF file is at most 500 KB)
    std::size_t max_json_bytes = 64 * 1024;         // the JSON (body or json_msg part)
    Duration request_timeout = std::chrono::seconds(60);    // TLS handshake + request + body, per request
    Duration idle_timeout = std::chrono::seconds(15);       // keep-alive wait for the next request
    std::size_t max_connections = 16;               // more are closed at once (counted)
};

struct AlarmFile {
    std::string filename;  // the pqdif_file part's filename (sanitised by the handler)
    std::string bytes;
};

struct AlarmDelivery {
    std::string peer;                 // "ip:port"
    std::string client_subject;       // verified client certificate subject ("" without)
    Notification notification;
    std::optional<AlarmFile> file;    // the pqdif_file part, when posted
};

struct AlarmReply {
    int status = 200;          // 200 stored; 500/503 could not store (the meter retries)
    std::string message;       // short text body
};

class AlarmHandler {
public:
    virtual ~AlarmHandler() = default;
    // Called on the receiver's thread, one delivery at a time. Blocks until the
    // notification (and its file) are durable, then returns 200; or an error status.
    virtual AlarmReply handle(const AlarmDelivery& delivery) = 0;
};

struct AlarmReceiverStats {
    std::uint64_t connections = 0;
    std::uint64_t tls_failures = 0;        // handshakes that failed (no/bad client cert, not TLS...)
    std::uint64_t requests = 0;
    std::uint64_t accepted = 0;            // handler answered 200
    std::uint64_t handler_errors = 0;      // handler answered something else
    std::uint64_t rejected_malformed = 0;  // 400
    std::uint64_t rejected_too_large = 0;  // 413
    std::uint64_t rejected_media_type = 0; // 415
    std::uint64_t rejected_other = 0;      // 404, 405
    std::uint64_t timeouts = 0;            // requests cut by request_timeout (slow clients)
    std::uint64_t refused_connections = 0; // over max_connections
};

class HttpsAlarmReceiver {
public:
    // Throws std::invalid_argument for unusable options and std::runtime_error when the
    // certificate or key cannot be loaded.
    HttpsAlarmReceiver(AlarmReceiverOptions options, AlarmHandler& handler, Logger& logger);
    ~HttpsAlarmReceiver();  // stop()
    HttpsAlarmReceiver(const HttpsAlarmReceiver&) = delete;
    HttpsAlarmReceiver& operator=(const HttpsAlarmReceiver&) = delete;

    // Binds and starts serving; throws std::runtime_error when it cannot bind.
    void start();
    void stop();  // closes the listener and every connection, joins the thread
    std::uint16_t port() const;  // the bound port (after start())
    AlarmReceiverStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::notify
