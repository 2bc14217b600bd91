#pragma once
// How a reading's value is kept in the `readings.value` column (schema 3), to save bytes
// on small flash. A value that is a short decimal, as meters scale them (278394.136,
// 121.0037, 42), is stored as one INTEGER, which SQLite writes in 1 to 6 bytes instead
// of an 8-byte REAL:
//
//     n = m * 16 + form * 8 + k        m: integer mantissa, |m| < 2^50; k: 0..7 digits
//     form 0: value = m / 10^k         (the nearest double to the decimal m·10^-k)
//     form 1: value = m * 1e-k         (what `raw * 0.001` gives, as the drivers scale)
//
// The encoder only chooses an INTEGER when decoding gives back the very same bits, so
// the mapping is lossless for every double. Anything else stays REAL; NaN is NULL.
// Pure: no SQLite, no I/O.
#include <cstdint>

namespace gridgate::store::value_codec {

struct Encoded {
    enum class Kind { null, integer, real };
    Kind kind = Kind::null;
    std::int64_t integer = 0;
    double real = 0.0;
};

Encoded encode(double value);
// The value an INTEGER in the column stands for. (REAL columns are the value itself.)
double decode_integer(std::int64_t stored);

}  // namespace gridgate::store::value_codec
