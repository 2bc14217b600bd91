#include "gridgate/sim/control_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <istream>
#include <stdexcept>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/sim/control_commands.hpp"

namespace gridgate::sim {

namespace {

using boost::asio::local::stream_protocol;

// A command is a short line; anything longer is not a client of ours.
constexpr std::size_t max_line = 4096;

class ControlSession;

}  // namespace

struct ControlServer::State {
    State(boost::asio::io_context& io, std::string p, MeterFleet& f, Logger& l, Dnp3Fleet* d, DlmsFleet* c,
          PqdifControl* q)
        : acceptor(io), path(std::move(p)), fleet(f), dnp3(d), dlms(c), pqdif(q), logger(l) {}

    stream_protocol::acceptor acceptor;
    std::string path;
    MeterFleet& fleet;
    Dnp3Fleet* dnp3;
    DlmsFleet* dlms;
    PqdifControl* pqdif;
    Logger& logger;
    bool stopped = false;
    std::vector<std::weak_ptr<ControlSession>> sessions;
};

namespace {

class ControlSession : public std::enable_shared_from_this<ControlSession> {
public:
    ControlSession(stream_protocol::socket socket, std::shared_ptr<ControlServer::State> server)
        : socket_(std::move(socket)), server_(std::move(server)), input_(max_line) {}

    void read() {
        boost::asio::async_read_until(
            socket_, input_, '\n', [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                self->on_line(ec);
            });
    }

    void close() {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

private:
    void on_line(const boost::system::error_code& ec) {
        if (server_->stopped) return;
        if (ec == boost::asio::error::not_found) {  // line longer than max_line
            reply("error: line too long", true);
            return;
        }
        if (ec) return;  // client gone
        std::istream stream(&input_);
        std::string line;
        std::getline(stream, line);
        const Dnp3Now now{std::chrono::steady_clock::now(), SystemClock{}.now_utc_us()};
        reply(run_control_command(line, server_->fleet, server_->dnp3, server_->dlms, server_->pqdif, now), false);
    }

    void reply(std::string text, bool then_close) {
        output_ = std::move(text);
        output_.push_back('\n');
        boost::asio::async_write(socket_, boost::asio::buffer(output_),
                                 [self = shared_from_this(), then_close](const boost::system::error_code& ec,
                                                                         std::size_t) {
                                     if (ec || then_close) self->close();
                                     else self->read();
                                 });
    }

    stream_protocol::socket socket_;
    std::shared_ptr<ControlServer::State> server_;
    boost::asio::streambuf input_;
    std::string output_;
};

void accept_next(const std::shared_ptr<ControlServer::State>& state) {
    state->acceptor.async_accept([state](const boost::system::error_code& ec, stream_protocol::socket socket) {
        if (state->stopped || ec == boost::asio::error::operation_aborted) return;
        if (!ec) {
            auto session = std::make_shared<ControlSession>(std::move(socket), state);
            std::erase_if(state->sessions, [](const auto& weak) { return weak.expired(); });
            state->sessions.push_back(session);
            session->read();
        } else {
            state->logger.warn("metersim", "control socket accept failed: " + ec.message());
        }
        accept_next(state);
    });
}

}  // namespace

ControlServer::ControlServer(boost::asio::io_context& io, const std::string& path, MeterFleet& fleet,
                             Logger& logger, Dnp3Fleet* dnp3, DlmsFleet* dlms, PqdifControl* pqdif)
    : state_(std::make_shared<State>(io, path, fleet, logger, dnp3, dlms, pqdif)) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) throw std::runtime_error("control path '" + path + "' exists and is not a socket");
        ::unlink(path.c_str());  // left over from an earlier run
    }
    boost::system::error_code ec;
    state_->acceptor.open(stream_protocol(), ec);
    if (!ec) state_->acceptor.bind(stream_protocol::endpoint(path), ec);
    if (!ec) state_->acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on control socket '" + path + "': " + ec.message());
    accept_next(state_);
}

ControlServer::~ControlServer() { stop(); }

void ControlServer::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (const auto& weak : state_->sessions)
        if (auto session = weak.lock()) session->close();
    state_->sessions.clear();
    ::unlink(state_->path.c_str());
}

}  // namespace gridgate::sim
