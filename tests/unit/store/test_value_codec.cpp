#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "value_codec.hpp"

using namespace gridgate::store;
using Kind = value_codec::Encoded::Kind;

namespace {

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

// The value as it comes back from the column: NULL is NaN, INTEGER is decoded, REAL is itself.
double round_trip(double v) {
    const auto e = value_codec::encode(v);
    switch (e.kind) {
        case Kind::null: return std::numeric_limits<double>::quiet_NaN();
        case Kind::integer: return value_codec::decode_integer(e.integer);
        case Kind::real: return e.real;
    }
    return 0.0;
}

}  // namespace

TEST_CASE("value codec: short decimals are stored as small integers and come back bit for bit") {
    for (const double v : {0.0, 1.0, 42.0, -17.0, 278394.136, 121.0037, -0.0001, 0.5, 1e-7, 59.98, 230.1,
                           -3276.8, 4294967.295, 1234567.1234567}) {
        CAPTURE(v);
        const auto e = value_codec::encode(v);
        REQUIRE(e.kind == Kind::integer);
        CHECK(bits(value_codec::decode_integer(e.integer)) == bits(v));
    }
    // What SQLite then needs for them: 6 bytes for a kWh counter, 4 for a voltage, 2 for 42.
    CHECK(std::abs(value_codec::encode(278394.136).integer) < (std::int64_t{1} << 47));
    CHECK(std::abs(value_codec::encode(121.0037).integer) < (std::int64_t{1} << 31));
    CHECK(std::abs(value_codec::encode(42.0).integer) < 32'768);
}

TEST_CASE("value codec: values scaled as the drivers scale them (raw * scale) stay integers") {
    std::mt19937_64 random(7);
    for (const double scale : {0.001, 0.01, 0.1, 0.0001}) {
        // Counted rather than asserted one by one, so the loop stays fast; the first
        // failure is shown.
        int failures = 0;
        double first_failure = 0;
        for (int i = 0; i < 20'000; ++i) {
            const auto raw = static_cast<double>(random() % 4'294'967'296ULL);
            const double v = raw * scale;
            const auto e = value_codec::encode(v);
            if (e.kind != Kind::integer || bits(value_codec::decode_integer(e.integer)) != bits(v)) {
                if (failures++ == 0) first_failure = v;
            }
        }
        CAPTURE(scale, first_failure);
        CHECK(failures == 0);
    }
}

TEST_CASE("value codec: every double comes back with the same bits") {
    std::mt19937_64 random(11);
    std::uniform_real_distribution<double> analog(-1000.0, 1000.0);
    int failures = 0;
    double first_failure = 0;
    for (int i = 0; i < 200'000; ++i) {
        // Arbitrary bit patterns (every exponent) and ordinary analog readings.
        const double v = i % 2 == 0 ? std::bit_cast<double>(random()) : analog(random);
        if (std::isnan(v)) continue;
        if (bits(round_trip(v)) != bits(v) && failures++ == 0) first_failure = v;
    }
    CAPTURE(first_failure);
    CHECK(failures == 0);
}

TEST_CASE("value codec: special values") {
    CHECK(value_codec::encode(std::numeric_limits<double>::quiet_NaN()).kind == Kind::null);
    CHECK(std::isnan(round_trip(std::numeric_limits<double>::quiet_NaN())));
    for (const double v : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), -0.0,
                           std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(), 1e300,
                           1.0 / 3.0}) {
        CAPTURE(v);
        CHECK(value_codec::encode(v).kind == Kind::real);
        CHECK(bits(round_trip(v)) == bits(v));
    }
}

TEST_CASE("value codec: any stored integer decodes without overflow") {
    for (const std::int64_t n : {std::numeric_limits<std::int64_t>::min(), std::int64_t{-1}, std::int64_t{0},
                                 std::int64_t{15}, std::numeric_limits<std::int64_t>::max()})
        CHECK(std::isfinite(value_codec::decode_integer(n)));
}
