// Writer -> check: what write_pqdif() produces is well formed and summarises back to its spec.
#include <catch2/catch.hpp>

#include "pqdif_body.hpp"
#include "pqdif_samples.hpp"
#include "pqdif_zlib.hpp"

using namespace pqdif_test;
namespace px = gridgate::files::pqdif;

TEST_CASE("pqdif round trip: compressed and not, several observations", "[pqdif][roundtrip]") {
    const bool compress = GENERATE(true, false);
    INFO("compress " << compress);
    const auto spec = sample_spec(compress);
    const auto file = write_pqdif(spec);
    const auto s = check_pqdif(file);
    INFO(s.error);
    REQUIRE(s.well_formed);
    CHECK(s.error.empty());
    CHECK(s.records == 6);  // container, data source, monitor settings, 3 observations
    CHECK(s.observations == 3);
    CHECK(s.compressed == compress);
    // Exact to the microsecond, in file order, across a day boundary.
    CHECK(s.observation_starts == std::vector<gridgate::TimestampUs>{example_us, example_us + 1,
                                                                     example_us - 86'400'000'000 + 999'999});
    CHECK(s.first_start_us == example_us - 86'400'000'000 + 999'999);
    CHECK(s.last_start_us == example_us + 1);
    CHECK(s.quantity_types == std::vector<std::string>{"waveform", "phasor", "value_log"});
}

TEST_CASE("pqdif round trip: compression makes the file smaller and the output is deterministic", "[pqdif][roundtrip]") {
    const auto plain = write_pqdif(sample_spec(false, 2048));
    const auto packed = write_pqdif(sample_spec(true, 2048));
    CHECK(packed.size() < plain.size() / 2);
    CHECK(write_pqdif(sample_spec(true, 2048)) == packed);
    CHECK(write_pqdif(sample_spec(false, 2048)) == plain);
}

TEST_CASE("pqdif round trip: start times at the edges of a day and of the epoch", "[pqdif][roundtrip]") {
    const gridgate::TimestampUs starts[] = {0, 1, 86'399'999'999, 86'400'000'000, -1, -86'400'000'001,
                                            4'102'444'799'999'999 /* 2099-12-31T23:59:59.999999Z */};
    auto spec = sample_spec(true, 4);
    const auto proto = spec.observations.front();
    spec.observations.clear();
    for (const auto t : starts) {
        auto o = proto;
        o.start_us = t;
        spec.observations.push_back(o);
    }
    const auto s = check_pqdif(write_pqdif(spec));
    INFO(s.error);
    REQUIRE(s.well_formed);
    CHECK(s.observation_starts == std::vector<gridgate::TimestampUs>(std::begin(starts), std::end(starts)));
    CHECK(s.first_start_us == -86'400'000'001);
    CHECK(s.last_start_us == 4'102'444'799'999'999);
}

TEST_CASE("pqdif round trip: a file with no observation, and the JSON summary", "[pqdif][roundtrip]") {
    auto spec = sample_spec(false);
    spec.observations.clear();
    const auto empty = check_pqdif(write_pqdif(spec));
    REQUIRE(empty.well_formed);
    CHECK(empty.observations == 0);
    CHECK(empty.quantity_types.empty());
    CHECK(empty.to_json() ==
          R"({"well_formed":true,"records":3,"observations":0,"compressed":false,"quantity_types":[]})");

    const auto full = check_pqdif(write_pqdif(sample_spec(true)));
    CHECK(full.to_json() ==
          R"({"well_formed":true,"records":6,"observations":3,"compressed":true,)"
          R"("first_start":"2016-02-01T10:25:46.133723Z","last_start":"2016-02-02T10:25:45.133725Z",)"
          R"("quantity_types":["waveform","phasor","value_log"]})");

    PqdifSummary bad;
    bad.error = "record 2 at offset 9: \"quoted\"\n";
    CHECK(bad.to_json() ==
          R"({"well_formed":false,"error":"record 2 at offset 9: \"quoted\"\n","records":0,"observations":0,)"
          R"("compressed":false,"quantity_types":[]})");
}

TEST_CASE("pqdif round trip: at most 1000 starts are kept, first and last cover them all", "[pqdif][roundtrip]") {
    auto spec = sample_spec(true, 1);
    const auto proto = spec.observations.front();
    spec.observations.clear();
    for (int i = 0; i < 1005; ++i) {
        auto o = proto;
        o.start_us = example_us + (i == 1004 ? -5 : i);
        spec.observations.push_back(o);
    }
    const auto s = check_pqdif(write_pqdif(spec));
    REQUIRE(s.well_formed);
    CHECK(s.observations == 1005);
    CHECK(s.observation_starts.size() == 1000);
    CHECK(s.first_start_us == example_us - 5);
    CHECK(s.last_start_us == example_us + 1003);
}

TEST_CASE("pqdif writer: series stored as scaled INTEGER4 time and REAL8 values", "[pqdif][roundtrip]") {
    const auto spec = sample_spec(true, 16);
    const auto file = write_pqdif(spec);
    const auto at = record_offsets(file).at(3);  // the first observation
    const auto stored = std::span<const std::byte>(file).subspan(at + 64, le32(file, at + 36));
    const auto inflated = px::inflate_body(stored, 1 << 20);
    REQUIRE(inflated.error.empty());
    const auto parsed = px::parse_body(inflated.data, px::tag_rec_observation, 32);
    REQUIRE(parsed.root);
    const auto* insts = parsed.root->find(px::tag_channel_instances);
    REQUIRE(insts);
    REQUIRE(insts->children.size() == 3);
    const auto& ib = insts->children[2];  // Ia
    CHECK(px::get_u32(ib.find(px::tag_channel_defn_idx)->value, 0) == 2);
    const auto& series = ib.find(px::tag_series_instances)->children;
    REQUIRE(series.size() == 2);
    const auto* scale = series[0].find(px::tag_series_scale);
    REQUIRE(scale);
    CHECK(px::get_f64(scale->value, 0) == spec.observations[0].sample_interval_s);
    const auto* ticks = series[0].find(px::tag_series_values);
    REQUIRE(ticks->is_vector(px::PhysicalType::integer4));
    REQUIRE(ticks->count == 16);
    CHECK(px::get_i32(ticks->value, 4 * 15) == 15);
    const auto* values = series[1].find(px::tag_series_values);
    REQUIRE(values->is_vector(px::PhysicalType::real8));
    REQUIRE(values->count == 16);
    for (std::size_t i = 0; i < 16; ++i) CHECK(px::get_f64(values->value, 8 * i) == spec.observations[0].channels[2].values[i]);
}
