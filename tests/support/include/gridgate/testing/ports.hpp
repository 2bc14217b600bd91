#pragma once
// Loopback ports for tests that start real servers. Tests only ever use 127.0.0.1.
#include <cstdint>

namespace gridgate::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
// Another process may take it before the caller binds it; servers started by the test
// helpers retry with a new port when that happens.
std::uint16_t free_loopback_port();

// True when something accepts TCP connections on 127.0.0.1:port (used as a readiness
// probe for servers started by a test).
bool loopback_port_accepts(std::uint16_t port);

}  // namespace gridgate::testing
