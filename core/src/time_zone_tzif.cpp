// TZif reader (RFC 8536). Version 1 files are read from their 32-bit data block; version
// 2 and later from the 64-bit block after it, plus the POSIX TZ footer that covers instants
// after the last transition (all a "slim" file has for recent years). Every count and
// index is checked against the file before it is used: a zone file is external input.
#include <string>

#include "gridgate/core/time_zone.hpp"
#include "time_zone_detail.hpp"

namespace gridgate::tz_detail {
namespace {

constexpr std::size_t header_size = 44;

struct Header {
    char version = 0;  // 0 for version 1, else '2', '3', '4'...
    std::uint32_t isutcnt = 0;
    std::uint32_t isstdcnt = 0;
    std::uint32_t leapcnt = 0;
    std::uint32_t timecnt = 0;
    std::uint32_t typecnt = 0;
    std::uint32_t charcnt = 0;

    // Size of the data block that follows the header, for 4- or 8-byte times.
    std::uint64_t data_size(std::uint64_t time_size) const {
        return std::uint64_t{timecnt} * time_size + timecnt + std::uint64_t{typecnt} * 6 + charcnt +
               std::uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
    }
};

class TzifReader {
public:
    TzifReader(std::string_view bytes, std::string_view origin) : bytes_(bytes), origin_(origin) {}

    ZoneData read() {
        const Header first = header();
        skip_or_fail(first.data_size(4), "version 1 data block");
        if (first.version == 0) {
            pos_ = header_size;
            return data_block(first, 4);
        }
        const Header second = header();
        if (second.version == 0) fail("second header has no version");
        ZoneData zone = data_block(second, 8);
        footer(zone);
        return zone;
    }

private:
    [[noreturn]] void fail(const std::string& reason) const {
        throw TimeZoneError("TZif file " + std::string(origin_) + ": " + reason);
    }
    std::size_t remaining() const { return bytes_.size() - pos_; }
    void skip_or_fail(std::uint64_t n, std::string_view what) {
        if (n > remaining()) {
            fail("truncated: " + std::string(what) + " needs " + std::to_string(n) + " bytes, " +
                 std::to_string(remaining()) + " left");
        }
        pos_ += static_cast<std::size_t>(n);
    }
    std::uint8_t u8() { return static_cast<std::uint8_t>(bytes_[pos_++]); }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
        return v;
    }
    std::int64_t time_value(std::size_t size) {
        if (size == 4) return static_cast<std::int32_t>(u32());
        const std::uint64_t high = u32();
        return static_cast<std::int64_t>((high << 32) | u32());
    }

    Header header() {
        if (remaining() < header_size) fail("truncated: header needs 44 bytes, " + std::to_string(remaining()) + " left");
        if (bytes_.substr(pos_, 4) != "TZif") fail("bad magic (not a TZif file)");
        Header h;
        h.version = bytes_[pos_ + 4];
        if (h.version != 0 && (h.version < '2' || h.version > '9')) fail("unsupported version byte");
        pos_ += 20;  // magic, version, 15 reserved bytes
        h.isutcnt = u32();
        h.isstdcnt = u32();
        h.leapcnt = u32();
        h.timecnt = u32();
        h.typecnt = u32();
        h.charcnt = u32();
        if (h.typecnt == 0) fail("bad counts: typecnt is 0");
        if (h.typecnt > 256) fail("bad counts: typecnt " + std::to_string(h.typecnt) + " exceeds 256");
        if (h.charcnt == 0) fail("bad counts: charcnt is 0");
        if (h.isutcnt != 0 && h.isutcnt != h.typecnt) fail("bad counts: isutcnt is neither 0 nor typecnt");
        if (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) fail("bad counts: isstdcnt is neither 0 nor typecnt");
        // Leap-second ("right/") files count TAI-like seconds; the gateway uses POSIX time.
        if (h.leapcnt != 0) fail("leap-second records are not supported (a \"right/\" zone?)");
        return h;
    }

    ZoneData data_block(const Header& h, std::size_t time_size) {
        const std::size_t start = pos_;
        skip_or_fail(h.data_size(time_size), "data block");
        pos_ = start;
        ZoneData zone;
        zone.transitions.reserve(h.timecnt);
        for (std::uint32_t i = 0; i < h.timecnt; ++i) {
            const std::int64_t t = time_value(time_size);
            if (!zone.transitions.empty() && t <= zone.transitions.back()) fail("transition times not ascending");
            zone.transitions.push_back(t);
        }
        zone.transition_types.reserve(h.timecnt);
        for (std::uint32_t i = 0; i < h.timecnt; ++i) {
            const std::uint8_t type = u8();
            if (type >= h.typecnt) fail("transition type index " + std::to_string(type) + " out of range");
            zone.transition_types.push_back(type);
        }
        struct RawType {
            std::int32_t offset;
            std::uint8_t isdst;
            std::uint8_t desigidx;
        };
        std::vector<RawType> raw(h.typecnt);
        for (RawType& r : raw) {
            r.offset = static_cast<std::int32_t>(u32());
            r.isdst = u8();
            r.desigidx = u8();
        }
        const std::string_view designations = bytes_.substr(pos_, h.charcnt);
        pos_ += h.charcnt;
        for (const RawType& r : raw) zone.types.push_back(local_type(r.offset, r.isdst, r.desigidx, designations));
        // Standard/wall and UT/local indicators only matter to zic-like rule generation.
        for (std::uint32_t i = 0; i < h.isstdcnt + h.isutcnt; ++i) {
            if (u8() > 1) fail("standard/wall or UT/local indicator is not 0 or 1");
        }
        return zone;
    }

    LocalType local_type(std::int32_t offset, std::uint8_t isdst, std::uint8_t desigidx, std::string_view designations) {
        if (offset <= -max_abs_offset_s || offset >= max_abs_offset_s) {
            fail("UTC offset " + std::to_string(offset) + " s out of range");
        }
        if (isdst > 1) fail("isdst is not 0 or 1");
        if (desigidx >= designations.size()) fail("designation index out of range");
        const std::size_t end = designations.find('\0', desigidx);
        if (end == std::string_view::npos) fail("designation not NUL-terminated");
        return {offset, isdst == 1, std::string(designations.substr(desigidx, end - desigidx))};
    }

    void footer(ZoneData& zone) {
        if (remaining() == 0 || bytes_[pos_] != '\n') fail("truncated: missing footer");
        const std::size_t end = bytes_.find('\n', pos_ + 1);
        if (end == std::string_view::npos) fail("truncated: unterminated footer");
        const std::string_view rule = bytes_.substr(pos_ + 1, end - pos_ - 1);
        pos_ = end + 1;
        if (rule.empty()) return;  // no rule: the last type stays in force
        try {
            zone.footer = parse_posix_rule(rule);
        } catch (const TimeZoneError& e) {
            fail(std::string("bad footer: ") + e.what());
        }
        // RFC 8536 requires the footer to agree with the last transition; a file where it
        // does not would convert differently on each side of that instant.
        if (!zone.transitions.empty()) {
            const LocalType& last = zone.types[zone.transition_types.back()];
            const LocalType& rule_type = zone.footer->type_at(zone.transitions.back());
            if (last.utc_offset_s != rule_type.utc_offset_s || last.dst != rule_type.dst) {
                fail("footer \"" + std::string(rule) + "\" disagrees with the last transition");
            }
        }
    }

    std::string_view bytes_;
    std::string_view origin_;
    std::size_t pos_ = 0;
};

}  // namespace

ZoneData parse_tzif(std::string_view bytes, std::string_view origin) {
    return TzifReader(bytes, origin).read();
}

}  // namespace gridgate::tz_detail
