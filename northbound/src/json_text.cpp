#include "json_text.hpp"

#include <charconv>
#include <cmath>
#include <ctime>

namespace gridgate::northbound::json {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

bool is_plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_min = 0xA0;  // overlong
        if (lead == 0xED) second_max = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_min = 0x90;  // overlong
        if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    if (byte(1) < second_min || byte(1) > second_max) return 0;
    for (std::size_t k = 2; k < length; ++k)
        if (!is_continuation(byte(k))) return 0;
    return length;
}

void append_escaped_ascii(std::string& out, unsigned char c) {
    switch (c) {
        case '"': out.append("\\\""); return;
        case '\\': out.append("\\\\"); return;
        case '\b': out.append("\\b"); return;
        case '\f': out.append("\\f"); return;
        case '\n': out.append("\\n"); return;
        case '\r': out.append("\\r"); return;
        case '\t': out.append("\\t"); return;
        default: break;
    }
    const char escape[] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0x0F]};
    out.append(escape, sizeof escape);
}

void put_digits(char* at, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        at[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
    out.push_back('"');
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t run_end = i;
        while (run_end < text.size() && is_plain(static_cast<unsigned char>(text[run_end]))) ++run_end;
        out.append(text.data() + i, run_end - i);
        i = run_end;
        if (i == text.size()) break;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            append_escaped_ascii(out, c);
            ++i;
        } else if (const std::size_t length = utf8_sequence_length(text, i); length != 0) {
            out.append(text.data() + i, length);
            i += length;
        } else {
            out.append("\\ufffd");
            ++i;
        }
    }
    out.push_back('"');
}

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
        } else if (const std::size_t length = utf8_sequence_length(text, i); length != 0) {
            out.append(text.data() + i, length);
            i += length;
        } else {
            out.append("\xEF\xBF\xBD");  // U+FFFD
            ++i;
        }
    }
    return out;
}

void append_number(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out.append("null");
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_uint(std::string& out, std::uint64_t value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void TimestampWriter::append(std::string& out, TimestampUs ts) {
    std::int64_t second = ts / 1'000'000;
    std::int64_t micros = ts % 1'000'000;
    if (micros < 0) {  // floor toward the earlier second, as core does
        micros += 1'000'000;
        second -= 1;
    }
    if (second != cached_second_) {
        cached_second_ = second;
        const auto t = static_cast<std::time_t>(second);
        std::tm tm{};
        const int year = gmtime_r(&t, &tm) ? tm.tm_year + 1900 : -1;
        cacheable_ = year >= 0 && year <= 9999;
        if (cacheable_) {
            put_digits(date_time_, static_cast<unsigned>(year), 4);
            date_time_[4] = '-';
            put_digits(date_time_ + 5, static_cast<unsigned>(tm.tm_mon + 1), 2);
            date_time_[7] = '-';
            put_digits(date_time_ + 8, static_cast<unsigned>(tm.tm_mday), 2);
            date_time_[10] = 'T';
            put_digits(date_time_ + 11, static_cast<unsigned>(tm.tm_hour), 2);
            date_time_[13] = ':';
            put_digits(date_time_ + 14, static_cast<unsigned>(tm.tm_min), 2);
            date_time_[16] = ':';
            put_digits(date_time_ + 17, static_cast<unsigned>(tm.tm_sec), 2);
        }
    }
    out.push_back('"');
    if (cacheable_) {
        char fraction[8] = {'.'};
        put_digits(fraction + 1, static_cast<unsigned>(micros), 6);
        fraction[7] = 'Z';
        out.append(date_time_, sizeof date_time_);
        out.append(fraction, sizeof fraction);
    } else {
        out.append(format_iso8601_utc(ts));  // years core prints its own way: defer to it
    }
    out.push_back('"');
}

}  // namespace gridgate::northbound::json
