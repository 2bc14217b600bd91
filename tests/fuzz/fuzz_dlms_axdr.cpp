// Fuzz target for the DLMS data layer: A-XDR Data (what every GET response carries), COSEM
// date-time and OBIS text. Properties, each a trap when violated:
//  - decode_data returns a Data or an error for any input, never more octets than given;
//  - a decoded Data re-encodes to exactly the consumed octets, or, where the encoder
//    normalises (a boolean octet other than 00/01, a length in a longer form than
//    needed), to octets that decode to the same Data and encode to themselves;
//  - describe() handles whatever decodes;
//  - decode_date_time, to_utc_us (every interpretation) and from_utc_us on the first 12
//    octets: no UB, and a complete, deviation-carrying time maps back to its own instant;
//  - Obis::parse on the input as text: what parses prints back to a form that parses equal.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "gridgate/dlms/axdr.hpp"
#include "gridgate/dlms/cosem_time.hpp"
#include "gridgate/dlms/obis.hpp"

using namespace gridgate;
using namespace gridgate::dlms;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// Equality with NaN equal to NaN (a float NaN is the one value not equal to itself).
bool same(const Data& a, const Data& b) {
    if (a.tag != b.tag || a.integer != b.integer || a.unsigned_value != b.unsigned_value || a.bytes != b.bytes ||
        a.bit_count != b.bit_count || a.items.size() != b.items.size())
        return false;
    if (!(a.real == b.real || (std::isnan(a.real) && std::isnan(b.real)))) return false;
    for (std::size_t i = 0; i < a.items.size(); ++i)
        if (!same(a.items[i], b.items[i])) return false;
    return true;
}

void data_round_trip(std::span<const std::uint8_t> in) {
    const AxdrLimits limits{16, 1u << 16};
    const DataDecode r = decode_data(in, limits);
    if (!r.data) {
        check(!r.error.empty() && r.consumed == 0);
        return;
    }
    check(r.consumed >= 1 && r.consumed <= in.size());
    const std::vector<std::uint8_t> again = encode_data(*r.data);
    const bool exact = again.size() == r.consumed && std::equal(again.begin(), again.end(), in.begin());
    if (!exact) {
        // The encoder wrote a shorter length or a 01 boolean: never more octets, and the
        // normalised form is a fixed point.
        check(again.size() <= r.consumed);
        const DataDecode second = decode_data(again, limits);
        check(second.data.has_value() && second.consumed == again.size());
        check(same(*second.data, *r.data));
        check(encode_data(*second.data) == again);
    }
    (void)describe(*r.data);
    (void)r.data->as_double();
    (void)r.data->as_int();
    (void)r.data->as_text();
    (void)date_time_of(*r.data);
}

void date_time(std::span<const std::uint8_t> in) {
    if (in.size() < 12) return;
    const auto t = decode_date_time(in.first(12));
    check(t.has_value());
    const auto octets = encode_date_time(*t);
    check(std::equal(octets.begin(), octets.end(), in.begin()));
    (void)to_string(*t);

    // A zone from the octets after the date-time, when there are any.
    LocalZone zone;
    if (in.size() >= 16) {
        // Within ±720 so that offset and shift stay a deviation to_utc_us accepts (±840).
        zone.utc_offset_min = static_cast<std::int16_t>(static_cast<std::int16_t>((in[12] << 8) | in[13]) % 721);
        zone.dst = static_cast<DstRule>(in[14] % 3);
        zone.dst_shift_min = static_cast<std::int16_t>(in[15] % 121);
    }
    for (const auto sign : {DeviationSign::blue_book, DeviationSign::iso}) {
        const auto plain = to_utc_us(*t, TimeInterpretation{sign, std::nullopt, false, {}});
        (void)to_utc_us(*t, TimeInterpretation{sign, zone, true, {}});
        (void)to_utc_us(*t, TimeInterpretation{sign, zone, false, {}});
        // Years near the ends of the 16-bit field may leave it once shifted to local time.
        if (!plain || t->year < 2 || t->year > 65000) continue;
        // What a meter in `zone` shows at that instant reads back to it.
        const CosemDateTime shown = from_utc_us(*plain, zone, sign);
        check(shown.complete());
        check(to_utc_us(shown, TimeInterpretation{sign, std::nullopt, false, {}}) == *plain);
    }
}

void obis_text(std::span<const std::uint8_t> in) {
    if (in.size() > 64) return;
    const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
    const auto o = Obis::parse(text);
    if (!o) return;
    check(Obis::parse(o->to_string()) == o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> in(data, size);
    data_round_trip(in);
    date_time(in);
    obis_text(in);
    return 0;
}
