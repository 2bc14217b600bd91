#pragma once
// The physical layout of IEEE 1159.3 (PQDIF) and the identifiers the gateway uses.
// Values are those of the standard's published headers (pqdif_ph.h: physical format;
// pqdif_lg.h: tags; pqdif_id.h: identifier values, version 1.5). Everything is little
// endian; a GUID is stored as Data1 (u32 LE), Data2 (u16 LE), Data3 (u16 LE), Data4 (8 octets).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace gridgate::files::pqdif {

struct Guid {
    std::array<std::uint8_t, 16> bytes{};
    friend bool operator==(const Guid&, const Guid&) = default;
};

// A GUID from its registry form {d1-d2-d3-d4[0..1]-d4[2..7]}, laid out as stored in files.
constexpr Guid make_guid(std::uint32_t d1, std::uint16_t d2, std::uint16_t d3, std::array<std::uint8_t, 8> d4) {
    Guid g;
    for (int i = 0; i < 4; ++i) g.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(d1 >> (8 * i));
    for (int i = 0; i < 2; ++i) g.bytes[static_cast<std::size_t>(4 + i)] = static_cast<std::uint8_t>(d2 >> (8 * i));
    for (int i = 0; i < 2; ++i) g.bytes[static_cast<std::size_t>(6 + i)] = static_cast<std::uint8_t>(d3 >> (8 * i));
    for (std::size_t i = 0; i < 8; ++i) g.bytes[8 + i] = d4[i];
    return g;
}

// Most standard tags share the tail of one of a few GUID families; these keep the table short.
constexpr std::array<std::uint8_t, 8> tail_9d89{0x9d, 0x89, 0x00, 0x80, 0xc7, 0x2e, 0x70, 0xa3};
constexpr Guid tag_f1c3(std::uint32_t d1) { return make_guid(d1, 0xf1c3, 0x11cf, tail_9d89); }
constexpr Guid tag_f5f5(std::uint32_t d1) { return make_guid(d1, 0xf5f5, 0x11cf, tail_9d89); }
constexpr Guid tag_f76e(std::uint32_t d1) { return make_guid(d1, 0xf76e, 0x11cf, tail_9d89); }
constexpr Guid tag_f9c4(std::uint32_t d1) { return make_guid(d1, 0xf9c4, 0x11cf, tail_9d89); }
constexpr Guid id_f753(std::uint32_t d1) { return make_guid(d1, 0xf753, 0x11cf, tail_9d89); }
constexpr Guid id_f755(std::uint32_t d1) { return make_guid(d1, 0xf755, 0x11cf, tail_9d89); }
constexpr Guid id_f747(std::uint32_t d1) { return make_guid(d1, 0xf747, 0x11cf, tail_9d89); }
constexpr Guid id_qc(std::uint32_t d1) {
    return make_guid(d1, 0xb451, 0x11d1, {0xae, 0x17, 0x00, 0x60, 0x08, 0x3a, 0x26, 0x28});
}

// Record header (64 octets) and collection element (28 octets).
constexpr std::size_t record_header_size = 64;
constexpr std::size_t element_size = 28;
// {4a111440-e49f-11cf-9900-505144494600}: Data4 spells "PQDIF\0".
constexpr Guid record_signature = make_guid(0x4a111440, 0xe49f, 0x11cf, {0x99, 0x00, 0x50, 0x51, 0x44, 0x49, 0x46, 0x00});

// Record types (the record header's tag, also the tag of the body's root collection).
constexpr Guid tag_container = tag_f1c3(0x89738606);
constexpr Guid tag_rec_data_source = tag_f1c3(0x89738619);
constexpr Guid tag_rec_monitor_settings = tag_f5f5(0xb48d858c);
constexpr Guid tag_rec_observation = tag_f1c3(0x8973861a);
constexpr Guid tag_blank = tag_f1c3(0x89738618);  // space left free (a record or an element)

// Container.
constexpr Guid tag_version_info = tag_f1c3(0x89738607);
constexpr Guid tag_file_name = tag_f1c3(0x89738608);
constexpr Guid tag_creation = tag_f1c3(0x89738609);
constexpr Guid tag_compression_style = tag_f1c3(0x8973861b);
constexpr Guid tag_compression_algorithm = tag_f1c3(0x8973861c);
constexpr std::uint32_t comp_style_none = 0, comp_style_total_file = 1, comp_style_record_level = 2;
constexpr std::uint32_t comp_alg_none = 0, comp_alg_zlib = 1, comp_alg_pkzip = 64;

// Data source.
constexpr Guid tag_data_source_type = tag_f5f5(0xb48d8581);
constexpr Guid tag_serial_number_ds = tag_f5f5(0xb48d8585);
constexpr Guid tag_name_ds = tag_f5f5(0xb48d8587);
constexpr Guid tag_channel_defns = tag_f5f5(0xb48d858d);
constexpr Guid tag_instrument_model_name = tag_f76e(0x3d786f83);
constexpr Guid tag_one_channel_defn = tag_f5f5(0xb48d858e);
constexpr Guid tag_channel_name = tag_f5f5(0xb48d8590);
constexpr Guid tag_phase_id = tag_f5f5(0xb48d8591);
constexpr Guid tag_quantity_type_id = tag_f5f5(0xb48d8592);
constexpr Guid tag_quantity_measured_id = make_guid(0xc690e872, 0xf755, 0x11cf, tail_9d89);
constexpr Guid tag_series_defns = tag_f5f5(0xb48d8598);
constexpr Guid tag_one_series_defn = tag_f5f5(0xb48d859a);
constexpr Guid tag_value_type_id = tag_f5f5(0xb48d859c);
constexpr Guid tag_quantity_units_id = tag_f5f5(0xb48d859b);
constexpr Guid tag_quantity_characteristic_id = tag_f76e(0x3d786f9e);
constexpr Guid tag_storage_method_id = tag_f5f5(0xb48d85a1);
constexpr Guid id_ds_type_measure = id_f747(0xe6b51730);

// Monitor settings.
constexpr Guid tag_effective = tag_f9c4(0x62f28183);
constexpr Guid tag_time_installed = tag_f76e(0x3d786f85);
constexpr Guid tag_use_calibration = tag_f9c4(0x62f28180);
constexpr Guid tag_use_transducer = tag_f9c4(0x62f28181);
constexpr Guid tag_channel_settings_array = tag_f9c4(0x62f28182);
constexpr Guid tag_one_channel_setting = tag_f76e(0x3d786f9a);
constexpr Guid tag_nominal_frequency = make_guid(0x0fa118c3, 0xcb4a, 0x11d2, {0xb3, 0x0b, 0xfe, 0x25, 0xcb, 0x9a, 0x17, 0x60});

// Observation.
constexpr Guid tag_observation_name = tag_f76e(0x3d786f8a);
constexpr Guid tag_time_create = tag_f76e(0x3d786f8b);
constexpr Guid tag_time_start = tag_f76e(0x3d786f8c);
constexpr Guid tag_trigger_method_id = tag_f76e(0x3d786f8d);
constexpr Guid tag_time_triggered = tag_f76e(0x3d786f8e);
constexpr Guid tag_channel_instances = tag_f76e(0x3d786f91);
constexpr Guid tag_one_channel_inst = tag_f76e(0x3d786f92);
constexpr Guid tag_channel_defn_idx = tag_f5f5(0xb48d858f);  // also in channel settings
constexpr Guid tag_series_instances = tag_f76e(0x3d786f93);
constexpr Guid tag_one_series_instance = tag_f76e(0x3d786f94);
constexpr Guid tag_series_scale = tag_f76e(0x3d786f96);
constexpr Guid tag_series_values = tag_f76e(0x3d786f99);
constexpr std::uint32_t trigger_meth_channel = 1, trigger_meth_periodic = 2;

// Quantity types (tagQuantityTypeID values).
constexpr Guid id_qt_waveform = id_f753(0x67f6af80);
constexpr Guid id_qt_phasor = id_f753(0x67f6af81);
constexpr Guid id_qt_valuelog = id_f753(0x67f6af82);
constexpr Guid id_qt_flash = id_f753(0x67f6af83);
constexpr Guid id_qt_response = id_f753(0x67f6af85);
constexpr Guid id_qt_histogram = id_f753(0x67f6af87);
constexpr Guid id_qt_histogram3d = id_f753(0x67f6af88);
constexpr Guid id_qt_cpf = id_f753(0x67f6af89);
constexpr Guid id_qt_xy = id_f753(0x67f6af8a);
constexpr Guid id_qt_magdur = id_f753(0x67f6af8b);
constexpr Guid id_qt_xyz = id_f753(0x67f6af8c);
constexpr Guid id_qt_magdurtime = id_f753(0x67f6af8d);
constexpr Guid id_qt_magdurcount = id_f753(0x67f6af8e);

// Series value types, characteristics, units, storage methods.
constexpr Guid id_series_value_type_val = id_f753(0x67f6af97);
constexpr Guid id_series_value_type_time = id_f755(0xc690e862);
constexpr Guid id_series_value_type_phaseangle = tag_f76e(0x3d786f9d);
constexpr Guid id_qc_none = id_qc(0xa6b31adf);
constexpr Guid id_qc_instantaneous = id_qc(0xa6b31add);
constexpr Guid id_qc_rms = id_qc(0xa6b31ae5);
constexpr Guid id_qc_total_thd = id_qc(0xa6b31aec);
constexpr Guid id_qc_pf = id_qc(0xa6b31ae3);
constexpr Guid id_qc_frequency = make_guid(0x07ef68af, 0x9ff5, 0x11d2, {0xb3, 0x0b, 0x00, 0x60, 0x08, 0xb3, 0x71, 0x83});
constexpr std::uint32_t qu_none = 0, qu_seconds = 2, qu_volts = 6, qu_amps = 7, qu_hertz = 15, qu_degrees = 17,
                        qu_percent = 19;
constexpr std::uint32_t series_method_values = 0x01, series_method_scaled = 0x02;
constexpr std::uint32_t qm_voltage = 1, qm_current = 2, qm_power = 3;
constexpr std::uint32_t phase_none = 0, phase_an = 1, phase_bn = 2, phase_cn = 3, phase_total = 13;

// Element types and physical types.
enum class ElementType : std::uint8_t { collection = 1, scalar = 2, vector = 3 };
enum class PhysicalType : std::uint8_t {
    boolean1 = 1, boolean2 = 2, boolean4 = 3, char1 = 10, char2 = 11,
    integer1 = 20, integer2 = 21, integer4 = 22, uns_integer1 = 30, uns_integer2 = 31, uns_integer4 = 32,
    real4 = 40, real8 = 41, complex8 = 42, complex16 = 43, timestamp = 50, guid = 60,
};
// Octets of one value of a physical type; 0 for a code the standard does not define.
std::size_t physical_size(std::uint8_t code);

// TIMESTAMPPQDIF: UINT4 days and REAL8 seconds since midnight (12 octets). The day count
// follows the standard's own EXCEL_DAYCOUNT_ADJUST: 1970-01-01 is day 25569.
constexpr std::uint32_t unix_epoch_day = 25569;
constexpr std::size_t timestamp_size = 12;

// Little-endian field access; callers check bounds first.
std::uint32_t get_u32(std::span<const std::byte> s, std::size_t at);
std::int32_t get_i32(std::span<const std::byte> s, std::size_t at);
double get_f64(std::span<const std::byte> s, std::size_t at);
Guid get_guid(std::span<const std::byte> s, std::size_t at);

}  // namespace gridgate::files::pqdif
