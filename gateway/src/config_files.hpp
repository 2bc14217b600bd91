#pragma once
// Loader internals: power-quality files. The `files:` section (spool, inbox root, the
// HTTPS alarm receiver, northbound SFTP sinks) and each meter's `pqdif:` (SFTP pull),
// `inbox:` (push) and `notification_ids:`. SSH passwords come from the secrets file's
// `ssh:` map, like DLMS passwords from its `dlms:` map.
#include <string>

#include "config_dlms.hpp"
#include "config_yaml.hpp"

namespace gridgate::gateway::config_detail {

// The meter's files keys (any protocol). `default_host`: the host of its connection, ""
// for a serial meter.
void read_meter_files(const MapReader& m, MeterConfig& meter, const std::string& default_host,
                      const std::string& base_dir, const GatewayConfig& cfg, Secrets& secrets);
// The files: section; runs after the meters (checks refer to them).
void read_files_section(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg);

}  // namespace gridgate::gateway::config_detail
