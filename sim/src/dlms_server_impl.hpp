#pragma once
// DlmsServer's state, shared by its source files: dlms_server.cpp (API, dispatch, clock
// and power), dlms_server_acse.cpp (associations), dlms_server_services.cpp (GET, SET,
// block transfer), dlms_server_values.cpp (attribute values per class),
// dlms_server_clock.cpp (the clock object), dlms_server_profile_object.cpp (the profile
// object and selective access).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dlms_server_energy.hpp"
#include "dlms_server_objects.hpp"
#include "dlms_server_profile.hpp"
#include "gridgate/dlms/apdu.hpp"
#include "gridgate/sim/dlms_server.hpp"
#include "gridgate/sim/dnp3_clock.hpp"
#include "gridgate/sim/load_model.hpp"

namespace gridgate::sim {

namespace dlms_server {
// The date-time the meter shows for a meter-clock instant: local time with its
// deviation per the DeviationMode (Blue Book or ISO sign, or not specified) and the DST
// status bit.
dlms::CosemDateTime meter_date_time(TimestampUs meter_utc_us, const DlmsServerOptions& options);
// How the meter reads a date-time it receives (a SET, a range selection): with the
// deviation it carries (in the meter's sign), or in the meter's zone when it carries none.
dlms::TimeInterpretation meter_time_interpretation(const DlmsServerOptions& options);
}  // namespace dlms_server

struct DlmsServer::Impl {
    Impl(DlmsServerOptions opts, TimestampUs start_utc_us);

    // One request being served.
    struct Request {
        DlmsAssociation& association;
        std::uint16_t client = 0;
        TimestampUs now_us = 0;
    };
    struct SystemSpan {
        TimestampUs from_us = 0;
        TimestampUs to_us = 0;
    };

    DlmsServerOptions options;
    LoadModel load;
    MeterClock clock;
    dlms_server::ObjectTable objects;
    dlms_server::ProfileRecorder profile;
    dlms_server::EnergyRegisters energy;
    std::vector<dlms_server::Outage> outages;  // meter time without power
    std::vector<SystemSpan> unpowered;         // the same in system time
    DlmsServerStats stats;
    std::function<void(const std::string&, const std::string&)> hook;

    // dlms_server.cpp
    bool powered(TimestampUs now_us) const;
    void advance(TimestampUs now_us);
    void set_time(TimestampUs meter_us, TimestampUs now_us);           // any step of the meter clock
    void protocol_time_set(TimestampUs meter_us, TimestampUs now_us);  // a SET: counted, announced
    void emit(const char* kind, const std::string& detail_json) const;
    std::string meter_json_prefix() const;  // {"meter":"<id>"

    // dlms_server_acse.cpp
    std::vector<std::uint8_t> on_aarq(Request& r, std::span<const std::uint8_t> apdu);
    std::vector<std::uint8_t> on_rlrq(Request& r);

    // dlms_server_services.cpp
    std::vector<std::uint8_t> on_get(Request& r, std::span<const std::uint8_t> apdu);
    std::vector<std::uint8_t> on_set(Request& r, std::span<const std::uint8_t> apdu);
    std::size_t response_limit(const DlmsAssociation& a) const;

    // dlms_server_values.cpp: the checks (object, class, attribute, access) and the value.
    dlms::GetResult get(const Request& r, const dlms::GetItem& item);
    dlms::GetResult value_of(const Request& r, const dlms_server::CosemObject& object, std::int8_t attribute,
                             const std::optional<dlms::SelectiveAccess>& access);

    // dlms_server_clock.cpp
    dlms::Data clock_attribute(std::int8_t attribute, TimestampUs now_us) const;
    dlms::AccessResult set_clock_from(const dlms::Data& value, TimestampUs now_us);

    // dlms_server_profile_object.cpp
    dlms::GetResult profile_attribute(std::int8_t attribute, const std::optional<dlms::SelectiveAccess>& access) const;
};

}  // namespace gridgate::sim
