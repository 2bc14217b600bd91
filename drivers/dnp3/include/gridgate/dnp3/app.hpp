#pragma once
// DNP3 application layer: pure encoding and decoding of fragments. A fragment is
// application control (FIR 0x80, FIN 0x40, CON 0x20, UNS 0x10, SEQ 0..15), function code,
// for responses two IIN octets, then object headers (group, variation, qualifier, range)
// each followed by its objects.
//
// Supported objects (the reference meter's set, what a Level 2/3 master meets, and what
// a master sends):
//   g1v1 (packed) g1v2 binary input; g2v1 g2v2 g2v3 binary input event;
//   g10v1 (packed) g10v2 binary output status;
//   g20v1 v2 v5 v6 counter; g21v1 v2 v5 v6 v9 v10 frozen counter;
//   g22v1 v2 v5 v6 counter event; g23v1 v2 v5 v6 frozen counter event;
//   g30v1..v6 analog input; g32v1..v8 analog input event;
//   g50v1 time and date, g50v3 last recorded time; g51v1 v2 CTO; g52v1 v2 time delay;
//   g60v1..v4 class data; g80v1 IIN bits.
// Qualifiers: 0x00 0x01 (start-stop), 0x06 (all), 0x07 0x08 (count), 0x17 0x28 (count,
// index prefix).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace gridgate::dnp3 {

// DNP3 absolute time: milliseconds since 1970-01-01 00:00 UTC, 48 bits on the wire.
using DnpTime = std::uint64_t;

enum class FunctionCode : std::uint8_t {
    confirm = 0,
    read = 1,
    write = 2,
    cold_restart = 13,
    warm_restart = 14,
    delay_measure = 23,
    record_current_time = 24,
    response = 129,
    unsolicited_response = 130,
};
const char* to_string(FunctionCode f);

struct AppControl {
    bool fir = true;
    bool fin = true;
    bool con = false;
    bool uns = false;
    std::uint8_t seq = 0;  // 0..15
    std::uint8_t encode() const;
    static AppControl decode(std::uint8_t octet);
    friend bool operator==(const AppControl&, const AppControl&) = default;
};

// Internal indications (IIN1 in the low octet, IIN2 in the high octet).
struct Iin {
    std::uint16_t bits = 0;
    // IIN1
    static constexpr std::uint16_t broadcast = 1u << 0;
    static constexpr std::uint16_t class1_events = 1u << 1;
    static constexpr std::uint16_t class2_events = 1u << 2;
    static constexpr std::uint16_t class3_events = 1u << 3;
    static constexpr std::uint16_t need_time = 1u << 4;
    static constexpr std::uint16_t local_control = 1u << 5;
    static constexpr std::uint16_t device_trouble = 1u << 6;
    static constexpr std::uint16_t device_restart = 1u << 7;
    // IIN2
    static constexpr std::uint16_t no_func_code_support = 1u << 8;
    static constexpr std::uint16_t object_unknown = 1u << 9;
    static constexpr std::uint16_t parameter_error = 1u << 10;
    static constexpr std::uint16_t event_buffer_overflow = 1u << 11;
    static constexpr std::uint16_t already_executing = 1u << 12;
    static constexpr std::uint16_t config_corrupt = 1u << 13;

    bool has(std::uint16_t bit) const { return (bits & bit) != 0; }
    std::string describe() const;  // e.g. "DEVICE_RESTART|NEED_TIME", "" when none
    friend bool operator==(const Iin&, const Iin&) = default;
};

enum class Qualifier : std::uint8_t {
    start_stop_8 = 0x00,
    start_stop_16 = 0x01,
    all = 0x06,
    count_8 = 0x07,
    count_16 = 0x08,
    index_8 = 0x17,   // count (8) then each object prefixed by an 8-bit index
    index_16 = 0x28,  // count (16) then each object prefixed by a 16-bit index
};

struct ObjectHeader {
    std::uint8_t group = 0;
    std::uint8_t variation = 0;
    Qualifier qualifier = Qualifier::all;
    std::uint32_t start = 0;  // start-stop qualifiers
    std::uint32_t stop = 0;
    std::uint32_t count = 0;  // count and index qualifiers; for start-stop: stop - start + 1
    friend bool operator==(const ObjectHeader&, const ObjectHeader&) = default;
};

// ---------------------------------------------------------------- master side

// One object header of a READ request.
struct ReadItem {
    std::uint8_t group = 0;
    std::uint8_t variation = 0;  // 0 = the outstation's default variation
    Qualifier qualifier = Qualifier::all;
    std::uint32_t start = 0;  // start-stop qualifiers
    std::uint32_t stop = 0;
    std::uint32_t count = 0;  // count qualifiers (07/08)
    std::vector<std::uint32_t> indices;  // index qualifiers (17/28): the points asked for
};

// Which classes a class read asks for (g60v1 = class 0, g60v2..v4 = classes 1..3), all
// with qualifier 06, in the order 1, 2, 3, 0 (events before static data, as IEEE 1815
// recommends for an integrity poll).
struct ClassSet {
    bool class0 = false;
    bool class1 = false;
    bool class2 = false;
    bool class3 = false;
    static ClassSet integrity() { return {true, true, true, true}; }
    static ClassSet events() { return {false, true, true, true}; }
};

std::vector<std::uint8_t> encode_read(AppControl control, std::span<const ReadItem> items);
std::vector<std::uint8_t> encode_class_read(AppControl control, ClassSet classes);
// Application confirm (FC 0) for a response (or unsolicited response with uns = true).
std::vector<std::uint8_t> encode_confirm(std::uint8_t seq, bool uns = false);
// WRITE g50v1 qualifier 07 count 1: the outstation's clock.
std::vector<std::uint8_t> encode_write_time(AppControl control, DnpTime time);
// WRITE g50v3 qualifier 07 count 1: "last recorded time" of the LAN procedure.
std::vector<std::uint8_t> encode_write_last_recorded_time(AppControl control, DnpTime time);
// WRITE g80v1 qualifier 00 index 7 value 0: clears DEVICE_RESTART.
std::vector<std::uint8_t> encode_clear_restart(AppControl control);
// Function codes without objects: RECORD_CURRENT_TIME (24), DELAY_MEASURE (23), restarts.
std::vector<std::uint8_t> encode_function_only(AppControl control, FunctionCode function);

// What a response carries, decoded.
enum class PointKind : std::uint8_t {
    binary_input,          // g1
    binary_input_event,    // g2
    binary_output,         // g10
    counter,               // g20
    frozen_counter,        // g21
    counter_event,         // g22
    frozen_counter_event,  // g23
    analog_input,          // g30
    analog_input_event,    // g32
};
const char* to_string(PointKind k);
bool is_event(PointKind k);

struct PointValue {
    PointKind kind = PointKind::counter;
    std::uint8_t group = 0;
    std::uint8_t variation = 0;
    std::uint32_t index = 0;
    double value = 0.0;               // counters: the unsigned count; binaries: 0 or 1
    std::uint8_t flags = 0x01;        // DNP3 quality flags; ONLINE (0x01) when the variation has none
    bool has_flags = false;           // whether the variation carried a flag octet
    std::optional<DnpTime> time;      // absolute time (time-tagged variations; CTO-relative resolved)
    friend bool operator==(const PointValue&, const PointValue&) = default;
};

// DNP3 point quality flags (octet of flag-carrying variations).
namespace flags {
inline constexpr std::uint8_t online = 0x01;
inline constexpr std::uint8_t restart = 0x02;
inline constexpr std::uint8_t comm_lost = 0x04;
inline constexpr std::uint8_t remote_forced = 0x08;
inline constexpr std::uint8_t local_forced = 0x10;
inline constexpr std::uint8_t rollover = 0x20;       // counters (obsolete but still sent)
inline constexpr std::uint8_t over_range = 0x20;     // analogs
inline constexpr std::uint8_t discontinuity = 0x40;  // counters
inline constexpr std::uint8_t reference_err = 0x40;  // analogs
inline constexpr std::uint8_t state = 0x80;          // binaries
}  // namespace flags

struct Response {
    AppControl control;
    FunctionCode function = FunctionCode::response;
    Iin iin;
    std::vector<ObjectHeader> headers;  // in order, as received
    std::vector<PointValue> points;     // in order, as received
    std::optional<DnpTime> time;        // g50v1 (answer to a time read)
    std::optional<std::uint32_t> delay_ms;  // g52v1 (seconds, converted) or g52v2 (ms)
};

struct ParseError {
    std::string message;  // e.g. "object g20v7 not supported at offset 12"
    std::size_t offset = 0;
};

// Parses a response or unsolicited response fragment. Unknown objects with a size that
// cannot be derived make the rest of the fragment unparseable: that is an error.
std::variant<Response, ParseError> parse_response(std::span<const std::uint8_t> fragment);

// ---------------------------------------------------------------- outstation side

// One object header of a request, with the data a WRITE carries.
struct RequestObject {
    ObjectHeader header;
    std::vector<std::uint32_t> indices;   // index qualifiers
    std::optional<DnpTime> time;          // WRITE g50v1 / g50v3
    std::vector<std::pair<std::uint32_t, bool>> iin_bits;  // WRITE g80v1: (index, value)
};

struct Request {
    AppControl control;
    FunctionCode function = FunctionCode::read;
    std::vector<RequestObject> objects;
};

// A function code not in FunctionCode comes back as a Request with that code and no
// objects (the rest of the fragment unparsed), so the outstation can answer IIN2.0.
std::variant<Request, ParseError> parse_request(std::span<const std::uint8_t> fragment);

// Builds one response fragment, refusing (returning false, leaving the fragment as it was)
// any addition that would take it over max_size, so the caller can continue in the next
// fragment.
class ResponseBuilder {
public:
    explicit ResponseBuilder(std::size_t max_size = 2048);

    void begin(AppControl control, Iin iin, FunctionCode function = FunctionCode::response);
    void set_control(AppControl control);  // rewrites the first octet (e.g. FIN once known)
    void set_iin(Iin iin);

    // Static values of consecutive indices start.. with qualifier 00 (if the stop index
    // fits in 8 bits) or 01. g1v1 and g10v1 are packed. Returns how many values fitted
    // (0 = none; the header is then not written either).
    std::size_t add_range(std::uint8_t group, std::uint8_t variation, std::uint32_t start,
                          std::span<const PointValue> values);
    // Values with index prefixes, qualifier 0x17 or 0x28 (index_8 / index_16); events use
    // this. Each value's own index and time are written. Returns how many fitted.
    std::size_t add_indexed(std::uint8_t group, std::uint8_t variation, Qualifier qualifier,
                            std::span<const PointValue> values);
    bool add_time(DnpTime time);              // g50v1 q07 count 1
    bool add_delay_fine(std::uint16_t ms);    // g52v2 q07 count 1

    std::size_t size() const { return fragment_.size(); }
    std::size_t room() const { return max_ - fragment_.size(); }
    const std::vector<std::uint8_t>& fragment() const { return fragment_; }

private:
    std::size_t max_;
    std::vector<std::uint8_t> fragment_;
};

// Size in octets of one object of (group, variation) as carried in a response, without
// index prefix; 0 for packed bit objects (g1v1, g10v1, g80v1) and for unsupported ones.
std::size_t object_size(std::uint8_t group, std::uint8_t variation);
bool is_supported(std::uint8_t group, std::uint8_t variation);

// Short trace text of a fragment, e.g. "RESPONSE FIR FIN CON seq=3 iin=NEED_TIME
// g23v5 q28 n=4; g20v5 q00 0..3".
std::string describe_fragment(std::span<const std::uint8_t> fragment);

}  // namespace gridgate::dnp3
