// The writer's octets against the standard's published constants, written out here by
// hand from pqdif_ph.h / pqdif_lg.h / pqdif_id.h rather than taken from the codec, so a
// wrong GUID or field order in the codec cannot agree with itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include <zlib.h>

#include "pqdif_samples.hpp"

using namespace pqdif_test;

namespace {

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (const int b : v) out.push_back(static_cast<std::byte>(b));
    return out;
}

bool at(std::span<const std::byte> f, std::size_t offset, const std::vector<std::byte>& want) {
    return offset + want.size() <= f.size() && std::equal(want.begin(), want.end(), f.begin() + static_cast<std::ptrdiff_t>(offset));
}

bool contains(std::span<const std::byte> f, const std::vector<std::byte>& want) {
    return std::search(f.begin(), f.end(), want.begin(), want.end()) != f.end();
}

// {4a111440-e49f-11cf-9900-505144494600}
const auto signature = bytes({0x40, 0x14, 0x11, 0x4a, 0x9f, 0xe4, 0xcf, 0x11, 0x99, 0x00, 0x50, 0x51, 0x44, 0x49, 0x46, 0x00});
// tagContainer {89738606-f1c3-11cf-9d89-0080c72e70a3}
const auto container = bytes({0x06, 0x86, 0x73, 0x89, 0xc3, 0xf1, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3});
// tagRecDataSource {89738619-...}, tagRecMonitorSettings {b48d858c-f5f5-...}, tagRecObservation {8973861a-...}
const auto data_source = bytes({0x19, 0x86, 0x73, 0x89, 0xc3, 0xf1, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3});
const auto settings = bytes({0x8c, 0x85, 0x8d, 0xb4, 0xf5, 0xf5, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3});
const auto observation = bytes({0x1a, 0x86, 0x73, 0x89, 0xc3, 0xf1, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3});

}  // namespace

TEST_CASE("pqdif layout: record headers carry the standard's signature, types, sizes and links", "[pqdif][layout]") {
    const auto f = write_pqdif(sample_spec(true));
    const auto offsets = record_offsets(f);
    REQUIRE(offsets.size() == 6);
    const std::vector<std::byte> types[] = {container, data_source, settings, observation, observation, observation};
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        const auto o = offsets[i];
        INFO("record " << i);
        CHECK(at(f, o, signature));
        CHECK(at(f, o + 16, types[i]));
        CHECK(le32(f, o + 32) == 64);  // header size
        const auto body = le32(f, o + 36);
        CHECK(le32(f, o + 40) == (i + 1 < offsets.size() ? o + 64 + body : 0));
        // Checksum: Adler-32 of the stored body, computed here with zlib itself.
        const auto* p = reinterpret_cast<const Bytef*>(f.data() + o + 64);
        CHECK(le32(f, o + 44) == adler32(adler32(0, nullptr, 0), p, body));
        CHECK(at(f, o + 48, std::vector<std::byte>(16)));  // reserved, zero
        // The container is never compressed; the others are zlib streams (CMF 0x78).
        CHECK((std::to_integer<int>(f[o + 64]) == 0x78) == (i > 0));
    }
    CHECK(offsets.back() + 64 + le32(f, offsets.back() + 36) == f.size());
}

TEST_CASE("pqdif layout: the container's compression tags and a TIMESTAMPPQDIF value", "[pqdif][layout]") {
    const auto f = write_pqdif(sample_spec(true));
    const std::size_t body = 64;
    // Root collection: 5 elements; the first is tagVersionInfo {89738607-...}, a vector (3) of UINT4 (32).
    CHECK(le32(f, body) == 5);
    CHECK(at(f, body + 4, bytes({0x07, 0x86, 0x73, 0x89, 0xc3, 0xf1, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3,
                                 3, 32, 0})));
    // tagCompressionStyleID {8973861b-...}: an embedded (1) UINT4 scalar (2, 32) of value 2 (record level);
    // tagCompressionAlgorithmID {8973861c-...}: 1 (zlib).
    CHECK(contains(f, bytes({0x1b, 0x86, 0x73, 0x89, 0xc3, 0xf1, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3,
                             2, 32, 1, 0, 2, 0, 0, 0})));
    CHECK(contains(f, bytes({0x1c, 0x86, 0x73, 0x89, 0xc3, 0xf1, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3,
                             2, 32, 1, 0, 1, 0, 0, 0})));
    // tagCreation {89738609-...} is a linked TIMESTAMP (50) scalar: 12 octets, day 42402
    // (2016-02-02 in the standard's Excel-style count, 1970-01-01 = 25569) and 37547.133724 s.
    CHECK(contains(f, bytes({0x09, 0x86, 0x73, 0x89, 0xc3, 0xf1, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3,
                             2, 50, 0, 0})));
    std::vector<std::byte> stamp = bytes({0xa2, 0xa5, 0x00, 0x00});  // 42402
    const double seconds = 37547.133724;
    std::uint64_t bits = 0;
    std::memcpy(&bits, &seconds, 8);
    for (int i = 0; i < 8; ++i) stamp.push_back(static_cast<std::byte>((bits >> (8 * i)) & 0xFF));
    CHECK(contains(std::span<const std::byte>(f).first(64 + le32(f, 36)), stamp));
    // The file name is a NUL-terminated CHAR1 vector.
    const std::string name = "142300003_1454408745_133724_07.pqd";
    std::vector<std::byte> text = bytes({static_cast<int>(name.size() + 1), 0, 0, 0});
    for (const char c : name) text.push_back(static_cast<std::byte>(c));
    text.push_back(std::byte{0});
    CHECK(contains(f, text));
}

TEST_CASE("pqdif layout: an uncompressed file declares no compression", "[pqdif][layout]") {
    const auto f = write_pqdif(sample_spec(false));
    CHECK(contains(f, bytes({0x1b, 0x86, 0x73, 0x89, 0xc3, 0xf1, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3,
                             2, 32, 1, 0, 0, 0, 0, 0})));
    // tagQuantityTypeID {b48d8592-f5f5-...} = ID_QT_WAVEFORM {67f6af80-f753-11cf-9d89-0080c72e70a3}, linked GUID (60).
    CHECK(contains(f, bytes({0x92, 0x85, 0x8d, 0xb4, 0xf5, 0xf5, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3, 2, 60, 0})));
    CHECK(contains(f, bytes({0x80, 0xaf, 0xf6, 0x67, 0x53, 0xf7, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3})));
    // tagTimeStart {3d786f8c-f76e-11cf-...}
    CHECK(contains(f, bytes({0x8c, 0x6f, 0x78, 0x3d, 0x6e, 0xf7, 0xcf, 0x11, 0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3, 2, 50, 0})));
}
