#pragma once
// Loader internals: the readers of the top-level sections. Each reads its section of the
// root map into `cfg`, reporting into the root's issues; absent optional sections leave
// the defaults. They run in this order: gateway, mqtt (needs the gateway id for the
// default client id), store, then templates, connections and meters together (meters
// refer to both).
#include <string>

#include "config_yaml.hpp"

namespace gridgate::gateway::config_detail {

// `base_dir`: where relative paths point (see resolve_path).
void read_gateway_section(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg);
void read_mqtt_section(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg);
void read_store_section(const MapReader& root, GatewayConfig& cfg);
void read_meter_sections(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg);
void read_files_section(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg);
void read_time_section(const MapReader& root, GatewayConfig& cfg);

}  // namespace gridgate::gateway::config_detail
