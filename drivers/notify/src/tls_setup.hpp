#pragma once
// The receiver's TLS: a server context (TLS 1.2 or later, the gateway's certificate,
// client certificates checked against a CA when configured) and the verified subject of
// a connection's client certificate.
#include <boost/asio/ssl/context.hpp>
#include <string>

#include "gridgate/notify/alarm_receiver.hpp"

namespace gridgate::notify::detail {

// Throws std::invalid_argument for contradictory options, std::runtime_error when a
// file cannot be loaded (with OpenSSL's reason).
boost::asio::ssl::context make_server_tls_context(const AlarmReceiverOptions& options);

// The subject (RFC 2253, "CN=meter-1,O=...") of the peer's certificate when it was sent
// and verified, "" otherwise.
std::string verified_peer_subject(SSL* ssl);

}  // namespace gridgate::notify::detail
