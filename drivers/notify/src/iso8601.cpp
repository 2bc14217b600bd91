#include "iso8601.hpp"

#include <cstdint>

namespace gridgate::notify::detail {
namespace {

class Reader {
public:
    explicit Reader(std::string_view text) : text_(text) {}
    bool done() const { return at_ >= text_.size(); }
    char peek() const { return done() ? '\0' : text_[at_]; }
    bool take(char c) {
        if (peek() != c || done()) return false;
        ++at_;
        return true;
    }
    // Exactly `n` decimal digits.
    std::optional<int> digits(int n) {
        int v = 0;
        for (int i = 0; i < n; ++i) {
            const char c = peek();
            if (done() || c < '0' || c > '9') return std::nullopt;
            v = v * 10 + (c - '0');
            ++at_;
        }
        return v;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
};

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

}  // namespace

std::optional<TimestampUs> parse_iso8601_utc(std::string_view text) {
    Reader in(text);
    const auto year = in.digits(4);
    if (!year || !in.take('-')) return std::nullopt;
    const auto month = in.digits(2);
    if (!month || !in.take('-')) return std::nullopt;
    const auto day = in.digits(2);
    if (!day || !(in.take('T') || in.take('t') || in.take(' '))) return std::nullopt;
    const auto hour = in.digits(2);
    if (!hour || !in.take(':')) return std::nullopt;
    const auto minute = in.digits(2);
    if (!minute || !in.take(':')) return std::nullopt;
    const auto second = in.digits(2);
    if (!second) return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
    if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;  // 60: a leap second

    std::int64_t micros = 0;
    if (in.take('.') || in.take(',')) {
        int scale = 100000;
        int count = 0;
        while (!in.done() && in.peek() >= '0' && in.peek() <= '9') {
            micros += (in.peek() - '0') * scale;  // digits past microseconds are dropped
            scale /= 10;
            ++count;
            in.digits(1);
        }
        if (count == 0) return std::nullopt;
    }

    int offset_minutes = 0;
    if (!(in.take('Z') || in.take('z'))) {
        const int sign = in.take('+') ? 1 : (in.take('-') ? -1 : 0);
        if (sign == 0) return std::nullopt;
        const auto oh = in.digits(2);
        if (!oh || *oh > 23) return std::nullopt;
        int om = 0;
        if (!in.done()) {
            in.take(':');
            const auto m = in.digits(2);
            if (!m || *m > 59) return std::nullopt;
            om = *m;
        }
        offset_minutes = sign * (*oh * 60 + om);
    }
    if (!in.done()) return std::nullopt;

    const std::int64_t seconds = days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 +
                                 *second - static_cast<std::int64_t>(offset_minutes) * 60;
    return seconds * 1000000 + micros;
}

}  // namespace gridgate::notify::detail
