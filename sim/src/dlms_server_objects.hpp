#pragma once
// The simulated meter's COSEM object list (meter-dlms.md §6) and who may do what with
// each attribute. The values themselves are produced by DlmsServer::Impl (they need the
// clock, the load and the profile).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/dlms/axdr.hpp"
#include "gridgate/dlms/obis.hpp"
#include "gridgate/sim/dlms_server.hpp"

namespace gridgate::sim::dlms_server {

enum class ObjectKind : std::uint8_t { data, register_, profile, clock, association, sap_assignment };

struct CosemObject {
    dlms::Obis obis;
    std::uint16_t class_id = 1;
    std::uint8_t version = 0;
    ObjectKind kind = ObjectKind::data;
    std::size_t index = 0;     // data: into ObjectTable::data_values; register: into register_table()
    bool public_read = false;  // client 16 may read it
};

// COSEM access modes (Association LN version 1, attribute_access_item.access_mode).
enum class AccessMode : std::uint8_t { none = 0, read = 1, write = 2, read_write = 3 };

// Client SAPs of the reference meter (meter-dlms.md §4).
inline constexpr std::uint16_t public_client = 16;
inline constexpr std::uint16_t management_client = 1;   // read/write (clock set)
inline constexpr std::uint16_t reading_client = 2;      // read only
inline constexpr std::uint16_t server_sap = 1;          // the management logical device

// Number of attributes of each interface class as the meter implements them (none have
// methods).
std::int8_t attribute_count(std::uint16_t class_id);

// What `client` may do with `attribute` of `object`: client 16 reads the public objects
// only; 1 and 2 read everything except the LLS secret (Association LN attribute 7, never
// readable); only client 1 may write, and only the clock's time (attribute 2).
AccessMode attribute_access(const CosemObject& object, std::int8_t attribute, std::uint16_t client);

// The LP recording-interval code (§6.1.1) nearest to a capture period (ties: the
// shorter). A period the meter cannot have (e.g. 2 s) gets the nearest code (0 = 1 min).
std::uint32_t recording_interval_code(Duration capture_period);

class ObjectTable {
public:
    explicit ObjectTable(const DlmsServerOptions& options);

    const CosemObject* find(const dlms::Obis& obis) const;
    const std::vector<CosemObject>& objects() const { return objects_; }
    // Attribute 2 of a Data object (fixed for the simulator's lifetime).
    const dlms::Data& data_value(std::size_t index) const { return data_values_[index]; }

    // Association LN attribute 2 for `client`: structure { class_id, version,
    // logical_name, access_rights { attribute_access[], method_access[] } } per object.
    dlms::Data object_list(std::uint16_t client) const;

private:
    void add(const dlms::Obis& obis, std::uint16_t class_id, std::uint8_t version, ObjectKind kind,
             std::size_t index, bool public_read);
    void add_data(const dlms::Obis& obis, dlms::Data value, bool public_read);

    std::vector<CosemObject> objects_;
    std::map<dlms::Obis, std::size_t> by_obis_;
    std::vector<dlms::Data> data_values_;
};

}  // namespace gridgate::sim::dlms_server
