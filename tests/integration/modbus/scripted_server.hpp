#pragma once
// A Modbus TCP server for tests, on 127.0.0.1:<free port>, whose every answer is
// scripted by the test: normal replies, exceptions, silence, late or stray frames,
// garbage, closing the socket. Runs on the test's io_context (single thread).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace gridgate::modbus::test {

struct ServerRequest {
    std::size_t connection = 0;  // 1-based, in accept order
    std::uint16_t transaction_id = 0;
    std::uint8_t unit_id = 0;
    std::vector<std::byte> pdu;
    std::vector<std::byte> raw;  // the whole ADU as received
};

struct ServerAction {
    std::vector<std::byte> bytes;  // written as is (zero or more frames, or garbage)
    bool close = false;            // close the socket after writing
    bool hold = false;             // keep bytes/close until release_held()
};

using ServerScript = std::function<ServerAction(const ServerRequest&)>;

// The usual answer: FC03/04 register i holds its address, FC01/02 bit i is address parity.
std::vector<std::byte> normal_reply(const ServerRequest& request);
std::vector<std::byte> exception_reply(const ServerRequest& request, std::uint8_t code);
// Answers every request normally.
ServerAction answer_normally(const ServerRequest& request);

class ScriptedServer {
public:
    ScriptedServer(boost::asio::io_context& io, ServerScript script);
    ~ScriptedServer();

    std::uint16_t port() const;
    void set_script(ServerScript script);
    void release_held();  // performs every held action, in order
    void stop();          // stops accepting and closes every socket

    std::size_t accepted() const;
    std::size_t open_now() const;
    std::size_t max_open() const;
    const std::vector<ServerRequest>& requests() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace gridgate::modbus::test
