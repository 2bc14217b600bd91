#pragma once
// Loader internals: the DLMS/COSEM parts of templates and meters (registers,
// identification objects, load profiles, the dlms: session settings) and the secrets
// file that holds the meters' passwords.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config_yaml.hpp"

namespace gridgate::gateway::config_detail {

std::vector<DlmsRegisterConfig> read_dlms_registers(const Located& list, Issues& issues);
std::vector<DlmsIdentityConfig> read_dlms_identity(const Located& list, Issues& issues);
std::vector<DlmsProfileConfig> read_dlms_profiles(const Located& list, Issues& issues);
// `on_bus`: HDLC settings apply (physical_id, address_size, max_info, window, inter_frame_timeout).
void read_dlms_settings(const Located& where, DlmsConfig& out, bool on_bus, Issues& issues);
// Point names used twice across registers, profile channels and status points.
void check_dlms_point_names(const MeterConfig& meter, const Located& where, Issues& issues);

// The secrets file (gateway.secrets_file): a YAML map with a `dlms` map of password keys
// to DLMS passwords and an `ssh` map of password keys to SSH passwords (or key
// passphrases), either map optional. Read once, on first use; its problems are reported once, at the first
// meter that needs it. Secrets never appear in messages.
class Secrets {
public:
    explicit Secrets(std::string path) : path_(std::move(path)) {}
    // The password for `key`, or nullopt with an issue at (line, path).
    std::optional<std::string> dlms_password(const std::string& key, int line, const std::string& key_path,
                                             Issues& issues);
    // The SSH password (or key passphrase) for `key` under ssh:, likewise.
    std::optional<std::string> ssh_secret(const std::string& key, int line, const std::string& key_path,
                                          Issues& issues);

private:
    bool load(int line, const std::string& key_path, Issues& issues);
    std::string path_;
    bool loaded_ = false;
    bool failed_ = false;
    std::optional<std::string> lookup(const std::map<std::string, std::string>& map, bool present,
                                      const char* section, std::size_t max_length, const std::string& key, int line,
                                      const std::string& key_path, Issues& issues);
    std::map<std::string, std::string> dlms_;
    std::map<std::string, std::string> ssh_;
    bool has_dlms_ = false;
    bool has_ssh_ = false;
};

// Canonical A.B.C.D.E.F text of an OBIS code given as "1.0.1.8.0.255", "1-0:1.8.0*255",
// "1-0:1.8.0.255" or "1.0.1.8.0" (F = 255); nullopt if it is not one.
std::optional<std::string> canonical_obis(const std::string& text);

}  // namespace gridgate::gateway::config_detail
