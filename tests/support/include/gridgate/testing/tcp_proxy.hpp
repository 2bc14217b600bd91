#pragma once
// A TCP relay the test controls, for cutting a client's link to a server (a broker, a
// meter) mid-stream without touching either process:
//
//   TcpProxy proxy(broker.port());              // listens on 127.0.0.1:proxy.port()
//   point the client at proxy.port()
//   proxy.cut_after_upstream_bytes(40'000);     // cut inside the next 40 kB sent
//   proxy.cut_all();                            // or cut everything now
//
// Each accepted connection is relayed to 127.0.0.1:target_port on a thread of its own
// (an Asio io_context). A cut resets both sides (SO_LINGER 0, so each peer sees a TCP
// RST, as when a cellular link drops); the listener stays open, so the client can
// reconnect through the proxy at once unless set_refusing(true) keeps the link "down".
#include <cstddef>
#include <cstdint>
#include <memory>

namespace gridgate::testing {

class TcpProxy {
public:
    // Binds 127.0.0.1 port 0 (no race for a free port). Throws std::runtime_error if it cannot.
    explicit TcpProxy(std::uint16_t target_port);
    ~TcpProxy();  // cuts everything and joins its thread
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    std::uint16_t port() const;

    // Resets every relayed connection now; returns how many there were.
    std::size_t cut_all();
    // Arms a cut: the next `bytes` bytes from clients to the server are relayed, then
    // every connection is reset (the chunk in progress is split at that byte, so the
    // server sees a truncated packet). Replaces an armed cut not yet done.
    void cut_after_upstream_bytes(std::uint64_t bytes);
    bool cut_armed() const;
    // While refusing, new connections are accepted and reset at once (the link is down).
    void set_refusing(bool refusing);

    std::size_t cuts() const;              // cut events done (cut_all calls and armed cuts)
    std::size_t accepted() const;          // connections accepted (refused ones included)
    std::size_t open_connections() const;  // relayed connections currently up
    std::uint64_t upstream_bytes() const;  // client -> server bytes relayed, all connections
    std::uint64_t downstream_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::testing
