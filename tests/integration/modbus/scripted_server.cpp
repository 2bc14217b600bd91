#include "scripted_server.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <deque>

#include "gridgate/modbus/mbap.hpp"
#include "gridgate/modbus/pdu.hpp"

namespace gridgate::modbus::test {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Session {
    explicit Session(asio::io_context& io, std::size_t n) : socket(io), number(n) {}
    tcp::socket socket;
    std::size_t number;
    std::vector<std::byte> rx;
    std::array<std::byte, 512> chunk{};
    bool closed = false;
};

}  // namespace

struct ScriptedServer::State : std::enable_shared_from_this<ScriptedServer::State> {
    State(asio::io_context& ctx, ServerScript s)
        : io(ctx), acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), script(std::move(s)) {}

    void accept() {
        acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
            if (ec) return;
            auto session = std::make_shared<Session>(self->io, ++self->accepted);
            session->socket = std::move(socket);
            self->sessions.push_back(session);
            self->max_open = std::max(self->max_open, self->open_now());
            self->receive(session);
            self->accept();
        });
    }

    void receive(const std::shared_ptr<Session>& s) {
        s->socket.async_read_some(asio::buffer(s->chunk), [self = shared_from_this(), s](
                                                              const boost::system::error_code& ec, std::size_t n) {
            if (ec) return self->close(s);
            s->rx.insert(s->rx.end(), s->chunk.begin(), s->chunk.begin() + static_cast<std::ptrdiff_t>(n));
            while (!s->closed) {
                const auto result = decode_mbap(s->rx);
                if (std::holds_alternative<MbapError>(result)) break;
                const auto& d = std::get<MbapDecoded>(result);
                const auto frame_end = s->rx.begin() + static_cast<std::ptrdiff_t>(d.consumed);
                ServerRequest req{s->number, d.frame.transaction_id, d.frame.unit_id,
                                  std::vector<std::byte>(d.frame.pdu.begin(), d.frame.pdu.end()),
                                  std::vector<std::byte>(s->rx.begin(), frame_end)};
                s->rx.erase(s->rx.begin(), frame_end);
                self->requests.push_back(req);
                ServerAction action = self->script(req);
                if (action.hold) self->held.emplace_back(s, std::move(action));
                else self->perform(s, std::move(action));
            }
            if (!s->closed) self->receive(s);
        });
    }

    void perform(const std::shared_ptr<Session>& s, ServerAction action) {
        if (s->closed) return;
        if (!action.bytes.empty()) {
            auto bytes = std::make_shared<std::vector<std::byte>>(std::move(action.bytes));
            asio::async_write(s->socket, asio::buffer(*bytes),
                              [self = shared_from_this(), s, bytes, close = action.close](
                                  const boost::system::error_code&, std::size_t) {
                                  if (close) self->close(s);
                              });
        } else if (action.close) {
            close(s);
        }
    }

    void close(const std::shared_ptr<Session>& s) {
        if (s->closed) return;
        s->closed = true;
        boost::system::error_code ignored;
        s->socket.shutdown(tcp::socket::shutdown_both, ignored);
        s->socket.close(ignored);
    }

    std::size_t open_now() const {
        return static_cast<std::size_t>(
            std::count_if(sessions.begin(), sessions.end(), [](const auto& s) { return !s->closed; }));
    }

    asio::io_context& io;
    tcp::acceptor acceptor;
    ServerScript script;
    std::vector<std::shared_ptr<Session>> sessions;
    std::deque<std::pair<std::shared_ptr<Session>, ServerAction>> held;
    std::vector<ServerRequest> requests;
    std::size_t accepted = 0;
    std::size_t max_open = 0;
};

ScriptedServer::ScriptedServer(asio::io_context& io, ServerScript script)
    : state_(std::make_shared<State>(io, std::move(script))) {
    state_->accept();
}

ScriptedServer::~ScriptedServer() { stop(); }

std::uint16_t ScriptedServer::port() const { return state_->acceptor.local_endpoint().port(); }
void ScriptedServer::set_script(ServerScript script) { state_->script = std::move(script); }

void ScriptedServer::release_held() {
    auto held = std::move(state_->held);
    state_->held.clear();
    for (auto& [session, action] : held) {
        action.hold = false;
        state_->perform(session, std::move(action));
    }
}

void ScriptedServer::stop() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (const auto& s : state_->sessions) state_->close(s);
}

std::size_t ScriptedServer::accepted() const { return state_->accepted; }
std::size_t ScriptedServer::open_now() const { return state_->open_now(); }
std::size_t ScriptedServer::max_open() const { return state_->max_open; }
const std::vector<ServerRequest>& ScriptedServer::requests() const { return state_->requests; }

std::vector<std::byte> normal_reply(const ServerRequest& request) {
    const auto decoded = decode_request(request.pdu);
    const auto* req = std::get_if<ReadRequest>(&std::get<Request>(decoded));
    std::vector<std::byte> pdu;
    if (is_register_read(req->function)) {
        std::vector<std::uint16_t> regs;
        for (std::uint16_t i = 0; i < req->count; ++i) regs.push_back(static_cast<std::uint16_t>(req->address + i));
        pdu = encode_register_response(req->function, regs);
    } else {
        std::vector<bool> bits;
        for (std::uint16_t i = 0; i < req->count; ++i) bits.push_back(((req->address + i) & 1) != 0);
        pdu = encode_bit_response(req->function, bits);
    }
    return encode_mbap(request.transaction_id, request.unit_id, pdu);
}

std::vector<std::byte> exception_reply(const ServerRequest& request, std::uint8_t code) {
    const auto fc = std::to_integer<std::uint8_t>(request.pdu.at(0));
    return encode_mbap(request.transaction_id, request.unit_id,
                       encode_exception(fc, static_cast<ExceptionCode>(code)));
}

ServerAction answer_normally(const ServerRequest& request) { return ServerAction{normal_reply(request)}; }

}  // namespace gridgate::modbus::test
