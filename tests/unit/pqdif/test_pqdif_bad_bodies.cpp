// Hand-built record bodies that break one rule each, physical (links, counts, types,
// nesting) or logical (record order, required tags, indices between records).
#include <catch2/catch.hpp>

#include "pqdif_samples.hpp"
#include "pqdif_tree.hpp"

using namespace pqdif_test;
using namespace gridgate::files::pqdif;

namespace {

Node container_node(std::uint32_t style = comp_style_none, std::uint32_t algorithm = comp_alg_none) {
    return collection(tag_container, {vector_u32(tag_version_info, {1, 5, 1, 0}), vector_text(tag_file_name, "x.pqd"),
                                      scalar_time(tag_creation, example_us), scalar_u32(tag_compression_style, style),
                                      scalar_u32(tag_compression_algorithm, algorithm)});
}

Node data_source_node(const Guid& quantity = id_qt_waveform) {
    Node series = collection(tag_series_defns, {collection(tag_one_series_defn, {}), collection(tag_one_series_defn, {})});
    Node defn = collection(tag_one_channel_defn, {vector_text(tag_channel_name, "Va"), scalar_guid(tag_quantity_type_id, quantity), series});
    return collection(tag_rec_data_source, {vector_text(tag_name_ds, "142300003"), collection(tag_channel_defns, {defn})});
}

Node observation_node(std::uint32_t channel = 0, std::size_t series = 2) {
    std::vector<Node> s(series, collection(tag_one_series_instance, {vector_f64(tag_series_values, {1.0, 2.0})}));
    Node inst = collection(tag_one_channel_inst, {scalar_u32(tag_channel_defn_idx, channel), collection(tag_series_instances, s)});
    return collection(tag_rec_observation, {vector_text(tag_observation_name, "o"), scalar_time(tag_time_start, example_us),
                                            collection(tag_channel_instances, {inst})});
}

std::vector<std::byte> body(const Node& n) { return serialize_body(n); }

PqdifSummary check_records(std::vector<RawRecord> records, bool compress = false) {
    return check_pqdif(assemble_records(records, compress));
}

// The usual three records with `last` after them.
PqdifSummary check_with(const Guid& type, std::vector<std::byte> last_body) {
    return check_records({{tag_container, body(container_node())}, {tag_rec_data_source, body(data_source_node())},
                          {type, std::move(last_body)}});
}

}  // namespace

TEST_CASE("pqdif bad bodies: the hand-built baseline is well formed", "[pqdif][bodies]") {
    const auto s = check_with(tag_rec_observation, body(observation_node()));
    INFO(s.error);
    CHECK(s.well_formed);
    CHECK(s.observations == 1);
    CHECK(s.observation_starts.at(0) == example_us);
    const auto compressed = check_records({{tag_container, body(container_node(comp_style_record_level, comp_alg_zlib))},
                                           {tag_rec_data_source, body(data_source_node(id_qt_magdurtime))}},
                                          true);
    CHECK(compressed.well_formed);
    CHECK(compressed.compressed);
    CHECK(compressed.quantity_types == std::vector<std::string>{"mag_dur_time"});
    // A quantity type the standard does not list is reported, not rejected.
    const auto odd = check_records({{tag_container, body(container_node())},
                                    {tag_rec_data_source, body(data_source_node(tag_blank))}});
    CHECK(odd.well_formed);
    CHECK(odd.quantity_types == std::vector<std::string>{"unknown"});
    // An empty blank record is allowed anywhere after the container.
    CHECK(check_with(tag_blank, {}).well_formed);
}

TEST_CASE("pqdif bad bodies: element links, counts and types", "[pqdif][bodies]") {
    // observation_node(): root count at 0, entries at 4 (name), 32 (time start), 60 (instances); payload from 88.
    const auto good = body(observation_node());
    const auto expect = [&](std::vector<std::byte> b, const std::string& what) {
        const auto s = check_with(tag_rec_observation, std::move(b));
        CHECK_FALSE(s.well_formed);
        CHECK_THAT(s.error, Catch::Contains("record 2") && Catch::Contains(what));
    };
    auto b = good;
    put32(b, 4 + 20, static_cast<std::uint32_t>(b.size()));  // name links to the end of the body
    expect(b, "links outside the body");
    b = good;
    put32(b, 4 + 24, 0x7FFFFFF0u);  // with a huge size
    expect(b, "links outside the body");
    b = good;
    put32(b, le32(good, 4 + 20), 1000);  // name vector claims 1000 characters
    expect(b, "vector count 1000 does not fit");
    b = good;
    b[4 + 18] = std::byte{1};  // the name vector marked embedded
    expect(b, "a vector cannot be embedded");
    b = good;
    b[4 + 16] = std::byte{7};
    expect(b, "unknown element type 7");
    b = good;
    b[4 + 17] = std::byte{12};
    expect(b, "unknown physical type 12");
    b = good;
    put32(b, 0, 0xFFFFFFFFu);
    expect(b, "negative collection count");
    b = good;
    put32(b, 0, 1000);
    expect(b, "declares 1000 elements that do not fit");
    b = good;
    b[32 + 17] = std::byte{32};  // tagTimeStart as a UINT4
    b[32 + 18] = std::byte{1};
    expect(b, "tagTimeStart is not a TIMESTAMP scalar");
    b = good;
    put32(b, le32(good, 32 + 20), 0);  // day 0 but seconds
    put32(b, le32(good, 32 + 20) + 8, 0x7FF00000u);  // = +infinity
    put32(b, le32(good, 32 + 20) + 4, 0);
    expect(b, "tagTimeStart is not a valid time");
    b = good;
    put32(b, 60 + 20, 0);  // channel instances link back to the root: a loop
    expect(b, "shared or looping");
}

TEST_CASE("pqdif bad bodies: nesting beyond the depth limit", "[pqdif][bodies]") {
    Node deep = collection(tag_blank, {});
    for (int i = 0; i < 40; ++i) deep = collection(tag_blank, {deep});
    const auto s = check_with(tag_rec_monitor_settings, body(collection(tag_rec_monitor_settings, {deep})));
    CHECK_FALSE(s.well_formed);
    CHECK_THAT(s.error, Catch::Contains("nested deeper than 32"));
}

TEST_CASE("pqdif bad bodies: record order and required tags", "[pqdif][bodies]") {
    const auto c = body(container_node());
    const auto ds = body(data_source_node());
    const auto obs = body(observation_node());
    CHECK_THAT(check_records({{tag_container, c}, {tag_rec_observation, obs}}).error,
               Catch::Contains("observation before any data source"));
    CHECK_THAT(check_records({{tag_container, c}, {tag_rec_monitor_settings, body(collection(tag_rec_monitor_settings, {}))}}).error,
               Catch::Contains("monitor settings before any data source"));
    CHECK_THAT(check_records({{tag_rec_data_source, ds}, {tag_container, c}}).error,
               Catch::Contains("record 0") && Catch::Contains("first record is not the container"));
    CHECK_THAT(check_records({{tag_container, c}, {tag_rec_data_source, ds}, {tag_container, c}}).error,
               Catch::Contains("record 2") && Catch::Contains("a second container"));
    CHECK_THAT(check_with(id_qt_waveform, obs).error, Catch::Contains("unknown record type"));
    CHECK_THAT(check_with(tag_blank, obs).error, Catch::Contains("blank record with content"));
    CHECK(check_with(tag_blank, body(collection(tag_blank, {scalar_u32(tag_blank, 0)}))).well_formed);
    CHECK_THAT(check_with(tag_rec_observation, body(collection(tag_rec_observation, {}))).error,
               Catch::Contains("tagTimeStart missing"));
    CHECK_THAT(check_with(tag_rec_observation, body(observation_node(1))).error,
               Catch::Contains("refers to channel definition 1 of 1"));
    CHECK_THAT(check_with(tag_rec_observation, body(observation_node(0, 3))).error,
               Catch::Contains("has 3 series, its definition 2"));
    CHECK_THAT(check_records({{tag_container, c}, {tag_rec_data_source, body(collection(tag_rec_data_source, {}))}}).error,
               Catch::Contains("without tagChannelDefns"));
    const Node no_qt = collection(tag_rec_data_source, {collection(tag_channel_defns, {collection(tag_one_channel_defn, {})})});
    CHECK_THAT(check_records({{tag_container, c}, {tag_rec_data_source, body(no_qt)}}).error,
               Catch::Contains("without tagQuantityTypeID"));
}

TEST_CASE("pqdif bad bodies: compression the gateway cannot read", "[pqdif][bodies]") {
    CHECK_THAT(check_records({{tag_container, body(container_node(comp_style_total_file, comp_alg_zlib))}}).error,
               Catch::Contains("total-file compression"));
    CHECK_THAT(check_records({{tag_container, body(container_node(comp_style_record_level, comp_alg_pkzip))}}).error,
               Catch::Contains("PKZIP"));
    CHECK_THAT(check_records({{tag_container, body(container_node(7, comp_alg_zlib))}}).error,
               Catch::Contains("unknown compression style 7"));
    // Declared compressed, stored plain: the body does not inflate.
    const auto s = check_records({{tag_container, body(container_node(comp_style_record_level, comp_alg_zlib))},
                                  {tag_rec_data_source, body(data_source_node())}});
    CHECK_FALSE(s.well_formed);
    CHECK_THAT(s.error, Catch::Contains("record 1") && Catch::Contains("compressed body"));
}
