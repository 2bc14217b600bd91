#include "control_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <stdexcept>

namespace gridgate::gateway {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {
constexpr std::size_t max_request = 4096;

struct Session : std::enable_shared_from_this<Session> {
    Session(local::socket s, const ControlServer::Handler& h) : socket(std::move(s)), handler(h), buffer(max_request) {}

    void start() {
        asio::async_read_until(socket, buffer, '\n',
                               [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                   self->on_request(ec, n);
                               });
    }

    void on_request(const boost::system::error_code& ec, std::size_t n) {
        if (ec) {
            // Too long or closed early: answer nothing.
            return;
        }
        std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n));
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        response = handler(line);
        response.push_back('\n');
        asio::async_write(socket, asio::buffer(response),
                          [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
                              boost::system::error_code ignored;
                              self->socket.shutdown(local::socket::shutdown_both, ignored);
                          });
    }

    local::socket socket;
    ControlServer::Handler handler;
    asio::streambuf buffer;
    std::string response;
};
}  // namespace

ControlServer::ControlServer(asio::io_context& io, std::string path, Handler handler, Logger& logger)
    : io_(io), path_(std::move(path)), handler_(std::move(handler)), logger_(logger), acceptor_(io) {}

ControlServer::~ControlServer() { stop(); }

void ControlServer::start() {
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            throw std::runtime_error("control socket path " + path_ + " exists and is not a socket");
        // A socket left behind by a crashed daemon: refuse only if someone answers on it.
        local::socket probe(io_);
        boost::system::error_code ec;
        probe.connect(local::endpoint(path_), ec);
        if (!ec) throw std::runtime_error("another gridgated is already listening on " + path_);
        ::unlink(path_.c_str());
    }
    const mode_t old_mask = ::umask(0117);  // socket mode 0660
    boost::system::error_code ec;
    acceptor_.open(local(), ec);
    if (!ec) acceptor_.bind(local::endpoint(path_), ec);
    if (!ec) acceptor_.listen(16, ec);
    ::umask(old_mask);
    if (ec) throw std::runtime_error("cannot listen on control socket " + path_ + ": " + ec.message());
    bound_ = true;
    accept();
}

void ControlServer::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, local::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            logger_.warn("control", "accept failed: " + ec.message());
        } else {
            std::make_shared<Session>(std::move(socket), handler_)->start();
        }
        accept();
    });
}

void ControlServer::stop() {
    boost::system::error_code ignored;
    if (acceptor_.is_open()) acceptor_.close(ignored);
    if (bound_) {
        ::unlink(path_.c_str());
        bound_ = false;
    }
}

}  // namespace gridgate::gateway
