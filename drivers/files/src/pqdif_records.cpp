// Logical checks of the records the gateway reads (pqdif_lg.h for which tags are required
// and of which element and physical type). Tags it does not interpret are left alone:
// vendors add their own, and the physical walk has already bounds-checked them.
#include "pqdif_records.hpp"

#include <algorithm>

#include "pqdif_time.hpp"

namespace gridgate::files::pqdif {

namespace {

constexpr std::size_t max_kept_starts = 1000;

bool is_uint4(const Element& e) {
    return e.is_scalar(PhysicalType::uns_integer4) || e.is_scalar(PhysicalType::integer4);
}

// "" when `e` is absent (and optional) or a decodable TIMESTAMP scalar.
std::string check_time(const Element* e, const char* name, bool required, TimestampUs* out = nullptr) {
    if (e == nullptr) return required ? std::string(name) + " missing" : "";
    if (!e->is_scalar(PhysicalType::timestamp)) return std::string(name) + " is not a TIMESTAMP scalar";
    const auto t = decode_timestamp(e->value);
    if (!t) return std::string(name) + " is not a valid time";
    if (out != nullptr) *out = *t;
    return "";
}

std::string check_text(const Element* e, const char* name) {
    if (e == nullptr || e->is_vector(PhysicalType::char1) || e->is_vector(PhysicalType::char2)) return "";
    return std::string(name) + " is not a character vector";
}

// Number of `item` collections in `list`; error when anything else is in it.
std::string count_items(const Element& list, const Guid& item, const char* name, std::size_t& n) {
    if (list.type != ElementType::collection) return std::string(name) + " is not a collection";
    n = 0;
    for (const auto& c : list.children) {
        if (c.tag != item || c.type != ElementType::collection) return std::string(name) + " holds an element that is not its item collection";
        ++n;
    }
    return "";
}

}  // namespace

std::string quantity_type_name(const Guid& id) {
    struct Named { Guid id; const char* name; };
    static constexpr Named names[] = {
        {id_qt_waveform, "waveform"},   {id_qt_valuelog, "value_log"},  {id_qt_phasor, "phasor"},
        {id_qt_response, "response"},   {id_qt_flash, "flash"},         {id_qt_histogram, "histogram"},
        {id_qt_histogram3d, "histogram3d"}, {id_qt_cpf, "cpf"},         {id_qt_xy, "xy"},
        {id_qt_magdur, "mag_dur"},      {id_qt_xyz, "xyz"},             {id_qt_magdurtime, "mag_dur_time"},
        {id_qt_magdurcount, "mag_dur_count"},
    };
    for (const auto& n : names)
        if (n.id == id) return n.name;
    return "unknown";
}

std::string read_container(const Element& root, LogicalState& state) {
    if (const auto* v = root.find(tag_version_info); v != nullptr && !v->is_vector(PhysicalType::uns_integer4) &&
                                                      !v->is_vector(PhysicalType::integer4))
        return "tagVersionInfo is not a UINT4 vector";
    if (auto e = check_text(root.find(tag_file_name), "tagFileName"); !e.empty()) return e;
    if (auto e = check_time(root.find(tag_creation), "tagCreation", false); !e.empty()) return e;
    std::uint32_t style = comp_style_none, algorithm = comp_alg_none;
    if (const auto* s = root.find(tag_compression_style)) {
        if (!is_uint4(*s)) return "tagCompressionStyleID is not a UINT4 scalar";
        style = get_u32(s->value, 0);
    }
    if (const auto* a = root.find(tag_compression_algorithm)) {
        if (!is_uint4(*a)) return "tagCompressionAlgorithmID is not a UINT4 scalar";
        algorithm = get_u32(a->value, 0);
    }
    if (style == comp_style_total_file) return "total-file compression (deprecated since 1.5) is not supported";
    if (style != comp_style_none && style != comp_style_record_level)
        return "unknown compression style " + std::to_string(style);
    if (style == comp_style_record_level) {
        if (algorithm == comp_alg_pkzip) return "PKZIP compression (deprecated since 1.5) is not supported";
        if (algorithm != comp_alg_none && algorithm != comp_alg_zlib)
            return "unknown compression algorithm " + std::to_string(algorithm);
    }
    state.compressed = style == comp_style_record_level && algorithm == comp_alg_zlib;
    return "";
}

std::string read_data_source(const Element& root, LogicalState& state, PqdifSummary& summary) {
    state.have_data_source = true;
    state.series_per_channel.clear();
    if (auto e = check_text(root.find(tag_name_ds), "tagNameDS"); !e.empty()) return e;
    const auto* defns = root.find(tag_channel_defns);
    if (defns == nullptr) return "data source without tagChannelDefns";
    std::size_t n = 0;
    if (auto e = count_items(*defns, tag_one_channel_defn, "tagChannelDefns", n); !e.empty()) return e;
    for (const auto& d : defns->children) {
        const auto* qt = d.find(tag_quantity_type_id);
        if (qt == nullptr) return "channel definition without tagQuantityTypeID";
        if (!qt->is_scalar(PhysicalType::guid)) return "tagQuantityTypeID is not a GUID scalar";
        auto name = quantity_type_name(get_guid(qt->value, 0));
        if (std::find(summary.quantity_types.begin(), summary.quantity_types.end(), name) == summary.quantity_types.end())
            summary.quantity_types.push_back(std::move(name));
        std::size_t series = 0;
        if (const auto* sd = d.find(tag_series_defns))
            if (auto e = count_items(*sd, tag_one_series_defn, "tagSeriesDefns", series); !e.empty()) return e;
        state.series_per_channel.push_back(series);
    }
    return "";
}

std::string read_monitor_settings(const Element& root, const LogicalState& state) {
    if (!state.have_data_source) return "monitor settings before any data source";
    return check_time(root.find(tag_effective), "tagEffective", false);
}

std::string read_observation(const Element& root, const LogicalState& state, PqdifSummary& summary) {
    if (!state.have_data_source) return "observation before any data source";
    if (auto e = check_text(root.find(tag_observation_name), "tagObservationName"); !e.empty()) return e;
    if (auto e = check_time(root.find(tag_time_create), "tagTimeCreate", false); !e.empty()) return e;
    if (auto e = check_time(root.find(tag_time_triggered), "tagTimeTriggered", false); !e.empty()) return e;
    TimestampUs start = 0;
    if (auto e = check_time(root.find(tag_time_start), "tagTimeStart", true, &start); !e.empty()) return e;

    if (const auto* insts = root.find(tag_channel_instances)) {
        std::size_t n = 0;
        if (auto e = count_items(*insts, tag_one_channel_inst, "tagChannelInstances", n); !e.empty()) return e;
        for (const auto& inst : insts->children) {
            const auto* idx = inst.find(tag_channel_defn_idx);
            if (idx == nullptr || !is_uint4(*idx)) return "channel instance without a UINT4 tagChannelDefnIdx";
            const std::uint32_t i = get_u32(idx->value, 0);
            if (i >= state.series_per_channel.size())
                return "channel instance refers to channel definition " + std::to_string(i) + " of " +
                       std::to_string(state.series_per_channel.size());
            std::size_t series = 0;
            if (const auto* si = inst.find(tag_series_instances))
                if (auto e = count_items(*si, tag_one_series_instance, "tagSeriesInstances", series); !e.empty()) return e;
            if (series != state.series_per_channel[i])
                return "channel instance has " + std::to_string(series) + " series, its definition " +
                       std::to_string(state.series_per_channel[i]);
        }
    }

    if (summary.observations == 0 || start < summary.first_start_us) summary.first_start_us = start;
    if (summary.observations == 0 || start > summary.last_start_us) summary.last_start_us = start;
    ++summary.observations;
    if (summary.observation_starts.size() < max_kept_starts) summary.observation_starts.push_back(start);
    return "";
}

}  // namespace gridgate::files::pqdif
