#pragma once
// One Modbus TCP client connection to a simulated meter. Reads whatever arrives,
// answers every complete frame in order (holding later frames while a "slow" reply
// waits), and writes replies in batches. It keeps reading while a slow reply waits, so
// a client that gives up and disconnects frees its connection slot at once.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gridgate/sim/simulated_meter.hpp"
#include "tcp_server_state.hpp"

namespace gridgate::sim {

class ModbusTcpConnection : public std::enable_shared_from_this<ModbusTcpConnection> {
public:
    ModbusTcpConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<MeterTcpServer::State> server);
    ~ModbusTcpConnection();

    void start();
    void close();

private:
    void read();
    void on_read(const boost::system::error_code& ec, std::size_t n);
    void process();
    void emit(const Reply& reply, std::uint16_t transaction_id, std::uint8_t unit);
    void write();

    struct Delayed {
        Reply reply;
        std::uint16_t transaction_id = 0;
        std::uint8_t unit = 0;
    };

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer delay_timer_;
    std::shared_ptr<MeterTcpServer::State> server_;

    std::array<std::byte, 8192> read_buffer_{};
    std::vector<std::byte> input_;    // received, not yet answered (a partial frame, or
                                      // frames held behind a slow reply)
    std::vector<std::byte> output_;   // replies waiting for the next write
    std::vector<std::byte> in_flight_;  // replies being written
    Delayed delayed_;

    bool reading_ = false;
    bool writing_ = false;
    bool waiting_ = false;  // a slow reply is pending; later frames wait
    bool closing_ = false;  // close once the queued replies are written
    bool closed_ = false;
};

}  // namespace gridgate::sim
