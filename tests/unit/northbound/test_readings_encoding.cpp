#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "gridgate/northbound/encoding.hpp"

using gridgate::Reading;
using gridgate::Source;
using gridgate::StoredReading;
using gridgate::northbound::encode_readings_batch;
namespace quality = gridgate::quality;

namespace {

StoredReading stored(std::uint64_t seq, std::string meter, std::string point, gridgate::TimestampUs ts, double value,
                     std::string unit, std::uint32_t flags, Source source) {
    return {seq, Reading{std::move(meter), std::move(point), ts, value, std::move(unit), flags, source}};
}

StoredReading with_value(double value) {
    return stored(1, "m", "p", 0, value, "V", quality::good, Source::gateway);
}

nlohmann::json parse(const std::string& text) { return nlohmann::json::parse(text); }

}  // namespace

TEST_CASE("a small batch encodes to the exact contract JSON, with escaping and null for NaN") {
    const std::vector<StoredReading> batch{
        stored(7, "m\"1\\", "p\n\t\x01", 1'700'000'000'123'456, 1.5, "kWh", quality::good, Source::modbus_tcp),
        stored(9, "m2", "energy", 0, std::nan(""), "V\x1f", quality::invalid | quality::refilled, Source::dnp3),
    };
    const std::string json = encode_readings_batch("gw-1", batch);
    CHECK(json ==
          R"({"gateway":"gw-1","first_seq":7,"last_seq":9,"count":2,"readings":[)"
          R"({"seq":7,"meter":"m\"1\\","point":"p\n\t\u0001","ts":"2023-11-14T22:13:20.123456Z","value":1.5,)"
          R"("unit":"kWh","quality":["good"],"source":"modbus_tcp"},)"
          R"({"seq":9,"meter":"m2","point":"energy","ts":"1970-01-01T00:00:00.000000Z","value":null,)"
          R"("unit":"V\u001f","quality":["invalid","refilled"],"source":"dnp3"}]})");

    const auto parsed = parse(json);  // valid JSON, and the escapes read back to the originals
    CHECK(parsed["readings"][0]["meter"] == "m\"1\\");
    CHECK(parsed["readings"][0]["point"] == "p\n\t\x01");
    CHECK(parsed["readings"][1]["unit"] == "V\x1f");
    CHECK(parsed["readings"][1]["value"].is_null());
}

TEST_CASE("every control character is escaped and reads back unchanged") {
    std::string all_controls;
    for (char c = 1; c < 0x20; ++c) all_controls.push_back(c);
    all_controls += "\"\\/\x7f";
    const std::vector<StoredReading> batch{stored(1, all_controls, "p", 0, 1, "u", 0, Source::gateway)};
    const std::string json = encode_readings_batch("gw", batch);
    for (char c = 1; c < 0x20; ++c) CHECK(json.find(c) == std::string::npos);
    CHECK(parse(json)["readings"][0]["meter"] == all_controls);
}

TEST_CASE("UTF-8 passes through; bytes that are not UTF-8 become U+FFFD so the JSON stays valid") {
    const std::string good = "Z\xc3\xa4hler \xe2\x82\xac \xf0\x9f\x94\x8c";  // Zähler € 🔌
    const std::vector<StoredReading> batch{
        stored(1, good, "p", 0, 1, "u", 0, Source::gateway),
        stored(2, "a\xff" "b", "\xc3", 0, 1, "\xed\xa0\x80", 0, Source::gateway),  // stray, truncated, surrogate
        stored(3, "\xc0\xaf", "\xf4\x90\x80\x80", 0, 1, "\xe0\x80\x80", 0, Source::gateway),  // overlong, > U+10FFFF
    };
    const std::string json = encode_readings_batch("gw", batch);
    const auto parsed = parse(json);
    CHECK(parsed["readings"][0]["meter"] == good);
    CHECK(parsed["readings"][1]["meter"] == "a\xef\xbf\xbd" "b");
    CHECK(parsed["readings"][1]["point"] == "\xef\xbf\xbd");
    CHECK(parsed["readings"][1]["unit"] == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(parsed["readings"][2]["meter"] == "\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(parsed["readings"][2]["point"] == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("values are JSON numbers that read back to the same double; infinities become null") {
    CHECK(encode_readings_batch("g", std::vector{with_value(0.1)}).find(R"("value":0.1,)") != std::string::npos);
    CHECK(encode_readings_batch("g", std::vector{with_value(-2.0)}).find(R"("value":-2,)") != std::string::npos);
    CHECK(encode_readings_batch("g", std::vector{with_value(1e21)}).find(R"("value":1e+21,)") != std::string::npos);
    for (double v : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
        const auto json = encode_readings_batch("g", std::vector{with_value(v)});
        CHECK(parse(json)["readings"][0]["value"].is_null());
    }
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-300, 300);
    for (int i = 0; i < 2000; ++i) {
        const double v = std::ldexp(mantissa(rng), exponent(rng));
        const auto parsed = parse(encode_readings_batch("g", std::vector{with_value(v)}));
        REQUIRE(parsed["readings"][0]["value"].get<double>() == v);
    }
    const double extremes[] = {std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::lowest(), 5e-324, 123456789012345.0};
    for (double v : extremes)
        CHECK(parse(encode_readings_batch("g", std::vector{with_value(v)}))["readings"][0]["value"].get<double>() == v);
}

TEST_CASE("quality is the list of core's flag names, for every combination") {
    for (std::uint32_t flags = 0; flags <= quality::all; ++flags) {
        const auto parsed = parse(encode_readings_batch(
            "g", std::vector{stored(1, "m", "p", 0, 1, "u", flags, Source::gateway)}));
        std::vector<std::string> expected;
        for (auto name : gridgate::quality_names(flags)) expected.emplace_back(name);
        REQUIRE(parsed["readings"][0]["quality"].get<std::vector<std::string>>() == expected);
    }
    // Bits from a newer build than ours are not invented names; the known ones still show.
    const auto parsed = parse(encode_readings_batch(
        "g", std::vector{stored(1, "m", "p", 0, 1, "u", quality::estimated | (1u << 20), Source::gateway)}));
    CHECK(parsed["readings"][0]["quality"] == nlohmann::json::array({"estimated"}));
}

TEST_CASE("timestamps are exactly core's ISO-8601 UTC microsecond format") {
    std::vector<gridgate::TimestampUs> samples{0, -1, -1'000'000, 1, 999'999, 951'782'400'000'000 /* 2000-02-29 */,
                                               4'107'542'399'999'999 /* 2100-02-28T23:59:59.999999 */,
                                               -2'208'988'800'000'000 /* 1900-01-01 */,
                                               253'402'300'799'999'999 /* 9999-12-31T23:59:59.999999 */};
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<gridgate::TimestampUs> any(-2'208'988'800'000'000, 7'258'118'400'000'000);
    for (int i = 0; i < 2000; ++i) samples.push_back(any(rng));
    std::vector<StoredReading> batch;
    for (std::size_t i = 0; i < samples.size(); ++i)
        batch.push_back(stored(i + 1, "m", "p", samples[i], 1, "u", 0, Source::gateway));
    const auto parsed = parse(encode_readings_batch("g", batch));
    for (std::size_t i = 0; i < samples.size(); ++i) {
        INFO("ts_us = " << samples[i]);
        REQUIRE(parsed["readings"][i]["ts"] == gridgate::format_iso8601_utc(samples[i]));
    }
}

TEST_CASE("first and last seq come from the batch ends and count is the number of readings") {
    // seqs 10, 11, 15: the store dropped 12..14 by quota; nothing is renumbered.
    const std::vector<StoredReading> batch{with_value(1), with_value(2), with_value(3)};
    auto gapped = batch;
    gapped[0].seq = 10;
    gapped[1].seq = 11;
    gapped[2].seq = 15;
    const auto parsed = parse(encode_readings_batch("gw", gapped));
    CHECK(parsed["first_seq"] == 10);
    CHECK(parsed["last_seq"] == 15);
    CHECK(parsed["count"] == 3);
    CHECK(parsed["readings"][2]["seq"] == 15);
    CHECK(parsed["gateway"] == "gw");

    CHECK(encode_readings_batch("gw", std::vector<StoredReading>{}) ==
          R"({"gateway":"gw","first_seq":0,"last_seq":0,"count":0,"readings":[]})");
}

TEST_CASE("every source has its name") {
    for (auto source : {Source::modbus_tcp, Source::modbus_rtu, Source::dnp3, Source::dlms, Source::gateway}) {
        const auto parsed =
            parse(encode_readings_batch("g", std::vector{stored(1, "m", "p", 0, 1, "u", 0, source)}));
        CHECK(parsed["readings"][0]["source"] == std::string(gridgate::to_string(source)));
    }
}
