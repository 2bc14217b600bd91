// Cross-checks against two independent readers of the same tzdata files: glibc's
// localtime_r (what `TZ=<zone> date` prints) for UTC -> offset, and Python's zoneinfo
// (fold=0 / fold=1) for local -> UTC around every transition.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "tz_test_util.hpp"
#include "tzif_builder.hpp"

using namespace gridgate;
using namespace gridgate::tz_test;

namespace {

constexpr std::int64_t hour_s = 3600;
constexpr std::int64_t day_s = 86'400;

// Zones chosen for their variety: US, EU, no DST, southern hemisphere, negative transition
// times, 24:00 transitions, negative DST (Dublin), 45-minute offsets, 2-hour DST,
// a footer without DST after many explicit transitions (Casablanca).
const char* const zones[] = {"America/New_York", "Europe/Berlin",  "Asia/Kolkata",    "Australia/Sydney",
                             "America/Nuuk",     "America/Santiago", "Europe/Dublin", "Pacific/Chatham",
                             "Antarctica/Troll", "Africa/Casablanca", "Asia/Tehran",  "America/Sao_Paulo"};

// glibc reads TZ from the environment; each test case runs in its own process (ctest), and
// the variable is restored afterwards for a run of the whole executable.
class GlibcZone {
public:
    explicit GlibcZone(const std::string& name) {
        const char* old = std::getenv("TZ");
        if (old != nullptr) saved_ = old;
        had_ = old != nullptr;
        ::setenv("TZ", (":" + name).c_str(), 1);
        ::tzset();
    }
    ~GlibcZone() {
        if (had_) ::setenv("TZ", saved_.c_str(), 1);
        else ::unsetenv("TZ");
        ::tzset();
    }
    GlibcZone(const GlibcZone&) = delete;
    GlibcZone& operator=(const GlibcZone&) = delete;

    static ZoneOffset at(std::int64_t utc_s) {
        const auto t = static_cast<std::time_t>(utc_s);
        std::tm tm{};
        ::localtime_r(&t, &tm);
        return {static_cast<std::int32_t>(tm.tm_gmtoff), tm.tm_isdst > 0, tm.tm_zone};
    }

private:
    std::string saved_;
    bool had_ = false;
};

// UTC seconds where the zone's offset changes, found hourly in [from, to).
std::vector<std::int64_t> changes(const TimeZone& zone, std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    std::int32_t offset = zone.at(from * 1'000'000).utc_offset_s;
    for (std::int64_t t = from; t < to; t += hour_s / 4) {
        const std::int32_t now = zone.at(t * 1'000'000).utc_offset_s;
        if (now != offset) out.push_back(t);
        offset = now;
    }
    return out;
}

constexpr const char* python_script = R"(import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
zone = ZoneInfo(sys.argv[1])
local_epoch = datetime(1970, 1, 1)
utc_epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
for line in open(sys.argv[2]):
    naive = local_epoch + timedelta(seconds=int(line))
    folds = [(naive.replace(tzinfo=zone, fold=f) - utc_epoch) // timedelta(seconds=1) for f in (0, 1)]
    print(folds[0], folds[1])
)";

// Python's answer for each local time: (fold=0, fold=1) UTC seconds.
std::vector<std::pair<std::int64_t, std::int64_t>> python_folds(const std::string& zone, const std::vector<std::int64_t>& locals) {
    ScratchDir dir;
    const auto script = dir.write("folds.py", python_script);
    std::ostringstream input;
    for (const std::int64_t l : locals) input << l << '\n';
    const auto input_file = dir.write("locals.txt", input.str());
    const std::string command = "/usr/bin/python3 " + script.string() + " " + zone + " " + input_file.string();
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    long long f0 = 0;
    long long f1 = 0;
    while (std::fscanf(pipe, "%lld %lld", &f0, &f1) == 2) out.emplace_back(f0, f1);
    REQUIRE(::pclose(pipe) == 0);
    return out;
}

}  // namespace

TEST_CASE("offsets agree with glibc (TZ=<zone> date) from 1902 to 2100") {
    for (const char* name : zones) {
        const TimeZone zone = TimeZone::load(name);
        const GlibcZone glibc(name);
        std::vector<std::int64_t> instants;
        // Every ~3 days at a drifting hour over two centuries, hourly around now.
        for (std::int64_t t = utc_us(1902, 1, 1) / 1'000'000; t < utc_us(2100, 12, 31) / 1'000'000; t += 3 * day_s + 3607) {
            instants.push_back(t);
        }
        for (std::int64_t t = utc_us(2025, 1, 1) / 1'000'000; t < utc_us(2028, 1, 1) / 1'000'000; t += hour_s) instants.push_back(t);
        for (const std::int64_t c : changes(zone, utc_us(2020, 1, 1) / 1'000'000, utc_us(2045, 1, 1) / 1'000'000)) {
            for (const std::int64_t t : {c - 1, c, c + 1}) instants.push_back(t);
        }
        int mismatches = 0;
        for (const std::int64_t t : instants) {
            const ZoneOffset ours = zone.at(t * 1'000'000);
            const ZoneOffset theirs = GlibcZone::at(t);
            if (!(ours == theirs) && ++mismatches <= 5) {
                FAIL_CHECK(name << " at " << format_iso8601_utc(t * 1'000'000) << ": ours " << ours.utc_offset_s << " "
                                << ours.dst << " " << ours.abbreviation << ", glibc " << theirs.utc_offset_s << " "
                                << theirs.dst << " " << theirs.abbreviation);
            }
        }
        CHECK(mismatches == 0);
        CHECK(instants.size() > 40'000);
    }
}

TEST_CASE("local times resolve like Python zoneinfo's fold=0 / fold=1 around every transition") {
    for (const char* name : zones) {
        const TimeZone zone = TimeZone::load(name);
        std::vector<std::int64_t> locals;
        for (std::int64_t l = utc_us(1971, 1, 1) / 1'000'000; l < utc_us(2100, 1, 1) / 1'000'000; l += 29 * day_s + 4567) {
            locals.push_back(l);
        }
        std::vector<std::int64_t> around = changes(zone, utc_us(2020, 1, 1) / 1'000'000, utc_us(2042, 1, 1) / 1'000'000);
        for (const int year : {1995, 2098}) {
            const auto more = changes(zone, utc_us(year, 1, 1) / 1'000'000, utc_us(year + 3, 1, 1) / 1'000'000);
            around.insert(around.end(), more.begin(), more.end());
        }
        for (const std::int64_t c : around) {
            const std::int64_t wall = zone.to_local(c * 1'000'000).seconds;
            for (std::int64_t l = wall - 3 * hour_s; l <= wall + 3 * hour_s; l += 600) locals.push_back(l);
            for (const std::int64_t l : {wall - 1, wall + 1}) locals.push_back(l);
        }
        const auto folds = python_folds(name, locals);
        REQUIRE(folds.size() == locals.size());
        int mismatches = 0;
        int ambiguous = 0;
        int missing = 0;
        for (std::size_t i = 0; i < locals.size(); ++i) {
            const auto [f0, f1] = folds[i];
            // fold=0 reads a gap with the offset before it, so there fold=0 > fold=1.
            const LocalKind kind = f0 == f1 ? LocalKind::unique : f0 < f1 ? LocalKind::ambiguous : LocalKind::missing;
            const LocalResolution r = zone.resolve(LocalTime{locals[i], 0});
            const bool same = r.kind == kind && r.earlier_us == std::min(f0, f1) * 1'000'000 &&
                              r.later_us == std::max(f0, f1) * 1'000'000;
            ambiguous += kind == LocalKind::ambiguous ? 1 : 0;
            missing += kind == LocalKind::missing ? 1 : 0;
            if (!same && ++mismatches <= 5) {
                FAIL_CHECK(name << " local " << format_local_time(LocalTime{locals[i], 0}) << ": ours "
                                << to_string(r.kind) << " " << r.earlier_us / 1'000'000 << " " << r.later_us / 1'000'000
                                << ", python " << f0 << " " << f1);
            }
        }
        CHECK(mismatches == 0);
        if (std::string(name) != "Asia/Kolkata") {
            CHECK(ambiguous > 0);
            CHECK(missing > 0);
        }
    }
}
