#include "dlms_options.hpp"

#include <algorithm>
#include <set>

#include "dnp3_control.hpp"
#include "gridgate/dlms/cosem_time.hpp"

namespace gridgate::sim {

namespace po = boost::program_options;

namespace {

constexpr std::size_t max_dlms_meters = 1000;
// The HDLC information field: down to 32 octets for tests that want many segments, up to
// the manual's "64-2014" (the frame's 11-bit length field allows at most 2035).
constexpr unsigned min_hdlc_info = 32;
constexpr unsigned max_hdlc_info = 2014;
constexpr unsigned max_hdlc_window = 7;
constexpr unsigned min_max_pdu = 64;
constexpr int min_utc_offset = -12 * 60;
constexpr int max_utc_offset = 14 * 60;

// A duration, or a bare 0.
bool parse_delay(const std::string& text, Duration& out) {
    if (text == "0") {
        out = Duration::zero();
        return true;
    }
    return parse_duration(text, out);
}

bool parse_deviation(const std::string& text, DlmsServerOptions::DeviationMode& out) {
    using Mode = DlmsServerOptions::DeviationMode;
    if (text == "blue_book") out = Mode::blue_book;
    else if (text == "iso") out = Mode::iso;
    else if (text == "unspecified") out = Mode::unspecified;
    else return false;
    return true;
}

}  // namespace

void describe_dlms(po::options_description& d, SimOptions& o, DlmsRawOptions& raw) {
    d.add_options()
        ("dlms-meters", po::value(&o.dlms_meters)->default_value(o.dlms_meters),
         "number of DLMS/COSEM TCP meters (0..1000), each on its own port (the TCP wrapper)")
        ("dlms-id-prefix", po::value(&o.dlms_id_prefix)->default_value(o.dlms_id_prefix),
         "DLMS TCP meters are <prefix>1..<prefix>N, serial ones <prefix><physical id>")
        ("dlms-base-port", po::value(&raw.base_port)->default_value(raw.base_port),
         "DLMS meter i (0-based) listens on base + i; 0 picks free ports and prints them")
        ("dlms-serial", po::value(&o.dlms_serial_device),
         "serve DLMS meters (HDLC) on this serial device (at --baud, --parity, --stop-bits)")
        ("dlms-serial-pty", po::bool_switch(&o.dlms_serial_pty),
         "serve DLMS meters (HDLC) on a new pty and print 'dlms-bus <path>'")
        ("dlms-physical-ids", po::value(&raw.physical_ids)->default_value(raw.physical_ids),
         "HDLC physical IDs (lower HDLC addresses) of the meters on the serial line, e.g. 100-103 (16..16381)")
        ("dlms-capture-period", po::value(&raw.capture_period)->default_value(raw.capture_period),
         "load profile interval (at least 1s), aligned to the meter's clock")
        ("dlms-history", po::value(&raw.history)->default_value(raw.history),
         "load profile recorded before the simulator started (0 = none)")
        ("dlms-profile-entries", po::value(&o.dlms.profile_entries)->default_value(o.dlms.profile_entries),
         "load profile entries kept (the oldest are dropped beyond)")
        ("dlms-password1", po::value(&o.dlms.password1)->default_value(o.dlms.password1),
         "LLS password of client 1 (read/write, clock set)")
        ("dlms-password2", po::value(&o.dlms.password2)->default_value(o.dlms.password2),
         "LLS password of client 2 (read only)")
        ("dlms-no-public", po::bool_switch(&raw.no_public), "refuse associations of the public client 16")
        ("dlms-max-pdu", po::value(&raw.max_pdu)->default_value(raw.max_pdu),
         "the meter's max APDU size, receive and transmit (64..65535)")
        ("dlms-hdlc-info", po::value(&raw.hdlc_info)->default_value(raw.hdlc_info),
         "HDLC max information field, transmit and receive (32..2014)")
        ("dlms-hdlc-window", po::value(&raw.hdlc_window)->default_value(raw.hdlc_window),
         "HDLC window size, transmit and receive (1..7)")
        ("dlms-inactivity-timeout", po::value(&raw.inactivity_timeout)->default_value(raw.inactivity_timeout),
         "close a DLMS TCP connection silent this long (0 = never)")
        ("dlms-hdlc-inactivity", po::value(&raw.hdlc_inactivity)->default_value(raw.hdlc_inactivity),
         "end an HDLC connection silent this long (0 = never)")
        ("dlms-interframe-timeout", po::value(&raw.interframe_timeout)->default_value(raw.interframe_timeout),
         "drop a partial HDLC frame after this long without bytes")
        ("dlms-clock-offset", po::value(&raw.clock_offset)->default_value(raw.clock_offset),
         "start the DLMS meters' clocks this far off the system clock, e.g. -5s")
        ("dlms-clock-drift", po::value(&o.dlms.clock_drift_ppm)->default_value(o.dlms.clock_drift_ppm),
         "the DLMS meters' clocks run fast by this many ppm (negative: slow)")
        ("dlms-utc-offset", po::value(&raw.utc_offset)->default_value(raw.utc_offset),
         "the meters' standard time zone in minutes east of UTC (ISO sign: CET is 60)")
        ("dlms-dst", po::value(&raw.dst)->default_value(raw.dst), "daylight saving rule: none, eu or us")
        ("dlms-deviation", po::value(&raw.deviation)->default_value(raw.deviation),
         "date-time deviation sent: blue_book (UTC = local + deviation), iso, or unspecified");
}

// The DLMS meters' ids: unique, and none of a Modbus meter or DNP3 outstation.
std::string check_dlms_ids(const SimOptions& o, const std::set<std::string>& ids,
                           const std::set<std::string>& dnp3_ids) {
    std::set<std::string> dlms_ids;
    for (std::size_t i = 0; i < o.dlms_meters; ++i) dlms_ids.insert(o.dlms_meter_id(i));
    if (o.dlms_serial_enabled()) {
        for (const std::uint16_t id : o.dlms_physical_ids) {
            if (!dlms_ids.insert(o.dlms_serial_meter_id(id)).second)
                return "DLMS serial meter " + o.dlms_serial_meter_id(id) +
                       " has the id of a DLMS TCP meter; choose other --dlms-physical-ids or --dlms-id-prefix";
        }
    }
    for (const std::string& id : dlms_ids)
        if (ids.count(id) != 0 || dnp3_ids.count(id) != 0)
            return "DLMS meter " + id + " has the id of a Modbus meter or DNP3 outstation; change --dlms-id-prefix";
    return "";
}

std::string check_dlms(SimOptions& o, const DlmsRawOptions& raw, const po::variables_map& vm) {
    if (o.dlms_serial_pty && !o.dlms_serial_device.empty())
        return "--dlms-serial and --dlms-serial-pty are exclusive (one DLMS line per process)";
    if (!o.dlms_serial_device.empty() &&
        (o.dlms_serial_device == o.rtu_device || o.dlms_serial_device == o.dnp3_serial_device))
        return "--dlms-serial names the device of another line; DLMS meters need a line of their own";
    if (o.dlms_meters > max_dlms_meters) return "--dlms-meters must be 0.." + std::to_string(max_dlms_meters);
    if (!o.dlms_serial_enabled() && !vm["dlms-physical-ids"].defaulted())
        return "--dlms-physical-ids needs --dlms-serial DEVICE or --dlms-serial-pty";
    std::string error;
    if (o.dlms_serial_enabled() && !parse_dlms_physical_id_list(raw.physical_ids, o.dlms_physical_ids, error))
        return "--dlms-physical-ids " + raw.physical_ids + ": " + error;
    if (o.dlms_id_prefix.empty()) return "--dlms-id-prefix must not be empty";
    if (raw.base_port > 65535 ||
        (raw.base_port != 0 && raw.base_port + std::max<std::size_t>(o.dlms_meters, 1) - 1 > 65535))
        return "--dlms-base-port + --dlms-meters - 1 must stay below 65536";
    o.dlms_base_port = static_cast<std::uint16_t>(raw.base_port);

    if (!parse_duration(raw.capture_period, o.dlms.capture_period) || o.dlms.capture_period < std::chrono::seconds(1))
        return "--dlms-capture-period needs a duration of at least 1s, such as 15m";
    if (!parse_delay(raw.history, o.dlms.history)) return "--dlms-history needs a duration such as 7d, or 0";
    if (o.dlms.profile_entries < 1) return "--dlms-profile-entries must be at least 1";
    if (o.dlms.password1.empty() || o.dlms.password2.empty()) return "--dlms-password1/2 must not be empty";
    o.dlms.public_client = !raw.no_public;
    if (raw.max_pdu < min_max_pdu || raw.max_pdu > 65535)
        return "--dlms-max-pdu must be " + std::to_string(min_max_pdu) + "..65535";
    o.dlms.max_pdu = static_cast<std::uint16_t>(raw.max_pdu);

    if (raw.hdlc_info < min_hdlc_info || raw.hdlc_info > max_hdlc_info)
        return "--dlms-hdlc-info must be " + std::to_string(min_hdlc_info) + ".." + std::to_string(max_hdlc_info);
    if (raw.hdlc_window < 1 || raw.hdlc_window > max_hdlc_window)
        return "--dlms-hdlc-window must be 1.." + std::to_string(max_hdlc_window);
    auto& p = o.dlms_hdlc.parameters;
    p.max_info_tx = p.max_info_rx = static_cast<std::uint16_t>(raw.hdlc_info);
    p.window_tx = p.window_rx = static_cast<std::uint8_t>(raw.hdlc_window);
    if (!parse_delay(raw.inactivity_timeout, o.dlms_tcp_inactivity))
        return "--dlms-inactivity-timeout needs a duration such as 60s, or 0";
    if (!parse_delay(raw.hdlc_inactivity, o.dlms_hdlc.inactivity_timeout))
        return "--dlms-hdlc-inactivity needs a duration such as 120s, or 0";
    if (!parse_duration(raw.interframe_timeout, o.dlms_interframe_timeout) ||
        o.dlms_interframe_timeout <= Duration::zero())
        return "--dlms-interframe-timeout needs a duration such as 1000ms";

    if (!parse_signed_duration(raw.clock_offset, o.dlms.clock_offset))
        return "--dlms-clock-offset needs a signed duration such as -5s";
    if (!(o.dlms.clock_drift_ppm > -1e5 && o.dlms.clock_drift_ppm < 1e5))
        return "--dlms-clock-drift must be within +-100000 ppm";
    if (raw.utc_offset < min_utc_offset || raw.utc_offset > max_utc_offset)
        return "--dlms-utc-offset must be " + std::to_string(min_utc_offset) + ".." + std::to_string(max_utc_offset);
    o.dlms.zone.utc_offset_min = static_cast<std::int16_t>(raw.utc_offset);
    const auto dst = dlms::parse_dst_rule(raw.dst);
    if (!dst) return "--dlms-dst must be none, eu or us";
    o.dlms.zone.dst = *dst;
    if (!parse_deviation(raw.deviation, o.dlms.deviation))
        return "--dlms-deviation must be blue_book, iso or unspecified";
    return "";
}

}  // namespace gridgate::sim
