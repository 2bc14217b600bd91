#pragma once
// Test helpers for time zones: a TZif writer (RFC 8536 layout) to make valid and broken
// zone files on purpose, and a private temporary directory to load them from.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gridgate::tz_test {

struct TzifType {
    std::int32_t utc_offset_s;
    bool dst;
    std::string abbreviation;
};

struct TzifSpec {
    char version = '2';                    // 0 for a version-1 file
    std::vector<std::int64_t> transitions;
    std::vector<std::uint8_t> transition_types;
    std::vector<TzifType> types;
    std::string footer;                    // POSIX TZ rule (v2+ only), may be empty
    std::uint32_t leap_count = 0;          // > 0 writes zeroed leap records
};

// The complete file. The v1 block of a v2+ file holds the same data (times that fit in
// 32 bits), as zic writes it.
std::string build_tzif(const TzifSpec& spec);

// Offsets of the six 32-bit counts in a header (for corrupting them).
inline constexpr std::size_t isutcnt_at = 20, isstdcnt_at = 24, leapcnt_at = 28, timecnt_at = 32,
                             typecnt_at = 36, charcnt_at = 40;
void put_u32(std::string& bytes, std::size_t at, std::uint32_t value);

class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Writes bytes to path()/name (folders created) and returns the path.
    std::filesystem::path write(std::string_view name, std::string_view bytes) const;

private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);

}  // namespace gridgate::tz_test
