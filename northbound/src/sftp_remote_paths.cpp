// Where a spooled file goes on the head-end: <remote_root>/<gateway_id>/<meter>/<name>,
// and the hidden temporary sibling it is uploaded to before the rename.
#include <string>
#include <string_view>

#include "gridgate/northbound/sftp_forwarder.hpp"

namespace gridgate::northbound {

namespace {

// One path component: a meter id or a file name comes from a meter or a config file, so
// a '/' or a lone "." / ".." must not move the file out of its folder.
std::string safe_component(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c == '/' || c == '\0') c = '_';
    if (out == "." || out == "..") out.assign(out.size(), '_');
    return out;
}

// "" and "." mean the login folder: paths then stay relative ("gw/meter/name").
std::string root_prefix(const std::string& root) {
    if (root.empty() || root == "." || root == "./") return {};
    std::string out = root;
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    if (out != "/") out += '/';
    return out;
}

std::string meter_folder(const SftpSinkOptions& options, const SpooledFile& file) {
    return root_prefix(options.remote_root) + options.gateway_id + "/" +
           (file.meter.empty() ? std::string("_unassigned") : safe_component(file.meter));
}

}  // namespace

std::string SftpForwarder::remote_path(const SftpSinkOptions& options, const SpooledFile& file) {
    return meter_folder(options, file) + "/" + (file.name.empty() ? std::string("_") : safe_component(file.name));
}

std::string SftpForwarder::remote_temp_path(const SftpSinkOptions& options, const SpooledFile& file) {
    return meter_folder(options, file) + "/." + (file.name.empty() ? std::string("_") : safe_component(file.name)) +
           ".part";
}

}  // namespace gridgate::northbound
