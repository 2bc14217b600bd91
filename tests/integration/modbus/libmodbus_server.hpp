#pragma once
// An independent Modbus TCP peer: libmodbus's slave, run in a thread on 127.0.0.1
// at a free port, serving one connection until the client hangs up. A codec tested
// only against our own server could agree with itself and still be wrong.
#include <arpa/inet.h>
#include <modbus.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <netinet/in.h>
#include <stdexcept>
#include <thread>

namespace gridgate::modbus::test {

class LibmodbusServer {
public:
    static constexpr int table_size = 64;

    LibmodbusServer()
        : ctx_(modbus_new_tcp("127.0.0.1", 0)),
          map_(modbus_mapping_new(table_size, table_size, table_size, table_size)) {
        if (!ctx_ || !map_) throw std::runtime_error("libmodbus setup failed");
        listen_fd_ = modbus_tcp_listen(ctx_, 1);
        if (listen_fd_ < 0) throw std::runtime_error("libmodbus listen failed");
        sockaddr_in addr{};
        socklen_t len = sizeof addr;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }

    ~LibmodbusServer() {
        // Wake a thread blocked in accept or receive, then wait for it.
        ::shutdown(listen_fd_, SHUT_RDWR);
        if (const int fd = client_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
        if (thread_.joinable()) thread_.join();
        modbus_close(ctx_);
        ::close(listen_fd_);
        modbus_mapping_free(map_);
        modbus_free(ctx_);
    }
    LibmodbusServer(const LibmodbusServer&) = delete;
    LibmodbusServer& operator=(const LibmodbusServer&) = delete;

    // Set the tables before start(); the server thread owns them afterwards.
    modbus_mapping_t& tables() { return *map_; }
    std::uint16_t port() const { return port_; }

    void start() {
        thread_ = std::thread([this] {
            const int fd = modbus_tcp_accept(ctx_, &listen_fd_);
            if (fd < 0) return;
            client_fd_ = fd;
            std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
            while (true) {
                const int n = modbus_receive(ctx_, query);
                if (n == -1) break;  // peer closed
                if (n > 0) modbus_reply(ctx_, query, n, map_);
            }
        });
    }

private:
    modbus_t* ctx_;
    modbus_mapping_t* map_;
    int listen_fd_ = -1;
    std::atomic<int> client_fd_{-1};
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace gridgate::modbus::test
