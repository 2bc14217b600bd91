// Selective access to a profile-generic buffer (Blue Book, class 7, attribute 2): the
// range and entry descriptors the client sends, and the server's reading of them. The
// parsers take any integer tag whose value fits (meters and tools differ on long-unsigned
// versus double-long-unsigned) and a date-time as an octet-string or a date_time.
#include <limits>

#include "apdu_wire.hpp"

namespace gridgate::dlms {

namespace {

constexpr std::uint8_t selector_range = 1;
constexpr std::uint8_t selector_entry = 2;

template <class T>
Parsed<T> invalid(const std::string& what) {
    Parsed<T> p;
    p.error = what;
    return p;
}

// An integer Data whose value lies in [lo, hi].
bool integer_in(const Data& d, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
    const auto v = d.as_int();
    if (!v || *v < lo || *v > hi) return false;
    out = *v;
    return true;
}

Data octets_of(const CosemDateTime& t) {
    const auto octets = encode_date_time(t);
    return Data::octet_string(std::vector<std::uint8_t>(octets.begin(), octets.end()));
}

}  // namespace

SelectiveAccess range_descriptor(const CosemDateTime& from, const CosemDateTime& to,
                                 const AttributeDescriptor& restricting) {
    const Data restricting_object = Data::structure({
        Data::long_unsigned(restricting.class_id),
        Data::octet_string(std::vector<std::uint8_t>(restricting.instance.v.begin(), restricting.instance.v.end())),
        Data::integer8(restricting.attribute),
        Data::long_unsigned(0),  // data index: the whole attribute
    });
    SelectiveAccess a;
    a.selector = selector_range;
    a.parameters = Data::structure({restricting_object, octets_of(from), octets_of(to), Data::array({})});
    return a;
}

SelectiveAccess entry_descriptor(std::uint32_t from_entry, std::uint32_t to_entry) {
    SelectiveAccess a;
    a.selector = selector_entry;
    a.parameters = Data::structure({Data::double_long_unsigned(from_entry), Data::double_long_unsigned(to_entry),
                                    Data::long_unsigned(1), Data::long_unsigned(0)});
    return a;
}

Parsed<RangeSelection> parse_range_descriptor(const Data& parameters) {
    using P = RangeSelection;
    if (parameters.tag != DataTag::structure || parameters.items.size() != 4)
        return invalid<P>("range descriptor is not a structure of 4");
    const Data& object = parameters.items[0];
    if (object.tag != DataTag::structure || object.items.size() != 4)
        return invalid<P>("restricting object is not a structure of 4");
    RangeSelection sel;
    std::int64_t class_id = 0, attribute = 0, data_index = 0;
    if (!integer_in(object.items[0], 0, 0xFFFF, class_id)) return invalid<P>("bad restricting class id");
    const Data& name = object.items[1];
    if (name.tag != DataTag::octet_string || name.bytes.size() != 6)
        return invalid<P>("restricting logical name is not an octet-string(6)");
    if (!integer_in(object.items[2], -128, 127, attribute)) return invalid<P>("bad restricting attribute");
    if (!integer_in(object.items[3], 0, 0xFFFF, data_index)) return invalid<P>("bad restricting data index");
    sel.restricting.class_id = static_cast<std::uint16_t>(class_id);
    sel.restricting.instance = *Obis::from_bytes(name.bytes);
    sel.restricting.attribute = static_cast<std::int8_t>(attribute);
    const auto from = date_time_of(parameters.items[1]);
    const auto to = date_time_of(parameters.items[2]);
    if (!from) return invalid<P>("from_value is not a date-time");
    if (!to) return invalid<P>("to_value is not a date-time");
    sel.from = *from;
    sel.to = *to;
    const Data& selected = parameters.items[3];
    if (selected.tag != DataTag::array) return invalid<P>("selected_values is not an array");
    if (selected.items.size() > std::numeric_limits<std::uint16_t>::max())
        return invalid<P>("too many selected_values");
    sel.selected_columns = static_cast<std::uint16_t>(selected.items.size());
    return wire::ok(sel);
}

Parsed<EntrySelection> parse_entry_descriptor(const Data& parameters) {
    using P = EntrySelection;
    if (parameters.tag != DataTag::structure || parameters.items.size() != 4)
        return invalid<P>("entry descriptor is not a structure of 4");
    std::int64_t v[4] = {};
    const std::int64_t limit[4] = {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFF, 0xFFFF};
    const char* const names[4] = {"from_entry", "to_entry", "from_selected_value", "to_selected_value"};
    for (int i = 0; i < 4; ++i)
        if (!integer_in(parameters.items[static_cast<std::size_t>(i)], 0, limit[i], v[i]))
            return invalid<P>(std::string("bad ") + names[i]);
    EntrySelection sel;
    sel.from_entry = static_cast<std::uint32_t>(v[0]);
    sel.to_entry = static_cast<std::uint32_t>(v[1]);
    sel.from_column = static_cast<std::uint16_t>(v[2]);
    sel.to_column = static_cast<std::uint16_t>(v[3]);
    return wire::ok(sel);
}

}  // namespace gridgate::dlms
