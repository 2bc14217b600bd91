// A forwarder in a process of its own, for the last-will test: the test kills it with
// SIGKILL so the broker sees the connection die without a DISCONNECT.
//   northbound_forwarder_probe <port> <gateway_id>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/northbound/mqtt_forwarder.hpp"
#include "gridgate/testing/memory_outbox.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <port> <gateway_id>\n", argv[0]);
        return 2;
    }
    gridgate::testing::MemoryOutbox outbox;
    outbox.append(gridgate::testing::make_readings(5));
    gridgate::SystemClock clock;
    gridgate::Logger logger(gridgate::LogLevel::info);
    gridgate::northbound::MqttOptions options;
    options.gateway_id = argv[2];
    options.port = static_cast<std::uint16_t>(std::stoi(argv[1]));
    options.reconnect_min = std::chrono::milliseconds(100);
    gridgate::northbound::MqttForwarder forwarder(options, outbox, clock, logger);
    forwarder.start();
    while (true) ::pause();  // until killed
}
