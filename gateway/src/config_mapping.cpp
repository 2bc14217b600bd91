#include "config_mapping.hpp"

namespace gridgate::gateway {

namespace {
modbus::Table to_table(PointTable t) {
    switch (t) {
        case PointTable::coil: return modbus::Table::coil;
        case PointTable::discrete_input: return modbus::Table::discrete_input;
        case PointTable::holding_register: return modbus::Table::holding_register;
        case PointTable::input_register: return modbus::Table::input_register;
    }
    return modbus::Table::holding_register;
}

modbus::DataType to_type(PointType t) {
    switch (t) {
        case PointType::boolean: return modbus::DataType::boolean;
        case PointType::u16: return modbus::DataType::u16;
        case PointType::s16: return modbus::DataType::s16;
        case PointType::u32: return modbus::DataType::u32;
        case PointType::s32: return modbus::DataType::s32;
        case PointType::u32_le: return modbus::DataType::u32_le;
        case PointType::s32_le: return modbus::DataType::s32_le;
        case PointType::f32: return modbus::DataType::f32;
    }
    return modbus::DataType::u16;
}
}  // namespace

modbus::PointDef to_point_def(const PointConfig& p) {
    modbus::PointDef d;
    d.name = p.name;
    d.table = to_table(p.table);
    d.address = p.address;
    d.type = to_type(p.type);
    // JEMStar II analogs are auto-scaled into 0..32767 of the measurement range and
    // multiplied by the meter's per-point scale factor (manual, Modbus analog scaling).
    d.scale = p.full_scale ? p.scale * (*p.full_scale / 32767.0 / p.scale_factor) : p.scale;
    d.offset = p.offset;
    d.unit = p.unit;
    return d;
}

std::vector<modbus::PointDef> to_point_defs(const MeterConfig& m) {
    std::vector<modbus::PointDef> out;
    out.reserve(m.points.size());
    for (const auto& p : m.points) out.push_back(to_point_def(p));
    return out;
}

modbus::MeterOptions to_meter_options(const MeterConfig& m) {
    modbus::MeterOptions o;
    o.meter_id = m.id;
    o.unit_id = m.unit_id;
    o.response_timeout = m.response_timeout;
    o.plan.max_registers = m.max_block_registers;
    o.plan.max_gap = m.max_gap;
    o.source = m.bus.empty() ? Source::modbus_tcp : Source::modbus_rtu;
    return o;
}

std::vector<PriorityGroup> priority_groups(const MeterConfig& m) {
    std::vector<PriorityGroup> groups;
    for (const PointPriority p : {PointPriority::high, PointPriority::normal, PointPriority::low}) {
        PriorityGroup g{p, to_meter_options(m), {}};
        g.options.priority = p == PointPriority::high   ? modbus::Priority::high
                             : p == PointPriority::low  ? modbus::Priority::low
                                                        : modbus::Priority::normal;
        for (const auto& point : m.points)
            if (point.priority == p) g.points.push_back(to_point_def(point));
        if (!g.points.empty()) groups.push_back(std::move(g));
    }
    return groups;
}

modbus::TcpClientOptions to_client_options(const ConnectionConfig& c) {
    modbus::TcpClientOptions o;
    o.name = c.id;
    o.host = c.host;
    o.port = c.port;
    o.max_connections = c.max_connections;
    o.connect_timeout = c.connect_timeout;
    o.reconnect_max = c.reconnect_max;
    return o;
}

transport::SerialPortOptions to_serial_options(const BusConfig& b) {
    transport::SerialPortOptions o;
    o.path = b.device;
    o.baud = b.baud;
    o.data_bits = b.data_bits;
    o.parity = b.parity == "even" ? transport::Parity::even
               : b.parity == "odd" ? transport::Parity::odd
                                   : transport::Parity::none;
    o.stop_bits = b.stop_bits;
    o.rs485 = b.rs485 == "kernel" ? transport::Rs485Mode::kernel
              : b.rs485 == "rts"  ? transport::Rs485Mode::rts
                                  : transport::Rs485Mode::none;
    o.tx_start_delay = b.tx_start_delay;
    o.tx_end_delay = b.tx_end_delay;
    return o;
}

modbus::RtuBusOptions to_bus_options(const BusConfig& b) {
    modbus::RtuBusOptions o;
    o.name = b.id;
    o.baud = b.baud;
    o.health.timeouts_before_backoff = b.backoff_after;
    o.health.backoff_max = b.max_backoff;
    return o;
}

transport::TcpChannelOptions to_channel_options(const ConnectionConfig& c) {
    transport::TcpChannelOptions o;
    o.host = c.host;
    o.port = c.port;
    o.connect_timeout = c.connect_timeout;
    return o;
}

modbus::RtuBusOptions to_bus_options(const ConnectionConfig& c) {
    modbus::RtuBusOptions o;
    o.name = c.id;
    o.baud = c.baud;
    // Network jitter between the device server's frames: a gap on the line is not a gap
    // at our socket (drivers/modbus/RTU.md).
    o.frame_gap = std::chrono::milliseconds(20);
    o.reopen_max = c.reconnect_max;
    return o;
}

northbound::MqttOptions to_mqtt_options(const GatewayConfig& g, std::string password) {
    northbound::MqttOptions o;
    o.gateway_id = g.id;
    o.host = g.mqtt.host;
    o.port = g.mqtt.port;
    o.client_id = g.mqtt.client_id.empty() ? "gridgate-" + g.id : g.mqtt.client_id;
    o.topic_prefix = g.mqtt.topic_prefix;
    o.username = g.mqtt.username;
    o.password = std::move(password);
    o.tls.enabled = g.mqtt.tls.enabled;
    o.tls.ca_file = g.mqtt.tls.ca_file;
    o.tls.cert_file = g.mqtt.tls.cert_file;
    o.tls.key_file = g.mqtt.tls.key_file;
    o.tls.verify_server = g.mqtt.tls.verify_server;
    o.keepalive = g.mqtt.keepalive;
    o.batch_max_readings = g.mqtt.batch_max_readings;
    o.inflight_batches = g.mqtt.inflight_batches;
    o.max_messages_per_s = static_cast<double>(g.mqtt.max_messages_per_s);
    o.max_bytes_per_s = static_cast<double>(g.mqtt.max_bytes_per_s);
    o.live_lane_threshold = g.mqtt.live_lane_threshold;
    return o;
}

}  // namespace gridgate::gateway
