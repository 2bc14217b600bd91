#pragma once
// COSEM data (the Data CHOICE of IEC 62056-5-3) in A-XDR encoding: a tag octet, then the
// value. Fixed-size types are big-endian; strings, arrays and structures carry a length
// or element count in the variable-length form (one octet < 0x80, else 0x8N followed by N octets). A
// bit-string's length counts bits. date-time (12 octets), date (5) and time (4) have no
// length octet.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gridgate::dlms {

enum class DataTag : std::uint8_t {
    null_data = 0,
    array = 1,
    structure = 2,
    boolean = 3,
    bit_string = 4,
    double_long = 5,           // int32
    double_long_unsigned = 6,  // uint32
    octet_string = 9,
    visible_string = 10,
    utf8_string = 12,
    bcd = 13,                  // one octet
    integer = 15,              // int8
    long_ = 16,                // int16
    unsigned_ = 17,            // uint8
    long_unsigned = 18,        // uint16
    compact_array = 19,        // decoded as an error: nothing the reference meter sends
    long64 = 20,
    long64_unsigned = 21,
    enum_ = 22,                // uint8
    float32 = 23,
    float64 = 24,
    date_time = 25,            // 12 octets
    date = 26,                 // 5 octets
    time = 27,                 // 4 octets
    dont_care = 255,
};
const char* to_string(DataTag t);  // "double-long-unsigned", ...

// One value. Which member holds it depends on the tag:
//   boolean, integer .. long64 (signed), enum_ (as unsigned): `integer` / `unsigned_value`
//   (signed types in `integer`, unsigned types and enum and bcd in `unsigned_value`;
//   boolean in `unsigned_value` as 0 or 1, whatever non-zero octet was sent; bcd as the
//   octet sent, its digits not interpreted);
//   float32, float64: `real`;
//   octet_string, visible_string, utf8_string, date_time, date, time: `bytes` (raw);
//   bit_string: `bytes` (packed, first bit in the MSB of the first octet) and `bit_count`;
//   array, structure: `items`;
//   null_data, dont_care: nothing.
struct Data {
    DataTag tag = DataTag::null_data;
    std::int64_t integer = 0;
    std::uint64_t unsigned_value = 0;
    double real = 0.0;
    std::vector<std::uint8_t> bytes;
    std::size_t bit_count = 0;
    std::vector<Data> items;

    static Data null();
    static Data boolean(bool b);
    static Data integer8(std::int8_t v);
    static Data long16(std::int16_t v);
    static Data double_long(std::int32_t v);
    static Data long64(std::int64_t v);
    static Data unsigned8(std::uint8_t v);
    static Data long_unsigned(std::uint16_t v);
    static Data double_long_unsigned(std::uint32_t v);
    static Data long64_unsigned(std::uint64_t v);
    static Data enumeration(std::uint8_t v);
    static Data bcd(std::uint8_t v);
    static Data dont_care();
    static Data float32(float v);
    static Data float64(double v);
    static Data octet_string(std::vector<std::uint8_t> v);
    static Data visible_string(std::string_view v);
    static Data utf8_string(std::string_view v);
    // `packed` is resized to ceil(bits / 8) octets (zeros added or octets dropped).
    static Data bit_string(std::vector<std::uint8_t> packed, std::size_t bits);
    static Data date_time(std::span<const std::uint8_t, 12> octets);  // see cosem_time.hpp
    static Data date(std::span<const std::uint8_t, 5> octets);
    static Data time(std::span<const std::uint8_t, 4> octets);
    static Data array(std::vector<Data> items);
    static Data structure(std::vector<Data> items);

    bool is_number() const;                      // any integer, enum, bcd or float tag
    std::optional<double> as_double() const;     // numbers; nullopt otherwise
    std::optional<std::int64_t> as_int() const;  // integer, enum and bcd tags (unsigned ones if they fit); nullopt otherwise
    std::optional<std::string> as_text() const;  // visible/utf8 strings; octet-strings of printable ASCII (0x20..0x7E)
    friend bool operator==(const Data&, const Data&) = default;
};

struct AxdrLimits {
    std::size_t max_depth = 16;         // nested arrays/structures
    std::size_t max_elements = 1u << 20;  // array/structure elements in all (a hostile count cannot allocate)
};

struct DataDecode {
    std::optional<Data> data;  // nullopt on error
    std::size_t consumed = 0;  // octets taken when decoded
    std::string error;         // why not, e.g. "truncated octet-string at offset 12"
};

// Decodes one Data from the start of `in` (trailing octets are left to the caller).
// Lengths and counts in a longer form than needed are accepted; encode_data writes the
// shortest form, and a boolean as 0x00 / 0x01.
DataDecode decode_data(std::span<const std::uint8_t> in, const AxdrLimits& limits = {});
// Throws std::invalid_argument for caller misuse only: a Data whose members do not fit its
// tag (date-time, date, time not 12, 5, 4 octets; a bit-string's octets not ceil(bits / 8);
// an integer or float beyond its type's range), compact_array, or a tag value not in
// DataTag; `out` is then left partly written. Every Data decode_data returns encodes.
void encode_data(const Data& d, std::vector<std::uint8_t>& out);
std::vector<std::uint8_t> encode_data(const Data& d);

// The variable-length count of A-XDR (and the BER length of the ACSE APDUs): < 0x80 in one
// octet, else 0x81 n or 0x82 hi lo (0x83, 0x84 accepted on decode).
void encode_length(std::size_t n, std::vector<std::uint8_t>& out);
// The value and the octets it took; nullopt when truncated, longer than 4 octets or 0x80
// (BER's indefinite form).
std::optional<std::pair<std::size_t, std::size_t>> decode_length(std::span<const std::uint8_t> in);

// Compact text for traces and tests: {3 [1.0.1.8.0.255] 2 0}, 12.5f, "ABC", 1234u, dt(2026-03-29 02:00:00 dev=-60 st=80).
//   null, dont-care, true / false; integer, long, double-long, long64, unsigned and
//   long-unsigned in decimal (-5, 3); double-long-unsigned and long64-unsigned with a `u`
//   (1234u); enum(3), bcd(0x12); float32 with an `f` (12.5f, 2.0f), float64 without (12.5);
//   octet-string: printable ASCII as o"ABC", else 6 octets as a logical name
//   [1.0.1.8.0.255], else hex '0A0B'H; visible-string "ABC", utf8-string u8"ABC" (other
//   octets as \xNN); bit-string b'1011'; date-time dt(<to_string of cosem_time.hpp>),
//   date(2026-03-29), time(02:00:00.00); array [a b c]; structure {a b c}.
std::string describe(const Data& d);

}  // namespace gridgate::dlms
