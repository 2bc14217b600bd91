#include "tls_test_client.hpp"

#include <array>
#include <cctype>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

namespace gridgate::notify::testing {
namespace net = boost::asio;

namespace {
// The length of the first complete response in `octets` (the receiver always sends
// Content-Length; a 1xx has no body), or 0 when more octets are needed.
std::size_t complete_response_length(const std::string& octets) {
    const auto head_end = octets.find("\r\n\r\n");
    if (head_end == std::string::npos) return 0;
    std::size_t body = 0;
    std::string head = octets.substr(0, head_end);
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos)
        body = std::stoul(head.substr(at + 17));
    const std::size_t total = head_end + 4 + body;
    return octets.size() >= total ? total : 0;
}
}  // namespace

TlsTestClient::TlsTestClient(std::uint16_t port, const std::filesystem::path& ca_file, bool handshake) {
    tls_.load_verify_file(ca_file.string());
    stream_.set_verify_mode(net::ssl::verify_peer);
    stream_.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    if (handshake) {
        stream_.handshake(net::ssl::stream_base::client);
        handshake_done_ = true;
    }
}

bool TlsTestClient::write(std::string_view bytes) {
    boost::system::error_code ec;
    if (handshake_done_) net::write(stream_, net::buffer(bytes.data(), bytes.size()), ec);
    else net::write(stream_.next_layer(), net::buffer(bytes.data(), bytes.size()), ec);  // plain TCP
    return !ec;
}

std::optional<std::string> TlsTestClient::read_response(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (const auto used = complete_response_length(pending_); used > 0) {
            auto response = pending_.substr(0, used);
            pending_.erase(0, used);
            return response;
        }
        std::array<char, 4096> chunk{};
        bool got = false;
        bool failed = false;
        stream_.async_read_some(net::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
            if (ec) failed = true;
            pending_.append(chunk.data(), n);
            got = true;
        });
        io_.restart();
        io_.run_for(deadline - std::chrono::steady_clock::now());
        if (!got) {
            stream_.next_layer().cancel();
            io_.restart();
            io_.run();
            return std::nullopt;
        }
        if (failed) return std::nullopt;
    }
    return std::nullopt;
}

bool TlsTestClient::closed_by_peer(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::array<char, 4096> chunk{};
        std::optional<boost::system::error_code> result;
        auto done = [&](boost::system::error_code ec, std::size_t) { result = ec; };
        if (handshake_done_) stream_.async_read_some(net::buffer(chunk), done);
        else stream_.next_layer().async_read_some(net::buffer(chunk), done);
        io_.restart();
        io_.run_for(deadline - std::chrono::steady_clock::now());
        if (!result) {
            stream_.next_layer().cancel();
            io_.restart();
            io_.run();
            return false;
        }
        if (*result) return true;  // EOF, reset or a TLS error: the server is gone
    }
    return false;
}

int status_of(const std::string& response) {
    if (response.size() < 12 || response.rfind("HTTP/1.", 0) != 0) return 0;
    return std::stoi(response.substr(9, 3));
}

}  // namespace gridgate::notify::testing
