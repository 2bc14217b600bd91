#pragma once
// NMEA 0183 sentences for gpsfake to replay: a receiver with a 3D fix reporting once a
// second, RMC then GGA per second (the order of most receivers' cycle), stamped with
// whatever UTC second the test chooses (normally "now", so the time gpsd reports is
// current and chronyd accepts it).
#include <cstdint>
#include <string>
#include <string_view>

namespace gridgate::testing {

// The NMEA checksum: XOR of every character between '$' and '*'.
std::uint8_t nmea_checksum(std::string_view body);

// "$" body "*" two upper-case hex digits CR LF.
std::string nmea_sentence(std::string_view body);

// `seconds` fixes, one per second from `start_unix_s` (UTC): a GPRMC (status A, date)
// and a GPGGA (quality 1, 8 satellites) for each, both carrying the same time.
std::string nmea_fix_log(std::int64_t start_unix_s, int seconds);

}  // namespace gridgate::testing
