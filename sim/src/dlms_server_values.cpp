// GET of one attribute: the checks every request goes through, then the value per
// interface class. Results for what cannot be read:
//   no such object -> object-undefined (4); the object has another class ->
//   object-class-inconsistent (9); no such attribute (the classes' attribute lists of
//   meter-dlms.md §5; 0, "all attributes", included) -> object-undefined as well (the
//   attribute is part of the object's address); not for this client -> read-write-denied
//   (3, counted); selective access on anything but a profile buffer -> other-reason.
#include "dlms_server_impl.hpp"
#include "dlms_server_registers.hpp"

namespace gridgate::sim {

namespace {

using dlms::AccessResult;
using dlms::Data;
using dlms::GetResult;

GetResult ok(Data d) { return {std::move(d), AccessResult::success}; }
GetResult fail(AccessResult r) { return {std::nullopt, r}; }

Data logical_name(const dlms::Obis& obis) { return Data::octet_string({obis.v.begin(), obis.v.end()}); }

// Object identifier arcs of the DLMS UA: 2.16.756.5.8.<kind>.<id>, as the structured
// form of Association LN version 1 carries them.
Data dlms_ua_oid(std::uint8_t kind, std::uint8_t id) {
    return Data::structure({Data::unsigned8(2), Data::unsigned8(16), Data::long_unsigned(756), Data::unsigned8(5),
                            Data::unsigned8(8), Data::unsigned8(kind), Data::unsigned8(id)});
}

Data conformance_bits(std::uint32_t conformance) {
    return Data::bit_string({static_cast<std::uint8_t>(conformance >> 16), static_cast<std::uint8_t>(conformance >> 8),
                             static_cast<std::uint8_t>(conformance)},
                            24);
}

}  // namespace

GetResult DlmsServer::Impl::get(const Request& r, const dlms::GetItem& item) {
    const dlms_server::CosemObject* object = objects.find(item.attribute.instance);
    if (object == nullptr) return fail(AccessResult::object_undefined);
    if (object->class_id != item.attribute.class_id) return fail(AccessResult::object_class_inconsistent);
    const std::int8_t attribute = item.attribute.attribute;
    if (attribute < 1 || attribute > dlms_server::attribute_count(object->class_id))
        return fail(AccessResult::object_undefined);
    const auto mode = static_cast<std::uint8_t>(dlms_server::attribute_access(*object, attribute, r.client));
    if ((mode & static_cast<std::uint8_t>(dlms_server::AccessMode::read)) == 0) {
        ++stats.denied;
        return fail(AccessResult::read_write_denied);
    }
    if (item.access && !(object->kind == dlms_server::ObjectKind::profile && attribute == 2))
        return fail(AccessResult::other_reason);
    return value_of(r, *object, attribute, item.access);
}

GetResult DlmsServer::Impl::value_of(const Request& r, const dlms_server::CosemObject& object, std::int8_t attribute,
                                     const std::optional<dlms::SelectiveAccess>& access) {
    if (attribute == 1) return ok(logical_name(object.obis));
    switch (object.kind) {
        case dlms_server::ObjectKind::data: return ok(objects.data_value(object.index));

        case dlms_server::ObjectKind::register_: {
            const auto& def = dlms_server::register_table()[object.index];
            if (attribute == 3)
                return ok(Data::structure({Data::integer8(0), Data::enumeration(def.unit)}));
            const TimestampUs meter_us = clock.read_us(r.now_us);
            const Instant inst = load.at(dlms_server::model_second(meter_us));
            const dlms_server::EnergySums sums = energy.at(load, meter_us, outages);
            return ok(Data::double_long_unsigned(
                dlms_server::scaled_x1000(dlms_server::register_value(def, inst, sums))));
        }

        case dlms_server::ObjectKind::profile: return profile_attribute(attribute, access);

        case dlms_server::ObjectKind::clock: return ok(clock_attribute(attribute, r.now_us));

        case dlms_server::ObjectKind::association: {
            const DlmsAssociation& a = r.association;
            const bool lls = r.client != dlms_server::public_client;
            switch (attribute) {
                case 2: return ok(objects.object_list(r.client));
                case 3:
                    return ok(Data::structure({Data::integer8(static_cast<std::int8_t>(r.client)),
                                               Data::long_unsigned(dlms_server::server_sap)}));
                case 4: return ok(dlms_ua_oid(1, 1));  // application context: LN, no ciphering
                case 5:
                    return ok(Data::structure({conformance_bits(a.conformance), Data::long_unsigned(options.max_pdu),
                                               Data::long_unsigned(static_cast<std::uint16_t>(response_limit(a))),
                                               Data::unsigned8(6), Data::integer8(0), Data::octet_string({})}));
                case 6: return ok(dlms_ua_oid(2, lls ? 1 : 0));  // mechanism: none or low-level security
                case 8: return ok(Data::enumeration(2));         // associated
                default: return fail(AccessResult::read_write_denied);
            }
        }

        case dlms_server::ObjectKind::sap_assignment: {
            const std::string name = "AME" + options.serial_number;
            return ok(Data::array({Data::structure(
                {Data::long_unsigned(dlms_server::server_sap),
                 Data::octet_string(std::vector<std::uint8_t>(name.begin(), name.end()))})}));
        }
    }
    return fail(AccessResult::object_undefined);
}

}  // namespace gridgate::sim
