#pragma once
// The simulated JEMStar II as a DLMS/COSEM server (logical device 1, management): its
// objects (meter-dlms.md §6), associations for clients 16 / 1 / 2, GET (normal, with
// list, block transfer), SET of the clock only, selective access on profile buffers, and
// a load profile recorded at each capture boundary of the meter's own clock. Pure: time
// comes in as arguments (system UTC µs); the transports (TCP wrapper, HDLC) are
// elsewhere and hand it whole request APDUs.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/dlms/cosem_time.hpp"
#include "gridgate/dlms/obis.hpp"

namespace gridgate::sim {

struct DlmsServerOptions {
    std::string id = "dlms1";          // meter id (served log, control)
    std::uint64_t seed = 1;            // load model seed
    std::string serial_number = "JS2-000001";  // 0.0.96.11.0.255
    std::string meter_id;              // 0.0.96.11.1.255 (default: the id)
    std::string password1 = "ClientId1";
    std::string password2 = "ClientId2";
    bool public_client = true;          // client 16 enabled
    std::uint16_t max_pdu = 512;        // the meter's Max APDU (transmit and receive)
    Duration capture_period = std::chrono::minutes(15);  // LP group 1 interval
    Duration history = std::chrono::hours(24 * 7);       // LP recorded before the simulator started
    std::uint32_t profile_entries = 78624;                // LP retention (oldest dropped beyond)
    dlms::LocalZone zone{};             // the meter's time zone and DST rule
    enum class DeviationMode : std::uint8_t { blue_book, iso, unspecified } deviation = DeviationMode::blue_book;
    Duration clock_offset{0};           // meter clock minus system clock at start
    double clock_drift_ppm = 0;         // the meter's clock runs fast by this much
    std::string administrator = "Administrator";  // 0.0.96.11.2.255
    std::string location = "Site 1";              // 0.0.96.11.3.255
    std::string configuration_id = "CFG-0001";    // 0.0.96.11.4.255
    std::string account_number = "0000000001";    // 0.0.96.11.5.255
};

// Per-association state (one per TCP connection, one per HDLC connection).
struct DlmsAssociation {
    bool associated = false;
    std::uint16_t client_sap = 0;
    std::uint16_t client_max_pdu = 0;      // from the AARQ
    std::uint32_t conformance = 0;         // granted
    std::vector<std::vector<std::uint8_t>> pending_blocks;  // a long GET response, block i+1 at [i]
    std::uint8_t pending_invoke = 0;
    std::uint32_t last_block_sent = 0;     // of pending_blocks
};

struct DlmsServerStats {
    std::uint64_t associations = 0;
    std::uint64_t rejected_associations = 0;   // wrong password, unknown client, bad context
    std::uint64_t requests = 0;
    std::uint64_t blocks_sent = 0;
    std::uint64_t time_sets = 0;
    std::uint64_t denied = 0;                  // read-write-denied answers
    std::uint64_t bad_apdus = 0;               // undecodable or unknown requests
};

class DlmsServer {
public:
    // `start_utc_us`: system time at start; the profile is filled with `history` of
    // intervals before it.
    DlmsServer(DlmsServerOptions options, TimestampUs start_utc_us);
    ~DlmsServer();
    DlmsServer(const DlmsServer&) = delete;
    DlmsServer& operator=(const DlmsServer&) = delete;

    const DlmsServerOptions& options() const;

    // One request APDU from `client_sap` (the wrapper's source wPort or the HDLC client
    // address). Returns the response APDU, or nothing when the meter does not answer
    // (e.g. a request before the association, per the meter: an exception response is
    // also acceptable — see the .cpp). Records due profile intervals first.
    std::vector<std::uint8_t> handle_apdu(DlmsAssociation& association, std::uint16_t client_sap,
                                          std::span<const std::uint8_t> apdu, TimestampUs now_utc_us);
    // The association ends (RLRQ handled inside handle_apdu; this is for a dropped
    // connection, an HDLC DISC or an inactivity timeout).
    void end_association(DlmsAssociation& association);

    // Records every profile interval whose end (meter clock) is <= the meter time at
    // now_utc_us. Called by handle_apdu and by the runtime's timer.
    void advance_to(TimestampUs now_utc_us);

    // The meter's clock (UTC µs) at system time now_utc_us.
    TimestampUs meter_time(TimestampUs now_utc_us) const;
    void set_meter_time(TimestampUs meter_utc_us, TimestampUs now_utc_us);  // what a SET does
    void shift_clock(Duration by, TimestampUs now_utc_us);                   // control: "dlms clock"

    // Control: OR `status_bits` into the next recorded interval's status; simulate a
    // power outage from now for `length` (no intervals recorded during it; the first one
    // after it has status power_outage and is partial).
    void add_next_status(std::uint32_t status_bits);
    void power_outage(Duration length, TimestampUs now_utc_us);

    struct ProfileRow {
        TimestampUs end_us = 0;  // interval end, UTC (meter clock)
        std::uint32_t status = 0;
        std::vector<double> values;  // per channel, as sent (float32 precision)
    };
    // The profile buffer as the meter holds it now (oldest first), for the control socket.
    std::vector<ProfileRow> profile(std::optional<TimestampUs> from_us = std::nullopt,
                                    std::optional<TimestampUs> to_us = std::nullopt) const;
    std::vector<dlms::Obis> profile_channels() const;

    DlmsServerStats stats() const;

    // Served-log hook: called with (kind, detail JSON object) on a clock set
    // ("dlms_time_set" {"meter","step_ms"}) and an association ("dlms_associated"
    // {"meter","client"}) / rejection ("dlms_rejected" {"meter","client","diagnostic"}).
    void set_event_hook(std::function<void(const std::string& kind, const std::string& detail_json)> hook);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::sim
