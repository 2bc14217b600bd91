// SHA-256 helpers checked against the NIST example vectors (FIPS 180-2 appendix B).
#include <catch2/catch.hpp>

#include <string>

#include "gridgate/files/sha256.hpp"
#include "gridgate/testing/temp_dir.hpp"

using namespace gridgate::files;
using gridgate::testing::TempDir;

namespace {
std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }
const std::string abc_digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string two_block = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string two_block_digest = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
const std::string empty_digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
}  // namespace

TEST_CASE("sha256 of the NIST vectors", "[sha256]") {
    CHECK(sha256_hex(bytes_of("abc")) == abc_digest);
    CHECK(sha256_hex(bytes_of(two_block)) == two_block_digest);
    CHECK(sha256_hex({}) == empty_digest);

    Sha256 incremental;  // the same bytes fed in pieces
    incremental.update(bytes_of("a"));
    incremental.update(bytes_of(""));
    incremental.update(bytes_of("bc"));
    CHECK(incremental.hex_digest() == abc_digest);
}

TEST_CASE("sha256 of a file and of its prefix", "[sha256]") {
    TempDir dir("gg-sha");
    const auto file = dir.write("f.bin", "abc" + two_block);
    CHECK(sha256_file(file, 3) == abc_digest);
    CHECK(sha256_file(file, 0) == empty_digest);
    CHECK(sha256_file(dir.write("abc.bin", "abc")) == abc_digest);
    CHECK_THROWS_AS(sha256_file(file, 1000), std::runtime_error);
    CHECK_THROWS_AS(sha256_file(dir.file("missing")), std::runtime_error);
}
