#pragma once
// gridgated's configuration as typed structs with their documented defaults
// (docs/configuration.md documents every key). load_config() fills them from YAML and
// refuses unknown keys, wrong types, out-of-range values, duplicate ids and dangling
// references, naming the file, line and key path of each problem.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gridgate/core/log.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/meterclock/policy_config.hpp"

namespace gridgate::gateway {

struct TlsConfig {
    bool enabled = false;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    bool verify_server = true;
};

struct MqttConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 1883;
    std::string client_id;                 // default: gridgate-<gateway id>
    std::string topic_prefix = "gridgate";
    std::string username;
    std::string password_file;             // file holding the password (never in this file)
    TlsConfig tls;
    Duration keepalive = std::chrono::seconds(30);
    std::size_t batch_max_readings = 500;  // 1..10000
    std::size_t inflight_batches = 16;     // 1..1000
    std::uint64_t max_messages_per_s = 0;  // 0 = unlimited
    std::uint64_t max_bytes_per_s = 0;     // 0 = unlimited
    std::optional<std::size_t> live_lane_threshold;  // unset = max(5, inflight) x batch_max_readings; 0 = off
};

struct StoreConfig {
    Duration commit_interval = std::chrono::milliseconds(100);  // 1ms..10s
    std::size_t commit_max_readings = 10'000;                   // 1..1000000
    std::string sync = "full";                                  // full | normal
    std::uint64_t quota_bytes = 0;                              // 0 = no size quota
    Duration max_age = Duration::zero();                        // 0 = no age limit
    std::string quota_policy = "drop_oldest";                   // drop_oldest | stop_low_priority
    std::size_t max_pending_readings = 200'000;                 // in memory while the disk refuses writes
};

enum class PointTable { coil, discrete_input, holding_register, input_register };
enum class PointType { boolean, u16, s16, u32, s32, u32_le, s32_le, f32 };

// Polling priority: high points are read first on a shared bus, and low points are the
// ones suspended when the store's quota policy is stop_low_priority.
enum class PointPriority { high, normal, low };

struct PointConfig {
    std::string name;
    PointTable table = PointTable::holding_register;
    std::uint16_t address = 0;        // PDU address, 0-based
    PointType type = PointType::u16;  // boolean for coil / discrete_input
    double scale = 1.0;
    double offset = 0.0;
    std::optional<double> full_scale;  // JEMStar auto-scaled analog: value = raw/32767*full_scale/scale_factor
    double scale_factor = 1.0;         // the meter's per-point scale factor (with full_scale)
    std::string unit;
    PointPriority priority = PointPriority::normal;
    int line = 0;                      // where it was defined, for messages
};

// A DNP3 point: an index of one static object type, with its name, unit and scale.
// Events of that type (g2, g22, g23, g32) map onto the same point.
struct Dnp3PointConfig {
    std::string name;
    std::string type = "counter";     // binary_input | binary_output | counter | frozen_counter | analog_input
    std::uint32_t index = 0;          // as on the wire (0-based)
    double scale = 1.0;               // engineering value = raw * scale + offset
    double offset = 0.0;
    std::string unit;
    std::string rollover = "none";    // none | 32bit | 999999999 (counters)
    int line = 0;
};

// A read of an object range on its own period (besides the class polls).
struct Dnp3ReadConfig {
    std::string name;
    std::string type = "counter";     // as Dnp3PointConfig::type
    std::uint32_t start = 0;
    std::uint32_t stop = 0;
    unsigned variation = 0;           // 0 = the outstation's default
    Duration period = std::chrono::minutes(15);
    int line = 0;
};

// A DNP3 meter's session settings.
struct Dnp3Config {
    std::uint16_t address = 1;                 // outstation link address 0..65519
    std::uint16_t master_address = 1;          // the gateway's link address
    bool confirmed_link = false;               // CONFIRMED_USER_DATA with link retries
    unsigned link_retries = 2;                 // 0..255
    Duration link_timeout = std::chrono::seconds(1);
    Duration response_timeout = std::chrono::seconds(5);
    Duration integrity_period = std::chrono::hours(1);   // 0 = only at start, restart, comm loss
    Duration class1_period = std::chrono::minutes(1);    // 0 = off
    Duration class2_period = Duration::zero();
    Duration class3_period = Duration::zero();
    Duration class0_period = std::chrono::minutes(1);    // static data
    std::string time_sync = "auto";            // auto (lan on TCP, non_lan on a bus) | none | lan | non_lan
    Duration time_check_period = std::chrono::hours(1);  // 0 = never read the meter's clock unasked
    Duration time_tolerance = std::chrono::seconds(1);
    bool sync_on_need_time = true;
    std::string priority = "normal";           // high | normal | low: order on a shared line
};

// A DLMS register or data object read on the register period (value attribute 2).
struct DlmsRegisterConfig {
    std::string name;                 // reading point name
    std::string obis;                 // canonical A.B.C.D.E.F
    unsigned class_id = 3;            // 3 register (scaler/unit from attribute 3) | 1 data | 4 extended register
    std::optional<double> scale;      // replaces 10^scaler: value = raw * scale
    std::string unit;                 // replaces the unit from attribute 3
    int line = 0;
};
// An identification object read at each association and every identity_period.
struct DlmsIdentityConfig {
    std::string name;                 // e.g. serial_number
    std::string obis;
    unsigned class_id = 1;
    std::string expect;               // empty: reported, not checked
    int line = 0;
};
// A load-profile channel: a capture object mapped to a point.
struct DlmsChannelConfig {
    std::string name;
    std::string obis;
    int attribute = 2;
    double scale = 1.0;               // value = raw * scale
    std::string unit;
    int line = 0;
};
struct DlmsProfileConfig {
    std::string name = "lp1";
    std::string obis = "1.0.99.1.0.255";
    std::vector<DlmsChannelConfig> channels;
    std::string status_obis;          // empty: the first class-1 capture object
    std::string status_point;         // empty: the raw interval status is not stored
    Duration poll_delay = std::chrono::seconds(10);
    Duration history = std::chrono::hours(24);  // first read when nothing is stored yet
    std::size_t max_entries_per_read = 96;
    int line = 0;
};
// A DLMS/COSEM meter's session settings.
struct DlmsConfig {
    unsigned client = 16;                         // client SAP: 16 public, 1 read/write, 2 read-only (JEMStar II)
    std::string authentication;                   // none | low; default: none for client 16, else low
    std::string password_key;                     // key in the secrets file; default: the meter id
    std::string password;                         // loaded from the secrets file; never printed or logged
    unsigned logical_device = 1;                  // server (upper HDLC) address / wrapper wPort
    unsigned physical_id = 100;                   // HDLC lower address (bus meters)
    unsigned address_size = 4;                    // HDLC server address octets: 1 | 2 | 4
    unsigned max_info = 128;                      // HDLC info field proposed (transmit and receive)
    unsigned window = 1;                          // HDLC window proposed
    unsigned max_pdu = 65535;                     // largest APDU the gateway accepts (proposed in the AARQ)
    Duration response_timeout = std::chrono::seconds(5);
    Duration inter_frame_timeout = std::chrono::seconds(1);
    unsigned retries = 2;                         // HDLC frame re-sendings after a timeout
    Duration idle_release = std::chrono::seconds(30);
    std::string priority = "normal";              // high | normal | low: order on a shared line
    Duration register_period = std::chrono::minutes(1);  // 0 = registers not read
    Duration identity_period = std::chrono::hours(1);
    bool identity_blocks = false;                 // a mismatch stops register and profile reads
    Duration clock_check_period = std::chrono::minutes(15);  // 0 = only around a set
    bool clock_set = false;                       // may set the meter's clock (needs client 1)
    Duration clock_tolerance = std::chrono::seconds(2);
    Duration clock_guard = std::chrono::seconds(30);
    std::string deviation = "blue_book";          // blue_book | iso | ignore (how the meter's date-times read)
    int utc_offset_minutes = 0;                   // the meter's standard time (ISO sign), when deviation is absent or ignored
    std::string dst = "none";                     // none | eu | us: the meter's DST rule, likewise
};

// An SSH/SFTP peer: a meter's SFTP service (PQDIF pull) or a head-end (file sink).
struct SshPeerConfig {
    std::string host;                                     // meter: default the host of its connection
    std::uint16_t port = 22;
    std::string user;                                     // required
    std::string auth = "password";                        // password | key
    std::string password_key;                             // key under `ssh:` in the secrets file; default: the meter / sink id
    std::string password;                                 // loaded from the secrets file; never printed or logged
    std::string private_key_file;                         // auth: key (relative to the config file's folder)
    std::string key_passphrase;                           // auth: key, from secrets `ssh:` <password_key> when present
    std::vector<std::string> host_key_fingerprints;       // "SHA256:<base64>" (ssh-keygen -l)
    std::string known_hosts_file;                         // default <data_dir>/known_hosts
    bool trust_on_first_use = false;                      // pin an unknown host's key at first contact
    Duration connect_timeout = std::chrono::seconds(10);  // 1s..5min
    Duration io_timeout = std::chrono::seconds(30);       // 1s..10min
};

// PQDIF retrieval from a meter's SFTP service.
struct PqdifPullConfig {
    bool enabled = false;
    SshPeerConfig ssh;
    std::string directory = ".";                          // the meter's PQDIF folder
    std::string pattern = "*.pqd";                        // file names taken (fnmatch)
    Duration interval = std::chrono::minutes(15);         // 10s..7d
    Duration settle = std::chrono::seconds(5);            // a file's size and mtime unchanged this long before it is taken
    bool delete_after_forward = false;                    // delete on the meter once every file sink delivered it
    std::uint64_t capacity_bytes = 0;                     // the meter's PQDIF storage; 0 = unknown (no FIFO warning)
    double warn_fill = 0.8;                               // warn when files not yet taken fill this fraction (0.1..1)
    std::size_t max_files_per_pull = 200;                 // 1..10000
};

// Files a meter pushes (SCP/SFTP) into the gateway's own sshd (an SFTP-only chrooted
// account per meter; rootfs/sshd documents it).
struct InboxConfig {
    bool enabled = false;
    std::string directory;                                // default <files.inbox_root>/<meter id>/incoming
    Duration settle = std::chrono::seconds(5);            // a file not written or renamed for this long is complete (found at start)
};

struct SpoolConfig {
    std::string directory;                                // default <data_dir>/spool
    std::uint64_t quota_bytes = 0;                        // 0 = no quota
    std::string quota_policy = "drop_oldest";             // drop_oldest | stop_intake
};

struct AlarmReceiverConfig {
    bool enabled = false;
    std::string listen = "0.0.0.0";
    std::uint16_t port = 8443;                            // 0 = any free port (tests)
    std::string cert_file;                                // required when enabled
    std::string key_file;                                 // required when enabled
    std::string client_ca_file;                           // verify client certificates when set
    bool require_client_cert = false;                     // needs client_ca_file
    std::string path = "/";
    std::uint64_t max_body_bytes = 4 * 1024 * 1024;       // 1 KiB..64 MiB
    std::uint64_t max_json_bytes = 64 * 1024;             // 256..1 MiB
    Duration request_timeout = std::chrono::seconds(60);  // 1s..10min
    std::size_t max_connections = 16;                     // 1..256
};

// A northbound SFTP file sink (head-end).
struct SftpSinkConfig {
    std::string id;                                       // sink name "sftp.<id>"
    SshPeerConfig ssh;                                    // host required
    std::string remote_root = ".";
    std::uint64_t max_bytes_per_s = 0;                    // 0 = unlimited
    std::vector<std::pair<int, int>> windows;             // UTC minutes [start, end); from "HH:MM-HH:MM"
    int line = 0;
};

// The gateway's own clock (docs/time.md): where its quality comes from.
struct TimeConfig {
    std::string source = "chrony";                           // chrony | none (not checked: readings never flagged)
    std::string chrony = "unix:/run/chrony/chronyd.sock";    // chronyd's command socket, or host:port (UDP cmdport)
    Duration poll_interval = std::chrono::seconds(16);       // 1s..10min
    Duration max_error = std::chrono::milliseconds(100);     // 1ms..10s: root distance still "synced"
    Duration holdover = std::chrono::hours(1);               // 0..7d: "holdover" after the last good update
    Duration sources_lost_after = std::chrono::seconds(64);  // 1s..1h: no update for max(this, 4 update intervals)
};

struct FilesConfig {
    SpoolConfig spool;
    std::string inbox_root;                               // default <data_dir>/inbox
    AlarmReceiverConfig alarms;
    std::vector<SftpSinkConfig> sinks;
};

// A scheme of points shared by many meters (the manual's "staging area").
struct TemplateConfig {
    std::string id;
    std::string protocol = "modbus";           // modbus | dnp3 | dlms
    std::vector<PointConfig> points;
    std::vector<Dnp3PointConfig> dnp3_points;
    std::vector<DlmsRegisterConfig> dlms_registers;
    std::vector<DlmsProfileConfig> dlms_profiles;
};

// A Modbus TCP endpoint. Several meters (unit ids) may share one (serial gateways).
struct ConnectionConfig {
    std::string id;
    std::string protocol = "modbus_tcp";                  // modbus_tcp | modbus_rtu_over_tcp | dnp3_tcp | dlms_tcp
    std::string host;
    std::uint16_t port = 502;
    unsigned max_connections = 1;                         // 1..8 (JEMStar II allows 2)
    Duration connect_timeout = std::chrono::seconds(3);
    Duration reconnect_max = std::chrono::seconds(60);
    unsigned baud = 9600;                                 // modbus_rtu_over_tcp: the device server's serial speed
    bool implicit = false;                                // made from a meter's host/port
    int line = 0;                                         // where it was defined, for messages
};

// A serial line (RS-485 or RS-232) carrying Modbus RTU and/or DNP3 to one or more meters,
// one transaction at a time.
struct BusConfig {
    std::string id;
    std::string protocol = "modbus_rtu";
    std::string device;                                  // e.g. /dev/serial/by-id/usb-FTDI_..-if00-port0
    unsigned baud = 9600;                                // 1200..115200, standard rates
    unsigned data_bits = 8;                              // 7 | 8
    std::string parity = "none";                         // none | even | odd
    unsigned stop_bits = 1;                              // 1 | 2
    std::string rs485 = "none";                          // none | kernel | rts (direction control)
    Duration tx_start_delay = Duration::zero();          // rts: after raising RTS, before sending
    Duration tx_end_delay = Duration::zero();            // rts: after the last byte, before dropping RTS
    Duration max_backoff = std::chrono::minutes(5);      // ceiling of a dead meter's backoff
    unsigned backoff_after = 3;                          // consecutive timeouts before backing off
    int line = 0;
};

struct MeterConfig {
    std::string id;
    std::string protocol = "modbus";                      // modbus | dnp3 | dlms
    std::string connection;                               // ConnectionConfig id (TCP meters)
    std::string bus;                                      // BusConfig id (serial meters); one of the two
    std::uint8_t unit_id = 1;                             // 0..255 (Modbus TCP unit id)
    Duration response_timeout = std::chrono::seconds(1);  // 10ms..60s
    Duration poll_interval = std::chrono::minutes(1);     // 10ms..24h
    Duration poll_jitter = Duration::zero();              // 0..poll_interval
    std::string template_id;                              // optional
    std::vector<PointConfig> points;                      // template points followed by own points
    std::uint16_t max_block_registers = 125;              // 1..125
    std::uint16_t max_gap = 0;                            // 0..124
    bool trace = false;                                   // hex trace of this meter's frames
    bool enabled = true;
    // protocol: dnp3
    Dnp3Config dnp3;
    std::vector<Dnp3PointConfig> dnp3_points;             // template points followed by own points
    std::vector<Dnp3ReadConfig> dnp3_reads;
    // protocol: dlms
    DlmsConfig dlms;
    std::vector<DlmsRegisterConfig> dlms_registers;       // template registers followed by own
    std::vector<DlmsIdentityConfig> dlms_identity;
    std::vector<DlmsProfileConfig> dlms_profiles;         // own, else the template's
    // power-quality files and notifications (any protocol)
    PqdifPullConfig pqdif;
    InboxConfig inbox;
    std::vector<std::string> notification_ids;            // DeviceId / MV 90 / Meter ID values its notifications carry
    // The meter clock policy (any protocol): its clock: keys over its template's over the
    // defaults; without a clock: map on either, built from the old dnp3: / dlms: clock keys
    // (clock_from_legacy). protocols is always filled (default: the meter's own). The old
    // fields (dnp3.time_*, dlms.clock_*) are kept in step with it.
    meterclock::ClockPolicyConfig clock;
    bool clock_from_legacy = false;
};

struct GatewayConfig {
    std::string id;                                       // required
    std::string data_dir = "/var/lib/gridgate";
    std::string control_socket;                           // default: <data_dir>/gridgated.sock
    std::string secrets_file;                             // meter passwords (DLMS); resolved path, may be empty
    LogLevel log_level = LogLevel::info;
    Duration status_interval = std::chrono::seconds(60);  // periodic retained status details
    MqttConfig mqtt;
    StoreConfig store;
    std::vector<TemplateConfig> templates;
    std::vector<ConnectionConfig> connections;            // explicit and implicit
    std::vector<BusConfig> buses;
    std::vector<MeterConfig> meters;
    TimeConfig time;
    FilesConfig files;
    std::string source_file;
};

struct ConfigIssue {
    std::string file;
    int line = 0;          // 1-based, 0 if unknown
    std::string key_path;  // e.g. meters[2].points[0].address
    std::string message;
    std::string to_string() const;  // "file:line: key_path: message"
};

struct ConfigResult {
    std::optional<GatewayConfig> config;  // set only when issues is empty
    std::vector<ConfigIssue> issues;
};

// Parses YAML text; `file` is used in messages only.
ConfigResult parse_config(const std::string& yaml_text, const std::string& file);
// Reads and parses a file (a missing or unreadable file is an issue, not an exception).
ConfigResult load_config(const std::string& path);

}  // namespace gridgate::gateway
