#pragma once
// One simulated JEMStar II on DLMS/COSEM as the runtime and the control socket see it: its
// COSEM server, where it is reachable (a TCP port, or a serial line at a physical ID with
// its HDLC link state machine), the link counters, and the "link" switch the control
// socket uses to make the meter unreachable while it keeps recording its load profile.
// Pure: the transports on Asio (dlms_tcp_server.hpp, dlms_serial_line.hpp) use it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/dlms_hdlc_server.hpp"
#include "gridgate/sim/dlms_server.hpp"
#include "gridgate/sim/line_timing.hpp"

namespace gridgate::sim {

// The TCP wrapper transport's counters.
struct DlmsTcpStats {
    std::uint64_t connections = 0;           // accepted and served
    std::uint64_t rejected_connections = 0;  // a second one while one is open (closed at once)
    std::uint64_t refused_link_down = 0;     // accepted and closed at once while the link is down
    std::uint64_t inactivity_closes = 0;
    std::uint64_t wrapper_errors = 0;        // connections closed for a bad wrapper header
    std::uint64_t wrong_destination = 0;     // APDUs for a wPort other than 1 (not answered)
    std::uint64_t apdus_rx = 0;
    std::uint64_t apdus_tx = 0;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
};

// A serial line carrying DLMS meters (HDLC), and its counters.
struct DlmsLineStats {
    std::uint64_t rx_bytes = 0;
    std::uint64_t frames = 0;               // good frames, any address
    std::uint64_t hcs_errors = 0;
    std::uint64_t fcs_errors = 0;
    std::uint64_t malformed = 0;            // bad format field, address or length
    std::uint64_t discarded_octets = 0;     // outside any frame
    std::uint64_t other_address = 0;        // frames for no meter on the line (silence)
    std::uint64_t link_down = 0;            // frames for a meter whose link is down (silence)
    std::uint64_t interframe_timeouts = 0;  // partial frames dropped after the inter-frame timeout
    std::uint64_t frames_tx = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t tx_dropped_bytes = 0;     // bytes the device would not take (nobody reading)
};

struct DlmsLineInfo {
    std::string device;
    LineSettings line;
    std::vector<std::uint16_t> physical_ids;
    DlmsLineStats stats;
};

class DlmsMeter {
public:
    using UtcNow = std::function<TimestampUs()>;

    // `utc_now` gives the system time for the APDUs the HDLC link hands over (the system
    // clock when empty).
    DlmsMeter(DlmsServerOptions options, TimestampUs start_utc_us, UtcNow utc_now = {});
    DlmsMeter(const DlmsMeter&) = delete;
    DlmsMeter& operator=(const DlmsMeter&) = delete;

    const std::string& id() const { return id_; }
    DlmsServer& server() { return *server_; }
    const DlmsServer& server() const { return *server_; }
    TimestampUs utc_now() const { return utc_now_(); }

    // On TCP: the port it listens on.
    std::uint16_t port() const { return port_; }
    void set_port(std::uint16_t port) { port_ = port; }
    DlmsTcpStats& tcp_stats() { return tcp_stats_; }
    const DlmsTcpStats& tcp_stats() const { return tcp_stats_; }

    // On a serial line: the HDLC link (one per meter), whose requests go to the server
    // under an association of the HDLC connection. Call once.
    DlmsHdlcServer& attach_hdlc(const DlmsHdlcOptions& options, std::string bus);
    DlmsHdlcServer* hdlc() { return hdlc_.get(); }
    const DlmsHdlcServer* hdlc() const { return hdlc_.get(); }
    const std::string& bus() const { return bus_; }

    // The link switch: down drops the HDLC connection (its association ends) and tells
    // the listeners (the TCP server closes its connection); up lets clients in again.
    bool link_up() const { return link_up_; }
    void set_link_up(bool up);
    void add_link_listener(std::function<void(bool up)> listener);

private:
    std::string id_;
    std::unique_ptr<DlmsServer> server_;
    UtcNow utc_now_;
    std::uint16_t port_ = 0;
    DlmsTcpStats tcp_stats_;
    std::string bus_;
    DlmsAssociation hdlc_association_;
    std::unique_ptr<DlmsHdlcServer> hdlc_;
    bool link_up_ = true;
    std::vector<std::function<void(bool)>> link_listeners_;
};

// The DLMS meters of one metersim process, in the order added.
class DlmsFleet {
public:
    DlmsMeter& add(std::unique_ptr<DlmsMeter> meter);
    DlmsMeter* find(std::string_view id);
    std::size_t size() const { return meters_.size(); }
    DlmsMeter& operator[](std::size_t i) { return *meters_[i]; }
    const DlmsMeter& operator[](std::size_t i) const { return *meters_[i]; }

    DlmsLineInfo& add_line(DlmsLineInfo line);
    std::size_t line_count() const { return lines_.size(); }
    const DlmsLineInfo& line(std::size_t i) const { return *lines_[i]; }

private:
    std::vector<std::unique_ptr<DlmsMeter>> meters_;
    std::vector<std::unique_ptr<DlmsLineInfo>> lines_;
};

// A served-log line for one of the COSEM server's events (set_event_hook): the detail
// object with "t" (system UTC µs) and "event" in front, newline included:
//   {"t":1795233634091773,"event":"dlms_time_set","meter":"dlms1","step_ms":5000}
std::string dlms_served_line(TimestampUs t, std::string_view kind, std::string_view detail_json);

}  // namespace gridgate::sim
