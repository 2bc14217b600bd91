// Damaged files: every truncation, single-bit flips, link loops, and the limits.
#include <catch2/catch.hpp>

#include <zlib.h>

#include "pqdif_samples.hpp"

using namespace pqdif_test;

namespace {

bool reserved_header_octet(std::span<const std::byte> f, std::size_t i) {
    for (const auto o : record_offsets(f))
        if (i >= o + 48 && i < o + 64) return true;  // "should be filled with 0", not checked
    return false;
}

}  // namespace

TEST_CASE("pqdif corruption: every truncation of a small file is malformed, never a crash", "[pqdif][corrupt]") {
    const bool compress = GENERATE(true, false);
    const auto f = write_pqdif(sample_spec(compress, 8));
    REQUIRE(check_pqdif(f).well_formed);
    for (std::size_t n = 0; n < f.size(); ++n) {
        const auto s = check_pqdif(std::span<const std::byte>(f).first(n));
        INFO("compress " << compress << ", first " << n << " of " << f.size() << " octets");
        REQUIRE_FALSE(s.well_formed);
        REQUIRE_FALSE(s.error.empty());
    }
    const auto cut = check_pqdif(std::span<const std::byte>(f).first(f.size() - 1));
    CHECK_THAT(cut.error, Catch::Contains("record 5") && Catch::Contains("past the end of the file"));
    CHECK(check_pqdif({}).error == "empty file");
}

TEST_CASE("pqdif corruption: any single-bit flip outside the reserved header octets is detected", "[pqdif][corrupt]") {
    const bool compress = GENERATE(true, false);
    const auto good = write_pqdif(sample_spec(compress, 4));
    std::size_t flips = 0;
    for (std::size_t i = 0; i < good.size(); ++i) {
        if (reserved_header_octet(good, i)) continue;
        for (int bit = 0; bit < 8; bit += (i % 3 == 0 ? 1 : 3)) {  // every bit of a third of the octets
            auto f = good;
            f[i] ^= static_cast<std::byte>(1 << bit);
            const auto s = check_pqdif(f);
            INFO("compress " << compress << ", octet " << i << " bit " << bit);
            REQUIRE_FALSE(s.well_formed);
            REQUIRE_FALSE(s.error.empty());
            ++flips;
        }
    }
    CHECK(flips > 3 * good.size());
}

TEST_CASE("pqdif corruption: which checksums are accepted", "[pqdif][corrupt]") {
    auto f = write_pqdif(sample_spec(false));
    const auto ds = record_offsets(f).at(1);
    put32(f, ds + 44, 0);  // optional: 0 means none given
    CHECK(check_pqdif(f).well_formed);
    put32(f, ds + 44, 1);
    const auto s = check_pqdif(f);
    CHECK_FALSE(s.well_formed);
    CHECK_THAT(s.error, Catch::Contains("record 1") && Catch::Contains("checksum mismatch"));

    // A compressed record whose checksum covers the inflated body (the other reading of the standard).
    auto c = write_pqdif(sample_spec(true));
    const auto ds_c = record_offsets(c).at(1);
    const auto plain = write_pqdif(sample_spec(false));
    const auto ds_p = record_offsets(plain).at(1);
    const auto* p = reinterpret_cast<const Bytef*>(plain.data() + ds_p + 64);
    put32(c, ds_c + 44, static_cast<std::uint32_t>(adler32(adler32(0, nullptr, 0), p, le32(plain, ds_p + 36))));
    CHECK(check_pqdif(c).well_formed);
}

TEST_CASE("pqdif corruption: links that loop, overlap or leave the file", "[pqdif][corrupt]") {
    const auto good = write_pqdif(sample_spec(true));
    const auto offsets = record_offsets(good);
    auto loop = good;
    put32(loop, offsets.back() + 40, static_cast<std::uint32_t>(offsets[1]));
    auto s = check_pqdif(loop);
    CHECK_FALSE(s.well_formed);
    CHECK_THAT(s.error, Catch::Contains("loops back to offset " + std::to_string(offsets[1])));

    auto self = good;
    put32(self, offsets[2] + 40, static_cast<std::uint32_t>(offsets[2]));
    CHECK_THAT(check_pqdif(self).error, Catch::Contains("record 2") && Catch::Contains("loops back"));

    auto inside = good;  // into the middle of the data source record
    put32(inside, offsets[2] + 40, static_cast<std::uint32_t>(offsets[1] + 8));
    CHECK_FALSE(check_pqdif(inside).well_formed);

    auto beyond = good;
    put32(beyond, offsets[3] + 40, static_cast<std::uint32_t>(good.size() - 63));
    CHECK_THAT(check_pqdif(beyond).error, Catch::Contains("past the end of the file"));

    auto negative = good;
    put32(negative, offsets[0] + 40, 0x80000000u);
    CHECK_THAT(check_pqdif(negative).error, Catch::Contains("negative link"));
}

TEST_CASE("pqdif corruption: octets after the last record, or a chain cut short", "[pqdif][corrupt]") {
    auto f = write_pqdif(sample_spec(true));
    f.resize(f.size() + 100, std::byte{0xEE});
    auto s = check_pqdif(f);
    CHECK_FALSE(s.well_formed);
    CHECK(s.error == "100 octets after the last record");
    CHECK(s.records == 6);

    auto cut = write_pqdif(sample_spec(true));
    const auto offsets = record_offsets(cut);
    put32(cut, offsets[3] + 40, 0);  // observations 2 and 3 no longer linked
    s = check_pqdif(cut);
    CHECK_FALSE(s.well_formed);
    CHECK_THAT(s.error, Catch::EndsWith("octets after the last record"));
}

TEST_CASE("pqdif limits: records, nesting depth and inflated size", "[pqdif][limits]") {
    const auto f = write_pqdif(sample_spec(true, 256));
    PqdifLimits l;
    l.max_records = 6;
    CHECK(check_pqdif(f, l).well_formed);
    l.max_records = 5;
    auto s = check_pqdif(f, l);
    CHECK_FALSE(s.well_formed);
    CHECK(s.error == "more than 5 records");
    CHECK(s.records == 5);

    // Observation: record > channel instances > channel instance > series instances > series instance.
    l = {};
    l.max_depth = 5;
    CHECK(check_pqdif(f, l).well_formed);
    l.max_depth = 4;
    CHECK_THAT(check_pqdif(f, l).error, Catch::Contains("nested deeper than 4"));

    l = {};
    l.max_inflated_bytes = 1024;
    s = check_pqdif(f, l);
    CHECK_FALSE(s.well_formed);
    CHECK_THAT(s.error, Catch::Contains("record 1") && Catch::Contains("larger than 1024 octets"));
}
