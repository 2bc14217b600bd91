#pragma once
// One TLS connection of the alarm receiver, from handshake to close. A single deadline
// timer covers each stage: request_timeout from accept (or from the first octet of a
// later request) over handshake, head and body; idle_timeout between keep-alive requests;
// request_timeout again for writing the reply. A client that misses it is cut, so a slow
// or stuck meter only ever costs its own connection.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string>

#include "receiver_state.hpp"

namespace gridgate::notify::detail {

class AlarmSession : public std::enable_shared_from_this<AlarmSession> {
public:
    AlarmSession(boost::asio::ip::tcp::socket socket, ReceiverState& state);

    void start();
    // Cuts the connection at once; pending operations complete as aborted. Idempotent.
    void close();

private:
    enum class Phase { handshake, idle, request, writing, closing };
    using error_code = boost::system::error_code;

    void arm(Duration timeout, Phase phase);
    void on_deadline(unsigned generation);
    void on_handshake(error_code ec);
    void wait_for_request();
    void read_head();
    void on_head(error_code ec);
    void read_body();
    void on_body(error_code ec);
    void deliver();
    void reject(int status, const std::string& reason, bool close_after);
    void send(int status, const std::string& text, bool close_after);
    void finish();
    void drain();

    ReceiverState& state_;
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
    boost::asio::steady_timer deadline_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    boost::beast::http::response<boost::beast::http::empty_body> continue_;  // alive while written
    boost::beast::http::response<boost::beast::http::string_body> response_;  // alive while written
    AlarmHeadVerdict head_;
    std::string peer_;
    std::string subject_;
    std::array<char, 4096> discard_{};
    Phase phase_ = Phase::handshake;
    unsigned generation_ = 0;
    bool closed_ = false;
};

}  // namespace gridgate::notify::detail
