#pragma once
// The load profile recorder of the simulated DLMS meter (group 1, 1.0.99.1.0.255): one
// entry per capture period of the meter's own clock, ended at local-time multiples of the
// period, holding the interval's status and its energy per channel.
//
// Boundaries: an interval ends where the meter's LOCAL time (zone and DST) is a multiple
// of the capture period counted from the local epoch; for a period dividing an hour and a
// zone offset that is a multiple of it, that is the same as aligned in UTC. Around a DST
// change the boundary instant may carry either offset: on a fall-back day with hourly
// intervals, the ends are 02:00 summer time, 02:00 winter time, 03:00 winter time (25 a
// day); on a spring-forward day 02:00 does not exist and the end after 01:00 is 03:00
// summer time (23 a day). Daily periods end at local midnight on both days.
//
// Status (meter-dlms.md §6.3, a bit mask): 0 for an ordinary interval (the manual's
// worked example; its table says "normal = 1": we follow the example), midnight (2) when
// the end is local 00:00:00, power outage (4) on the first interval after an outage (its
// values cover only the powered part), time set (8) on the first one after a clock set,
// DST change (16) on the interval whose span (start, end] contains the change, plus any
// bits queued by add_status().
#include <cstdint>
#include <deque>
#include <vector>

#include "dlms_server_energy.hpp"
#include "gridgate/dlms/cosem_time.hpp"
#include "gridgate/dlms/obis.hpp"
#include "gridgate/sim/dlms_server.hpp"

namespace gridgate::sim::dlms_server {

using ProfileRow = DlmsServer::ProfileRow;

// The six channels of the manual's worked example: Wh del/rec, varh del/rec (polyphase),
// then the two status words (carried as floats of their decimal value).
std::vector<dlms::Obis> profile_channel_obis();
// "Operating status", the capture object for the status column. The manual gives no OBIS
// for it; 0.0.96.10.1.255 (status register 1) is our choice.
inline constexpr dlms::Obis operating_status{{0, 0, 96, 10, 1, 255}};

class ProfileRecorder {
public:
    // Precondition: period > 0, capacity > 0.
    ProfileRecorder(Duration period, const dlms::LocalZone& zone, std::uint32_t capacity);

    // The first interval end after `after_us` (meter UTC).
    TimestampUs next_end(TimestampUs after_us) const;

    // Fills the buffer with every interval ending in (from_us, to_us] (the history before
    // the simulator started), with ordinary statuses.
    void fill(TimestampUs from_us, TimestampUs to_us, const LoadModel& load, const std::vector<Outage>& outages);
    // Records every interval ending at or before `meter_us`; ends that fall inside an
    // outage are not recorded.
    void record_until(TimestampUs meter_us, const LoadModel& load, const std::vector<Outage>& outages);
    // The meter clock jumped forward to `meter_us`: the intervals ending up to it are not
    // recorded.
    void skip_to(TimestampUs meter_us);
    // ORs `bits` into the next recorded interval's status.
    void add_status(std::uint32_t bits) { pending_status_ |= bits; }

    const std::deque<ProfileRow>& rows() const { return rows_; }
    Duration period() const { return period_; }
    std::uint32_t capacity() const { return capacity_; }

private:
    std::int64_t offset_us(TimestampUs utc_us) const;
    TimestampUs boundary_at_or_before(TimestampUs utc_us) const;  // approximate near DST; see .cpp
    void record(TimestampUs end_us, const LoadModel& load, const std::vector<Outage>& outages);

    std::int64_t period_us_;
    Duration period_;
    dlms::LocalZone zone_;
    std::uint32_t capacity_;
    std::deque<ProfileRow> rows_;
    TimestampUs last_end_ = 0;  // the last boundary passed (recorded or skipped)
    std::uint32_t pending_status_ = 0;
};

}  // namespace gridgate::sim::dlms_server
