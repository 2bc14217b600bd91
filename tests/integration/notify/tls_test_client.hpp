#pragma once
// An in-process TLS client for the receiver tests that curl cannot play: one that sends
// a head and then trickles its body, one that stays idle on a keep-alive connection, one
// that never starts the handshake. Each client has its own io_context; use one client
// from one thread at a time.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace gridgate::notify::testing {

class TlsTestClient {
public:
    // Connects to 127.0.0.1:port; with `handshake` also completes TLS (trusting ca_file).
    TlsTestClient(std::uint16_t port, const std::filesystem::path& ca_file, bool handshake = true);

    // Writes all of `bytes` (in TLS, or plain without the handshake); false when the
    // connection is gone.
    bool write(std::string_view bytes);
    // One complete HTTP response (status line, headers, body) within timeout, or nullopt.
    std::optional<std::string> read_response(std::chrono::milliseconds timeout);
    // True when the server closes the connection within timeout (EOF, reset, TLS end).
    bool closed_by_peer(std::chrono::milliseconds timeout);

private:
    boost::asio::io_context io_;
    boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_client};
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_{io_, tls_};
    bool handshake_done_ = false;
    std::string pending_;  // read but not yet returned
};

// The status code of a raw HTTP response ("HTTP/1.1 200 OK..." -> 200), 0 if none.
int status_of(const std::string& response);

}  // namespace gridgate::notify::testing
