#pragma once
// Shared pieces of the TcpClient tests: one io_context for client and server, a way
// to run it until something happened, and a logger that keeps its lines.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/hex.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/modbus/tcp_client.hpp"
#include "scripted_server.hpp"

namespace gridgate::modbus::test {

// Runs the io_context until `done` holds. The guard only stops a broken test from
// hanging; no assertion depends on how long anything took.
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
    const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
        if (std::chrono::steady_clock::now() > guard) return false;
        io.run_one_for(std::chrono::milliseconds(20));
        if (io.stopped()) io.restart();
    }
    return true;
}

// Runs every handler that is ready now, without waiting for anything.
inline void run_ready(boost::asio::io_context& io) {
    io.restart();
    io.poll();
}

class CapturingLogger : public Logger {
public:
    CapturingLogger() : Logger(LogLevel::debug) {}
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    bool contains(const std::string& text) const {
        for (const auto& l : lines())
            if (l.find(text) != std::string::npos) return true;
        return false;
    }

protected:
    void write_line(std::string_view line) override {
        std::lock_guard lock(mutex_);
        lines_.emplace_back(line);
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

inline TcpClientOptions options_for(std::uint16_t port) {
    TcpClientOptions o;
    o.name = "test";
    o.host = "127.0.0.1";
    o.port = port;
    o.connect_timeout = std::chrono::seconds(2);
    o.reconnect_min = std::chrono::milliseconds(1);
    o.reconnect_max = std::chrono::milliseconds(2);
    return o;
}

inline std::vector<std::byte> hex(std::string_view text) { return *from_hex(text); }

// Collects the result of one read.
struct ReadProbe {
    std::optional<TransactionResult> result;
    int calls = 0;
    std::function<void(TransactionResult)> handler() {
        return [this](TransactionResult r) {
            ++calls;
            result = std::move(r);
        };
    }
    bool done() const { return result.has_value(); }
    const ReadResponse* response() const { return result ? std::get_if<ReadResponse>(&*result) : nullptr; }
    std::optional<TransactionError> error() const {
        if (!result) return std::nullopt;
        if (const auto* e = std::get_if<TransactionError>(&*result)) return *e;
        return std::nullopt;
    }
};

// A loopback port where nobody listens.
inline std::uint16_t refused_port(boost::asio::io_context& io) {
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
}

inline constexpr ReadRequest holding(std::uint16_t address, std::uint16_t count) {
    return ReadRequest{FunctionCode::read_holding_registers, address, count};
}

inline constexpr auto short_timeout = std::chrono::milliseconds(40);
inline constexpr auto long_timeout = std::chrono::seconds(5);

}  // namespace gridgate::modbus::test
