// The TZif reader on files made for the purpose (v1, v2, v3, slim with only a footer) and
// on broken ones, which must be refused with a reason; zone names that try to leave the
// tz directory; and every zone file the system has.
#include <catch2/catch.hpp>

#include "tz_test_util.hpp"
#include "tzif_builder.hpp"

using namespace gridgate;
using namespace gridgate::tz_test;
using Catch::Matchers::Contains;

namespace {

constexpr TimestampUs second = 1'000'000;

// New York since 2007 in a few explicit transitions (2026 and 2027), EST before them.
TzifSpec new_york_2026(char version) {
    TzifSpec spec;
    spec.version = version;
    spec.types = {{-hours(5), false, "EST"}, {-hours(4), true, "EDT"}};
    spec.transitions = {utc_us(2026, 3, 8, 7) / second, utc_us(2026, 11, 1, 6) / second, utc_us(2027, 3, 14, 7) / second};
    spec.transition_types = {1, 0, 1};
    if (version != 0) spec.footer = "EST5EDT,M3.2.0,M11.1.0";
    return spec;
}

TimeZone load_bytes(const ScratchDir& dir, const std::string& bytes) {
    dir.write("Test/Zone", bytes);
    return TimeZone::load("Test/Zone", dir.path());
}

void check_refused(const std::string& bytes, const std::string& reason) {
    ScratchDir dir;
    INFO("expected reason: " << reason);
    CHECK_THROWS_WITH(load_bytes(dir, bytes), Contains(reason) && Contains("Test/Zone"));
}

}  // namespace

TEST_CASE("TZif v1, v2 and v3 files are read; v2+ use the footer after the last transition") {
    ScratchDir dir;
    for (const char version : {'\0', '2', '3'}) {
        INFO("version " << static_cast<int>(version));
        const TimeZone z = load_bytes(dir, build_tzif(new_york_2026(version)));
        CHECK(z.at(utc_us(2026, 1, 1)) == ZoneOffset{-hours(5), false, "EST"});
        CHECK(z.at(utc_us(2026, 3, 8, 7)) == ZoneOffset{-hours(4), true, "EDT"});
        CHECK(z.at(utc_us(2026, 11, 1, 6)) == ZoneOffset{-hours(5), false, "EST"});
        CHECK(z.resolve(local(2026, 11, 1, 1, 30)).kind == LocalKind::ambiguous);
        // After the last explicit transition (EDT from March 2027): a v1 file stays there,
        // v2+ files follow the footer.
        const ZoneOffset winter_2040 = z.at(utc_us(2040, 1, 15));
        CHECK(winter_2040.utc_offset_s == (version == 0 ? -hours(4) : -hours(5)));
        if (version != 0) {
            CHECK(z.at(utc_us(2040, 3, 11, 7)).dst);
            CHECK(z.resolve(local(2027, 11, 7, 1, 30)).kind == LocalKind::ambiguous);
        }
    }
}

TEST_CASE("a slim file with no transitions at all relies entirely on its footer") {
    ScratchDir dir;
    TzifSpec spec;
    spec.types = {{hours(1), false, "CET"}};
    spec.footer = "CET-1CEST,M3.5.0,M10.5.0/3";
    const TimeZone z = load_bytes(dir, build_tzif(spec));
    CHECK(z.at(utc_us(2026, 3, 29, 1)) == ZoneOffset{hours(2), true, "CEST"});
    CHECK(z.at(utc_us(2026, 3, 29, 1) - 1) == ZoneOffset{hours(1), false, "CET"});
    CHECK(z.resolve(local(2026, 10, 25, 2, 30)).kind == LocalKind::ambiguous);
    CHECK(z.resolve(local(2026, 3, 29, 2, 30)).kind == LocalKind::missing);
}

TEST_CASE("a v3 footer with RFC 8536 extended times (negative hours) is accepted") {
    ScratchDir dir;
    TzifSpec spec;
    spec.version = '3';
    spec.types = {{-hours(2), false, "-02"}, {-hours(1), true, "-01"}};
    spec.transitions = {utc_us(2024, 3, 31, 1) / second};
    spec.transition_types = {1};
    spec.footer = "<-02>2<-01>,M3.5.0/-1,M10.5.0/0";
    const TimeZone z = load_bytes(dir, build_tzif(spec));
    CHECK(z.at(utc_us(2026, 10, 25, 1) - second).utc_offset_s == -hours(1));
    CHECK(z.at(utc_us(2026, 10, 25, 1)).utc_offset_s == -hours(2));
}

TEST_CASE("truncated TZif files are refused at every length") {
    const std::string whole = read_file("/usr/share/zoneinfo/America/New_York");
    REQUIRE(whole.size() > 1000);
    for (std::size_t n = 0; n < whole.size(); ++n) {
        INFO("first " << n << " bytes");
        REQUIRE_THROWS_AS(TimeZone::from_tzif("America/New_York", std::string_view(whole).substr(0, n)), TimeZoneError);
    }
    ScratchDir dir;
    CHECK_THROWS_WITH(load_bytes(dir, whole.substr(0, 30)), Contains("truncated: header"));
    CHECK_THROWS_WITH(load_bytes(dir, whole.substr(0, 200)), Contains("truncated"));
    CHECK_THROWS_WITH(load_bytes(dir, whole.substr(0, whole.size() - 1)), Contains("unterminated footer"));
    CHECK_NOTHROW(load_bytes(dir, whole));
}

TEST_CASE("corrupting any byte of a real file gives a refusal or a usable zone, never a crash") {
    const std::string whole = read_file("/usr/share/zoneinfo/Europe/Berlin");
    int refused = 0;
    for (std::size_t i = 0; i < whole.size(); ++i) {
        for (const char value : {'\0', '\x7f', '\xff'}) {
            std::string bytes = whole;
            bytes[i] = value;
            try {
                const TimeZone z = TimeZone::from_tzif("Corrupt", bytes);
                for (const TimestampUs t : {utc_us(1900, 1, 1), utc_us(2026, 10, 25, 1), utc_us(2100, 3, 28, 1)}) {
                    const LocalResolution r = z.resolve(z.to_local(t));
                    REQUIRE((r.earlier_us == t || r.later_us == t));
                }
            } catch (const TimeZoneError&) {
                ++refused;
            }
        }
    }
    CHECK(refused > 0);
}

TEST_CASE("TZif files with bad magic, version or counts are refused with the reason") {
    const std::string good = build_tzif(new_york_2026('2'));
    const std::size_t v2_header = good.find("TZif", 4);
    REQUIRE(v2_header != std::string::npos);

    std::string bytes = good;
    bytes.replace(0, 4, "TZiF");
    check_refused(bytes, "bad magic");
    check_refused("#!/bin/sh\necho not a zone file, but long enough to have a header\n", "bad magic");

    bytes = good;
    bytes[4] = '1';
    check_refused(bytes, "unsupported version");

    bytes = good;
    put_u32(bytes, typecnt_at, 0);
    check_refused(bytes, "typecnt is 0");

    bytes = good;
    put_u32(bytes, v2_header + charcnt_at, 0);
    check_refused(bytes, "charcnt is 0");

    bytes = good;
    put_u32(bytes, v2_header + isutcnt_at, 1);
    check_refused(bytes, "isutcnt is neither 0 nor typecnt");

    bytes = good;
    put_u32(bytes, v2_header + timecnt_at, 0xffffffff);
    check_refused(bytes, "truncated: data block");

    bytes = good;
    put_u32(bytes, timecnt_at, 1000);
    check_refused(bytes, "truncated: version 1 data block");

    bytes = good;
    put_u32(bytes, v2_header + typecnt_at, 300);
    check_refused(bytes, "typecnt 300 exceeds 256");
}

TEST_CASE("TZif files with bad data are refused with the reason") {
    TzifSpec spec = new_york_2026('2');
    spec.transition_types = {1, 2, 1};
    check_refused(build_tzif(spec), "transition type index 2 out of range");

    spec = new_york_2026('2');
    std::swap(spec.transitions[0], spec.transitions[1]);
    check_refused(build_tzif(spec), "not ascending");

    spec = new_york_2026('2');
    spec.types[0].utc_offset_s = -hours(30);
    check_refused(build_tzif(spec), "UTC offset -108000 s out of range");

    spec = new_york_2026('2');
    spec.leap_count = 1;
    check_refused(build_tzif(spec), "leap-second records are not supported");

    spec = new_york_2026('2');
    spec.footer = "EST5EDT,M3.2.0";
    check_refused(build_tzif(spec), "bad footer");

    // The footer must agree with the last transition (EDT from 14 March 2027).
    spec = new_york_2026('2');
    spec.footer = "EST5";
    check_refused(build_tzif(spec), "disagrees with the last transition");

    std::string bytes = build_tzif(new_york_2026('2'));
    bytes.pop_back();  // the footer's closing newline
    check_refused(bytes, "unterminated footer");

    bytes = build_tzif(new_york_2026('2'));
    bytes.resize(bytes.size() - std::string("\nEST5EDT,M3.2.0,M11.1.0\n").size());
    check_refused(bytes, "missing footer");

    // The v2 block: header, 3 times of 8 bytes, 3 type indices, then 2 types of 6 bytes
    // (offset, isdst, designation index) and the designations "EST\0EDT\0".
    const std::size_t v2 = build_tzif(new_york_2026('2')).find("TZif", 4);
    const std::size_t types_at = v2 + 44 + 3 * 8 + 3;
    const std::size_t designations_at = types_at + 2 * 6;
    bytes = build_tzif(new_york_2026('2'));
    bytes[types_at + 5] = 20;
    check_refused(bytes, "designation index out of range");
    bytes = build_tzif(new_york_2026('2'));
    REQUIRE(bytes.substr(designations_at, 8) == std::string("EST\0EDT\0", 8));
    bytes[designations_at + 7] = 'X';
    check_refused(bytes, "designation not NUL-terminated");
    bytes = build_tzif(new_york_2026('2'));
    bytes[types_at + 4] = 2;
    check_refused(bytes, "isdst is not 0 or 1");
}

TEST_CASE("TZif bytes from elsewhere load like a file") {
    const TimeZone z = TimeZone::from_tzif("Pushed/New_York", build_tzif(new_york_2026('2')));
    CHECK(z.name() == "Pushed/New_York");
    CHECK(z.at(utc_us(2030, 7, 1)).dst);
    CHECK_THROWS_WITH(TimeZone::from_tzif("Pushed/Junk", "TZif"), Contains("Pushed/Junk") && Contains("truncated"));
}

TEST_CASE("zone names that leave the tz directory, or do not exist, are refused") {
    for (const char* name : {"../etc/passwd", "/etc/passwd", "America/../../etc/passwd", "..", "./UTC", "America//New_York",
                             "America/New York", "", "America/New_York/", "Europe\\Berlin"}) {
        INFO(name);
        CHECK_THROWS_WITH(TimeZone::load(name), Contains("refused"));
    }
    CHECK_THROWS_WITH(TimeZone::load("../etc/passwd"), Contains("stay inside the tz directory"));
    CHECK_THROWS_WITH(TimeZone::load("Mars/Olympus_Mons"), Contains("unknown time zone") && Contains("Mars/Olympus_Mons"));
    CHECK_THROWS_WITH(TimeZone::load("America"), Contains("not a zone file"));
    CHECK_THROWS_WITH(TimeZone::load("zone.tab"), Contains("bad magic"));
    CHECK_THROWS_WITH(TimeZone::load("right/UTC"), Contains("leap-second"));
}

TEST_CASE("every zone file of the system loads, and its names round-trip") {
    const std::filesystem::path root = "/usr/share/zoneinfo";
    std::size_t loaded = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(root); it != std::filesystem::recursive_directory_iterator(); ++it) {
        const std::string relative = std::filesystem::relative(it->path(), root).string();
        // posix/ is a copy of the tree, right/ has leap seconds (refused on purpose).
        if (it->is_directory() && (relative == "posix" || relative == "right")) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file() || read_file(it->path()).substr(0, 4) != "TZif") continue;
        INFO(relative);
        const TimeZone z = TimeZone::load(relative);
        // A round trip through local time at a few instants.
        for (const TimestampUs t : {utc_us(1990, 6, 1, 12), utc_us(2026, 1, 1), utc_us(2026, 7, 1), utc_us(2077, 12, 24, 18)}) {
            const LocalResolution r = z.resolve(z.to_local(t));
            REQUIRE((r.earlier_us == t || r.later_us == t));
        }
        ++loaded;
    }
    CHECK(loaded > 300);
}
