#pragma once
// Turns configuration structs into the drivers' and sinks' option structs. Kept apart
// from the wiring so the mapping (notably point scaling) is unit-testable.
#include <vector>

#include "gridgate/gateway/config.hpp"
#include "gridgate/modbus/meter_poller.hpp"
#include "gridgate/modbus/points.hpp"
#include "gridgate/modbus/rtu_bus.hpp"
#include "gridgate/transport/serial_options.hpp"
#include "gridgate/transport/tcp_byte_channel.hpp"
#include "gridgate/modbus/tcp_client.hpp"
#include "gridgate/northbound/mqtt_forwarder.hpp"

namespace gridgate::gateway {

modbus::PointDef to_point_def(const PointConfig& p);
std::vector<modbus::PointDef> to_point_defs(const MeterConfig& m);
modbus::MeterOptions to_meter_options(const MeterConfig& m);

// A meter's points of one priority, polled as one group: high first, then normal, low.
struct PriorityGroup {
    PointPriority priority;
    modbus::MeterOptions options;
    std::vector<modbus::PointDef> points;
};
std::vector<PriorityGroup> priority_groups(const MeterConfig& m);
modbus::TcpClientOptions to_client_options(const ConnectionConfig& c);
transport::SerialPortOptions to_serial_options(const BusConfig& b);
modbus::RtuBusOptions to_bus_options(const BusConfig& b);
// A serial device server carrying RTU over TCP.
transport::TcpChannelOptions to_channel_options(const ConnectionConfig& c);
modbus::RtuBusOptions to_bus_options(const ConnectionConfig& c);
// The password is read from mqtt.password_file by the caller.
northbound::MqttOptions to_mqtt_options(const GatewayConfig& g, std::string password);

}  // namespace gridgate::gateway
