#pragma once
// The local control socket (a Unix stream socket): one request line in, one JSON
// document out, then the connection closes. gridgatectl is its client.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <string>

#include "gridgate/core/log.hpp"

namespace gridgate::gateway {

class ControlServer {
public:
    // handler maps a request line (without the newline) to a response document.
    using Handler = std::function<std::string(const std::string& request)>;

    ControlServer(boost::asio::io_context& io, std::string path, Handler handler, Logger& logger);
    ~ControlServer();

    // Binds the socket (replacing a stale one left by a crash); throws on failure.
    void start();
    void stop();
    const std::string& path() const { return path_; }

private:
    void accept();

    boost::asio::io_context& io_;
    std::string path_;
    Handler handler_;
    Logger& logger_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    bool bound_ = false;
};

}  // namespace gridgate::gateway
