// POSIX TZ rule strings ("CET-1CEST,M3.5.0,M10.5.0/3"): the parser and the evaluation of
// a rule at an instant. The same rules are the footer of TZif v2+ files, which is all a
// "slim" file has for instants after its last explicit transition.
#include <algorithm>
#include <cctype>
#include <string>

#include "gridgate/core/time_zone.hpp"
#include "time_zone_detail.hpp"

namespace gridgate::tz_detail {
namespace {

// POSIX caps offsets at 24 h; RFC 8536 allows transition times of -167..167 h.
constexpr int max_offset_hours = 24;
constexpr int max_rule_time_hours = 167;

class RuleParser {
public:
    explicit RuleParser(std::string_view text) : text_(text) {}

    PosixRule parse() {
        if (text_.empty()) fail("empty rule");
        if (text_.front() == ':') fail("a ':' rule names a file; load the zone by name instead");
        PosixRule rule;
        rule.standard.abbreviation = abbreviation();
        rule.standard.utc_offset_s = -hms(max_offset_hours, "UTC offset");
        if (at_end()) return rule;
        LocalType daylight;
        daylight.dst = true;
        daylight.abbreviation = abbreviation();
        // The DST offset defaults to one hour ahead of standard time.
        daylight.utc_offset_s = rule.standard.utc_offset_s + 3600;
        if (!at_end() && peek() != ',') daylight.utc_offset_s = -hms(max_offset_hours, "DST offset");
        if (at_end()) fail("DST name given without transition rules (add e.g. \",M3.2.0,M11.1.0\")");
        expect(',', "',' before the DST start rule");
        rule.start = date_rule();
        expect(',', "',' before the DST end rule");
        rule.end = date_rule();
        if (!at_end()) fail("unexpected characters after the DST end rule");
        rule.daylight = daylight;
        return rule;
    }

private:
    [[noreturn]] void fail(std::string_view reason) const {
        throw TimeZoneError("POSIX TZ rule \"" + std::string(text_) + "\": " + std::string(reason) + " at offset " +
                            std::to_string(pos_));
    }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    static bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
    static bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
    void expect(char c, std::string_view what) {
        if (peek() != c) fail("expected " + std::string(what));
        ++pos_;
    }

    // Digits as a number, at most max_digits of them (keeps every value far from overflow).
    int number(int max_digits, std::string_view what) {
        if (!is_digit(peek())) fail("expected a number for " + std::string(what));
        int value = 0;
        int digits = 0;
        while (is_digit(peek())) {
            if (++digits > max_digits) fail("too many digits in " + std::string(what));
            value = value * 10 + (text_[pos_++] - '0');
        }
        return value;
    }

    // "EST", or "<+0530>" / "<-03>" for names that are not alphabetic.
    std::string abbreviation() {
        const std::size_t start = pos_;
        std::string name;
        if (peek() == '<') {
            ++pos_;
            while (!at_end() && peek() != '>') {
                const char c = text_[pos_];
                if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-') fail("bad character in <quoted> zone name");
                name.push_back(c);
                ++pos_;
            }
            if (at_end()) fail("unterminated <quoted> zone name");
            ++pos_;
        } else {
            while (is_alpha(peek())) name.push_back(text_[pos_++]);
        }
        if (name.size() < 3) {
            pos_ = start;
            fail("zone name of at least 3 characters expected");
        }
        return name;
    }

    // [+|-]hh[:mm[:ss]] in seconds, sign applied.
    std::int32_t hms(int max_hours, std::string_view what) {
        int sign = 1;
        if (peek() == '+' || peek() == '-') sign = text_[pos_++] == '-' ? -1 : 1;
        const int hours = number(3, what);
        if (hours > max_hours) fail(std::string(what) + " hours out of range");
        int minutes = 0;
        int seconds = 0;
        if (peek() == ':') {
            ++pos_;
            minutes = number(2, what);
            if (peek() == ':') {
                ++pos_;
                seconds = number(2, what);
            }
        }
        if (minutes > 59 || seconds > 59) fail(std::string(what) + " minutes or seconds out of range");
        return sign * (hours * 3600 + minutes * 60 + seconds);
    }

    DateRule date_rule() {
        DateRule rule;
        if (peek() == 'J') {
            ++pos_;
            rule.form = DateRule::Form::julian_no_leap;
            rule.day = number(3, "Jn day");
            if (rule.day < 1 || rule.day > 365) fail("Jn day must be 1..365");
        } else if (peek() == 'M') {
            ++pos_;
            rule.form = DateRule::Form::month_week_day;
            rule.month = number(2, "month");
            expect('.', "'.' after the month");
            rule.week = number(1, "week");
            expect('.', "'.' after the week");
            rule.weekday = number(1, "weekday");
            if (rule.month < 1 || rule.month > 12) fail("month must be 1..12");
            if (rule.week < 1 || rule.week > 5) fail("week must be 1..5");
            if (rule.weekday > 6) fail("weekday must be 0..6");
        } else if (is_digit(peek())) {
            rule.form = DateRule::Form::zero_based;
            rule.day = number(3, "day of year");
            if (rule.day > 365) fail("day of year must be 0..365");
        } else {
            fail("expected a date rule (Jn, n or Mm.w.d)");
        }
        if (peek() == '/') {
            ++pos_;
            rule.time_s = hms(max_rule_time_hours, "transition time");
        }
        return rule;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

std::int64_t year_of(std::int64_t utc_s) {
    return civil_from_days(floor_div(utc_s, seconds_per_day)).year;
}

}  // namespace

PosixRule parse_posix_rule(std::string_view text) {
    return RuleParser(text).parse();
}

std::int64_t DateRule::local_seconds_in(std::int64_t year) const {
    const std::int64_t jan1 = days_from_civil(year, 1, 1);
    std::int64_t days = jan1;
    switch (form) {
        case Form::julian_no_leap:
            // 29 February is never counted: J60 is 1 March in every year.
            days = jan1 + (day - 1) + (is_leap_year(year) && day >= 60 ? 1 : 0);
            break;
        case Form::zero_based:
            days = jan1 + day;
            break;
        case Form::month_week_day: {
            const std::int64_t first = days_from_civil(year, month, 1);
            int day_in_month = (weekday - weekday_from_days(first) + 7) % 7 + 7 * (week - 1);
            // Week 5 means "the last": step back when the month has no fifth such weekday.
            while (day_in_month >= days_in_month(year, month)) day_in_month -= 7;
            days = first + day_in_month;
            break;
        }
    }
    return days * seconds_per_day + time_s;
}

std::vector<Change> PosixRule::changes_in_years(std::int64_t first_year, std::int64_t last_year) const {
    std::vector<Change> changes;
    for (std::int64_t year = first_year; year <= last_year; ++year) {
        // The start is written in standard time, the end in daylight time.
        changes.push_back({start.local_seconds_in(year) - standard.utc_offset_s, &*daylight});
        changes.push_back({end.local_seconds_in(year) - daylight->utc_offset_s, &standard});
    }
    // At equal instants the end sorts first, so a start at the same instant wins.
    std::stable_sort(changes.begin(), changes.end(), [this](const Change& a, const Change& b) {
        if (a.at_s != b.at_s) return a.at_s < b.at_s;
        return a.type == &standard && b.type != &standard;
    });
    return changes;
}

const LocalType& PosixRule::type_at(std::int64_t utc_s) const {
    if (!daylight) return standard;
    // A year's transitions can fall up to ~8 days into the next (167 h rule times), so the
    // previous two years cover every transition that can precede utc_s.
    const std::int64_t year = year_of(utc_s);
    const LocalType* type = &standard;
    for (const Change& change : changes_in_years(year - 2, year + 1)) {
        if (change.at_s > utc_s) break;
        type = change.type;
    }
    return *type;
}

void PosixRule::append_changes(std::int64_t from, std::int64_t to, std::vector<Change>& out) const {
    if (!daylight || to <= from) return;
    for (const Change& change : changes_in_years(year_of(from) - 1, year_of(to) + 1)) {
        if (change.at_s > from && change.at_s <= to) out.push_back(change);
    }
}

}  // namespace gridgate::tz_detail
