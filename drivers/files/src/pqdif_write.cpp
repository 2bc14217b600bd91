// write_pqdif(): container, data source, monitor settings and one observation record per
// spec observation, linked in file order. Every channel has two series: TIME (sample
// indices as INTEGER4, scaled by the sample interval, ID_SERIES_METHOD_SCALED; the scale
// is REAL8 so fractional seconds survive, which the standard permits though it suggests
// matching types) and VAL (REAL8 values). No clock: the same spec gives the same octets.
#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "gridgate/files/pqdif.hpp"
#include "pqdif_format.hpp"
#include "pqdif_tree.hpp"
#include "pqdif_zlib.hpp"

namespace gridgate::files {

namespace {

using namespace pqdif;

// One channel definition in the data source: what identifies a channel across observations.
struct ChannelKey {
    std::string name;
    PqdifPhase phase;
    PqdifMeasured measured;
    PqdifQuantity quantity;
    bool operator==(const ChannelKey&) const = default;
};

Guid quantity_id(PqdifQuantity q) {
    switch (q) {
        case PqdifQuantity::waveform: return id_qt_waveform;
        case PqdifQuantity::value_log: return id_qt_valuelog;
        case PqdifQuantity::phasor: return id_qt_phasor;
        case PqdifQuantity::mag_dur_time: return id_qt_magdurtime;
        case PqdifQuantity::xy: return id_qt_xy;
    }
    return id_qt_waveform;
}

// Line-to-neutral and plain phase letters share the standard's A/B/C-to-neutral IDs:
// a phase current is recorded against its phase's ID.
std::uint32_t phase_id(PqdifPhase p) {
    switch (p) {
        case PqdifPhase::a_n: case PqdifPhase::a: return phase_an;
        case PqdifPhase::b_n: case PqdifPhase::b: return phase_bn;
        case PqdifPhase::c_n: case PqdifPhase::c: return phase_cn;
        case PqdifPhase::total: return phase_total;
        case PqdifPhase::none: return phase_none;
    }
    return phase_none;
}

// tagQuantityMeasuredID, tagQuantityUnitsID and tagQuantityCharacteristicID of the VAL series.
std::tuple<std::uint32_t, std::uint32_t, Guid> measured_ids(PqdifMeasured m, PqdifQuantity q) {
    const Guid magnitude = q == PqdifQuantity::waveform ? id_qc_instantaneous : id_qc_rms;
    switch (m) {
        case PqdifMeasured::voltage: return {qm_voltage, qu_volts, magnitude};
        case PqdifMeasured::current: return {qm_current, qu_amps, magnitude};
        case PqdifMeasured::frequency: return {qm_voltage, qu_hertz, id_qc_frequency};
        case PqdifMeasured::phase_angle: return {qm_voltage, qu_degrees, id_qc_none};
        case PqdifMeasured::thd: return {qm_voltage, qu_percent, id_qc_total_thd};
        case PqdifMeasured::power_factor: return {qm_power, qu_none, id_qc_pf};
    }
    return {qm_voltage, qu_volts, magnitude};
}

Node series_defn(const Guid& value_type, std::uint32_t units, const Guid& characteristic, std::uint32_t storage) {
    return collection(tag_one_series_defn, {scalar_guid(tag_value_type_id, value_type), scalar_u32(tag_quantity_units_id, units),
                                            scalar_guid(tag_quantity_characteristic_id, characteristic),
                                            scalar_u32(tag_storage_method_id, storage)});
}

Node channel_defn(const ChannelKey& k) {
    const auto [measured, units, characteristic] = measured_ids(k.measured, k.quantity);
    const Guid value_type = k.measured == PqdifMeasured::phase_angle ? id_series_value_type_phaseangle : id_series_value_type_val;
    return collection(tag_one_channel_defn,
                      {vector_text(tag_channel_name, k.name), scalar_u32(tag_phase_id, phase_id(k.phase)),
                       scalar_guid(tag_quantity_type_id, quantity_id(k.quantity)), scalar_u32(tag_quantity_measured_id, measured),
                       collection(tag_series_defns, {series_defn(id_series_value_type_time, qu_seconds, id_qc_none, series_method_scaled),
                                                     series_defn(value_type, units, characteristic, series_method_values)})});
}

Node container_record(const PqdifFileSpec& spec) {
    // Version 1.5, readable by 1.0 readers (major, minor, compatible major, compatible minor).
    return collection(tag_container,
                      {vector_u32(tag_version_info, {1, 5, 1, 0}), vector_text(tag_file_name, spec.title),
                       scalar_time(tag_creation, spec.created_us),
                       scalar_u32(tag_compression_style, spec.compress ? comp_style_record_level : comp_style_none),
                       scalar_u32(tag_compression_algorithm, spec.compress ? comp_alg_zlib : comp_alg_none)});
}

Node data_source_record(const PqdifFileSpec& spec, const std::vector<ChannelKey>& channels) {
    std::vector<Node> defns;
    for (const auto& k : channels) defns.push_back(channel_defn(k));
    return collection(tag_rec_data_source,
                      {scalar_guid(tag_data_source_type, id_ds_type_measure), vector_text(tag_name_ds, spec.serial),
                       vector_text(tag_serial_number_ds, spec.serial), vector_text(tag_instrument_model_name, spec.equipment),
                       collection(tag_channel_defns, std::move(defns))});
}

Node monitor_settings_record(const PqdifFileSpec& spec, std::size_t channels) {
    std::vector<Node> settings;
    for (std::size_t i = 0; i < channels; ++i)
        settings.push_back(collection(tag_one_channel_setting, {scalar_u32(tag_channel_defn_idx, static_cast<std::uint32_t>(i))}));
    return collection(tag_rec_monitor_settings,
                      {scalar_time(tag_effective, spec.created_us), scalar_time(tag_time_installed, spec.created_us),
                       scalar_bool4(tag_use_calibration, false), scalar_bool4(tag_use_transducer, false),
                       scalar_f64(tag_nominal_frequency, 60.0), collection(tag_channel_settings_array, std::move(settings))});
}

Node observation_record(const PqdifFileSpec& spec, const PqdifObservationSpec& obs, const std::vector<ChannelKey>& channels) {
    std::vector<Node> instances;
    for (const auto& ch : obs.channels) {
        const ChannelKey key{ch.channel_name, ch.phase, ch.measured, obs.quantity};
        const auto idx = static_cast<std::uint32_t>(std::find(channels.begin(), channels.end(), key) - channels.begin());
        std::vector<std::int32_t> ticks(ch.values.size());
        std::iota(ticks.begin(), ticks.end(), 0);
        Node time = collection(tag_one_series_instance,
                               {scalar_f64(tag_series_scale, obs.sample_interval_s), vector_i32(tag_series_values, ticks)});
        Node values = collection(tag_one_series_instance, {vector_f64(tag_series_values, ch.values)});
        instances.push_back(collection(tag_one_channel_inst, {scalar_u32(tag_channel_defn_idx, idx),
                                                              collection(tag_series_instances, {std::move(time), std::move(values)})}));
    }
    const bool periodic = obs.quantity == PqdifQuantity::value_log;
    return collection(tag_rec_observation,
                      {vector_text(tag_observation_name, obs.name), scalar_time(tag_time_create, spec.created_us),
                       scalar_time(tag_time_start, obs.start_us),
                       scalar_u32(tag_trigger_method_id, periodic ? trigger_meth_periodic : trigger_meth_channel),
                       scalar_time(tag_time_triggered, obs.trigger_us != 0 ? obs.trigger_us : obs.start_us),
                       collection(tag_channel_instances, std::move(instances))});
}

void append_record(std::vector<std::byte>& file, const Guid& type, std::span<const std::byte> stored, bool last) {
    const auto put = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) file.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
    };
    const std::size_t next = file.size() + record_header_size + stored.size();
    if (next > 0x7FFFFFFFu) throw std::length_error("PQDIF file over 2 GiB");
    file.insert(file.end(), reinterpret_cast<const std::byte*>(record_signature.bytes.data()),
                reinterpret_cast<const std::byte*>(record_signature.bytes.data()) + 16);
    file.insert(file.end(), reinterpret_cast<const std::byte*>(type.bytes.data()),
                reinterpret_cast<const std::byte*>(type.bytes.data()) + 16);
    put(static_cast<std::uint32_t>(record_header_size));
    put(static_cast<std::uint32_t>(stored.size()));
    put(last ? 0u : static_cast<std::uint32_t>(next));
    put(adler32_of(stored));  // of the stored octets, as GSF's PQDIF library does
    file.resize(file.size() + 16);  // reserved
    file.insert(file.end(), stored.begin(), stored.end());
}

}  // namespace

std::vector<std::byte> write_pqdif(const PqdifFileSpec& spec) {
    std::vector<ChannelKey> channels;
    for (const auto& obs : spec.observations) {
        for (const auto& ch : obs.channels) {
            if (ch.values.size() != obs.channels.front().values.size())
                throw std::invalid_argument("PQDIF observation '" + obs.name + "': channels of different lengths");
            if (ch.values.size() > 0x7FFFFFFFu) throw std::invalid_argument("PQDIF series too long");
            ChannelKey key{ch.channel_name, ch.phase, ch.measured, obs.quantity};
            if (std::find(channels.begin(), channels.end(), key) == channels.end()) channels.push_back(std::move(key));
        }
    }
    std::vector<std::pair<Guid, Node>> records;
    records.emplace_back(tag_container, container_record(spec));
    records.emplace_back(tag_rec_data_source, data_source_record(spec, channels));
    records.emplace_back(tag_rec_monitor_settings, monitor_settings_record(spec, channels.size()));
    for (const auto& obs : spec.observations) records.emplace_back(tag_rec_observation, observation_record(spec, obs, channels));

    std::vector<RawRecord> raw;
    for (const auto& [type, root] : records) raw.push_back({type, serialize_body(root)});
    return assemble_records(raw, spec.compress);
}

namespace pqdif {

std::vector<std::byte> assemble_records(const std::vector<RawRecord>& records, bool compress) {
    std::vector<std::byte> file;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const bool deflate = compress && i > 0;  // the container says how the rest is stored
        append_record(file, records[i].type, deflate ? deflate_body(records[i].body) : records[i].body,
                      i + 1 == records.size());
    }
    return file;
}

}  // namespace pqdif

}  // namespace gridgate::files
