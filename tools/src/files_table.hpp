#pragma once
// gridgatectl files: the spool's files with their state, the PQDIF pulls, the push
// inboxes, the HTTPS receiver and the SFTP sinks, as tables.
#include <nlohmann/json.hpp>

namespace gridgate::tools {

void print_files(const nlohmann::json& files);

}  // namespace gridgate::tools
