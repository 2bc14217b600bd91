#include "dlms_server_objects.hpp"

#include <array>
#include <cstdlib>

#include "dlms_server_profile.hpp"
#include "dlms_server_registers.hpp"

namespace gridgate::sim::dlms_server {

namespace {

using dlms::Data;
using dlms::Obis;

constexpr Obis association_ln{{0, 0, 40, 0, 1, 255}};
constexpr Obis sap_assignment{{0, 0, 41, 0, 0, 255}};

// Factory-set firmware versions, as plausible as they need to be.
struct Firmware {
    std::uint8_t b;            // OBIS value group B: which processor
    const char* version;
    bool has_signature;
};
constexpr std::array<Firmware, 8> firmware{{
    {0, "JS2 REG 4.1.12", true},
    {1, "JS2 MET 2.3.07", true},
    {2, "JS2 SVC 1.8.20", true},
    {3, "JS2 PQ 1.2.05", true},
    {4, "JS2 FPGA 0x1A07", true},
    {5, "JS2 DIO 1.04", false},
    {6, "JS2 AOM 1.01", false},
    {7, "JS2 CPLD 2.0", false},
}};

// A signature is an opaque 4-octet checksum of the version text (FNV-1a).
Data signature_of(const char* version) {
    std::uint32_t h = 2166136261u;
    for (const char* p = version; *p != 0; ++p) h = (h ^ static_cast<std::uint8_t>(*p)) * 16777619u;
    return Data::octet_string({static_cast<std::uint8_t>(h >> 24), static_cast<std::uint8_t>(h >> 16),
                               static_cast<std::uint8_t>(h >> 8), static_cast<std::uint8_t>(h)});
}

// Km per LP channel (§6.1.2): the values are already engineering units, so 1.
Data km_array() {
    std::vector<Data> items(profile_channel_obis().size(), Data::float32(1.0f));
    return Data::array(std::move(items));
}

// Energy pulse outputs (§6.1.3): output channel 1 (sent as 0, like the manual's example)
// Wh delivered polyphase, and channel 2 varh delivered polyphase.
Data energy_pulse_settings() {
    auto output = [](std::uint8_t channel, std::uint8_t quantity, float weight) {
        return Data::structure({Data::unsigned8(channel), Data::unsigned8(quantity), Data::unsigned8(1),
                                Data::unsigned8(3), Data::float32(weight)});
    };
    return Data::array({output(0, 0, 0.004833f), output(1, 1, 0.004833f)});
}

// LED and optical test pulses (§6.1.4), the manual's example: LED active, optical
// reactive, both scaled 1.8. An "array" of mixed elements, as the manual prints it.
Data led_optical_settings() {
    return Data::array({Data::unsigned8(0), Data::float32(1.8f), Data::unsigned8(1), Data::float32(1.8f)});
}

Data access_item(std::int8_t attribute, AccessMode mode, bool selective) {
    Data selectors = selective ? Data::array({Data::integer8(1), Data::integer8(2)}) : Data::null();
    return Data::structure(
        {Data::integer8(attribute), Data::enumeration(static_cast<std::uint8_t>(mode)), std::move(selectors)});
}

}  // namespace

std::int8_t attribute_count(std::uint16_t class_id) {
    switch (class_id) {
        case 1: return 2;
        case 3: return 3;
        case 7: return 8;
        case 8: return 9;
        case 15: return 8;
        case 17: return 2;
        default: return 0;
    }
}

AccessMode attribute_access(const CosemObject& object, std::int8_t attribute, std::uint16_t client) {
    if (attribute < 1 || attribute > attribute_count(object.class_id)) return AccessMode::none;
    if (object.kind == ObjectKind::association && attribute == 7) return AccessMode::none;  // the LLS secret
    if (client == public_client) return object.public_read ? AccessMode::read : AccessMode::none;
    if (client != management_client && client != reading_client) return AccessMode::none;
    if (client == management_client && object.kind == ObjectKind::clock && attribute == 2)
        return AccessMode::read_write;
    return AccessMode::read;
}

std::uint32_t recording_interval_code(Duration capture_period) {
    // Codes 0..13 by length in seconds (monthly, 14, has no fixed length).
    static constexpr std::array<std::int64_t, 14> seconds{60,  120,  180,  240,  300,   360,   600,
                                                          720, 900, 1200, 1800, 3600, 86400, 604800};
    const std::int64_t s = std::chrono::duration_cast<std::chrono::seconds>(capture_period).count();
    std::uint32_t best = 0;
    for (std::uint32_t i = 1; i < seconds.size(); ++i)
        if (std::llabs(seconds[i] - s) < std::llabs(seconds[best] - s)) best = i;
    return best;
}

ObjectTable::ObjectTable(const DlmsServerOptions& options) {
    // §6.1 Data objects.
    for (const Firmware& f : firmware) {
        add_data(Obis{{0, f.b, 0, 2, 1, 255}}, Data::visible_string(f.version), true);
        if (f.has_signature) add_data(Obis{{0, f.b, 0, 2, 8, 255}}, signature_of(f.version), true);
    }
    const std::array<const std::string*, 6> ids{&options.serial_number,    &options.meter_id,
                                                 &options.administrator,    &options.location,
                                                 &options.configuration_id, &options.account_number};
    for (std::uint8_t e = 0; e < ids.size(); ++e) add_data(Obis{{0, 0, 96, 11, e, 255}}, Data::visible_string(*ids[e]), true);
    // Transformer ratios: a 400:5 CT and a 14400:120 VT.
    add_data(Obis{{1, 0, 0, 4, 2, 255}}, Data::double_long_unsigned(400), false);
    add_data(Obis{{1, 0, 0, 4, 3, 255}}, Data::double_long_unsigned(14400), false);
    add_data(Obis{{1, 0, 0, 4, 5, 255}}, Data::double_long_unsigned(5), false);
    add_data(Obis{{1, 0, 0, 4, 6, 255}}, Data::double_long_unsigned(120), false);
    // Recording intervals of groups 1 and 2. The simulator serves group 1 only; group
    // 2's settings read like group 1's (the "Dual Load Profile" option configured alike).
    const std::uint32_t code = recording_interval_code(options.capture_period);
    add_data(Obis{{1, 0, 0, 8, 4, 255}}, Data::double_long_unsigned(code), false);
    add_data(Obis{{1, 0, 0, 8, 5, 255}}, Data::double_long_unsigned(code), false);
    add_data(Obis{{1, 128, 103, 0, 0, 255}}, km_array(), false);
    add_data(Obis{{1, 128, 104, 0, 0, 255}}, km_array(), false);
    add_data(Obis{{1, 128, 100, 0, 0, 255}}, energy_pulse_settings(), false);
    add_data(Obis{{1, 128, 101, 0, 0, 255}}, led_optical_settings(), false);

    // §6.2 registers, §6.3 profile, §6.6 clock, §6.7 association, §6.8 SAP assignment.
    const auto& registers = register_table();
    for (std::size_t i = 0; i < registers.size(); ++i) add(registers[i].obis, 3, 0, ObjectKind::register_, i, false);
    add(dlms::obis::load_profile_1, 7, 1, ObjectKind::profile, 0, false);
    add(dlms::obis::clock, 8, 0, ObjectKind::clock, 0, true);
    add(association_ln, 15, 1, ObjectKind::association, 0, false);
    add(sap_assignment, 17, 0, ObjectKind::sap_assignment, 0, false);
}

void ObjectTable::add(const Obis& obis, std::uint16_t class_id, std::uint8_t version, ObjectKind kind,
                      std::size_t index, bool public_read) {
    by_obis_.emplace(obis, objects_.size());
    objects_.push_back({obis, class_id, version, kind, index, public_read});
}

void ObjectTable::add_data(const Obis& obis, Data value, bool public_read) {
    add(obis, 1, 0, ObjectKind::data, data_values_.size(), public_read);
    data_values_.push_back(std::move(value));
}

const CosemObject* ObjectTable::find(const Obis& obis) const {
    const auto it = by_obis_.find(obis);
    return it == by_obis_.end() ? nullptr : &objects_[it->second];
}

Data ObjectTable::object_list(std::uint16_t client) const {
    std::vector<Data> list;
    list.reserve(objects_.size());
    for (const CosemObject& o : objects_) {
        std::vector<Data> attributes;
        for (std::int8_t a = 1; a <= attribute_count(o.class_id); ++a)
            attributes.push_back(access_item(a, attribute_access(o, a, client), o.kind == ObjectKind::profile && a == 2));
        const Data rights = Data::structure({Data::array(std::move(attributes)), Data::array({})});
        list.push_back(Data::structure({Data::long_unsigned(o.class_id), Data::unsigned8(o.version),
                                        Data::octet_string({o.obis.v.begin(), o.obis.v.end()}), rights}));
    }
    return Data::array(std::move(list));
}

}  // namespace gridgate::sim::dlms_server
