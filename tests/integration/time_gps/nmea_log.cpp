#include "nmea_log.hpp"

#include <cstdio>
#include <ctime>

namespace gridgate::testing {

std::uint8_t nmea_checksum(std::string_view body) {
    std::uint8_t sum = 0;
    for (char c : body) sum = static_cast<std::uint8_t>(sum ^ static_cast<std::uint8_t>(c));
    return sum;
}

std::string nmea_sentence(std::string_view body) {
    char tail[6];
    std::snprintf(tail, sizeof(tail), "*%02X\r\n", nmea_checksum(body));
    return "$" + std::string(body) + tail;
}

std::string nmea_fix_log(std::int64_t start_unix_s, int seconds) {
    // A fixed position (the textbook one, 48°07.038' N 11°31.000' E): only time matters.
    constexpr const char* position = "4807.038,N,01131.000,E";
    std::string log;
    for (int i = 0; i < seconds; ++i) {
        const std::time_t t = static_cast<std::time_t>(start_unix_s + i);
        std::tm utc{};
        ::gmtime_r(&t, &utc);
        char hms[16], dmy[16], body[128];
        std::strftime(hms, sizeof(hms), "%H%M%S.00", &utc);  // hhmmss.ss
        std::strftime(dmy, sizeof(dmy), "%d%m%y", &utc);      // ddmmyy
        // RMC: time, status A(ctive), position, speed 0 kn, course 0, date, no magnetic
        // variation, mode A(utonomous).
        std::snprintf(body, sizeof(body), "GPRMC,%s,A,%s,0.0,0.0,%s,,,A", hms, position, dmy);
        log += nmea_sentence(body);
        // GGA: time, position, quality 1 (GPS fix), 8 satellites, HDOP 0.9, altitude
        // 545.4 m, geoid separation 46.9 m, no DGPS.
        std::snprintf(body, sizeof(body), "GPGGA,%s,%s,1,08,0.9,545.4,M,46.9,M,,", hms, position);
        log += nmea_sentence(body);
    }
    return log;
}

}  // namespace gridgate::testing
