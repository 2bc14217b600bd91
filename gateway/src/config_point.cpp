#include "config_point.hpp"

#include <array>
#include <map>
#include <optional>

#include "config_limits.hpp"
#include "config_modicon.hpp"
#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

constexpr std::array<std::string_view, 4> table_names{"coil", "discrete_input", "holding", "input"};
constexpr std::array<PointTable, 4> tables{PointTable::coil, PointTable::discrete_input,
                                           PointTable::holding_register, PointTable::input_register};
constexpr std::array<std::string_view, 8> type_names{"boolean", "u16",    "s16",    "u32",
                                                     "s32",     "u32_le", "s32_le", "f32"};
constexpr std::array<PointType, 8> types{PointType::boolean, PointType::u16,    PointType::s16,
                                         PointType::u32,     PointType::s32,    PointType::u32_le,
                                         PointType::s32_le,  PointType::f32};

std::string_view described(PointTable t) {
    switch (t) {
        case PointTable::coil: return "coil";
        case PointTable::discrete_input: return "discrete input";
        case PointTable::holding_register: return "holding register";
        case PointTable::input_register: return "input register";
    }
    return "?";
}

std::string_view name_of(PointType t) {
    for (std::size_t i = 0; i < types.size(); ++i)
        if (types[i] == t) return type_names[i];
    return "?";
}

bool is_bit_table(PointTable t) { return t == PointTable::coil || t == PointTable::discrete_input; }

unsigned registers_of(PointType t) {
    switch (t) {
        case PointType::u32:
        case PointType::s32:
        case PointType::u32_le:
        case PointType::s32_le:
        case PointType::f32: return 2;
        default: return 1;
    }
}

// Where the point is: from ref, or from table + address. Returns the node that gave the
// address (for messages about it) or nullptr when the location is unknown.
const Located* read_location(const MapReader& m, PointConfig& p) {
    Issues& issues = m.issues();
    const Located* ref = m.find("ref");
    const Located* table = m.find("table");
    const Located* address = m.find("address");
    if (ref) {
        if (table || address)
            issues.add(ref->line, ref->path, "use either ref or table and address, not both");
        const auto parsed = ref->node.IsScalar() ? parse_modicon_ref(ref->node.Scalar()) : std::nullopt;
        if (!parsed) {
            issues.add(ref->line, ref->path,
                       "must be a Modicon reference: 5 digits 00001-09999 (coil), 10001-19999 (discrete input), "
                       "30001-39999 (input register), 40001-49999 (holding register), or 6 digits such as "
                       "400001-465536, got " + shown(ref->node));
            return nullptr;
        }
        p.table = parsed->table;
        p.address = parsed->address;
        return ref;
    }
    if (!table && !address) {
        issues.add(m.where().line, m.where().path, "needs either ref (e.g. 40001) or table and address");
        return nullptr;
    }
    if (!table)
        issues.add(m.where().line, m.where().path + ".table",
                   "required key is missing (address needs a table: coil, discrete_input, holding or input)");
    if (!address)
        issues.add(m.where().line, m.where().path + ".address", "required key is missing (table needs an address)");
    std::optional<std::size_t> table_index;
    std::optional<long long> pdu_address;
    if (table) table_index = read_choice(*table, issues, table_names);
    if (address) pdu_address = read_integer(*address, issues, limits::address);
    if (!table_index || !pdu_address) return nullptr;
    p.table = tables[*table_index];
    p.address = static_cast<std::uint16_t>(*pdu_address);
    return address;
}

// The type, checked against the table (boolean only in the bit tables and vice versa).
bool read_type(const MapReader& m, bool table_known, PointConfig& p) {
    p.type = is_bit_table(p.table) ? PointType::boolean : PointType::u16;
    const Located* v = m.find("type");
    if (!v) return true;
    const auto index = read_choice(*v, m.issues(), type_names);
    if (!index) return false;
    const PointType type = types[*index];
    if (table_known && is_bit_table(p.table) && type != PointType::boolean) {
        m.issues().add(v->line, v->path,
                       "must be boolean for a " + std::string(described(p.table)) + ", got " + shown(v->node));
        return false;
    }
    if (table_known && !is_bit_table(p.table) && type == PointType::boolean) {
        m.issues().add(v->line, v->path,
                       "must be a register type (u16, s16, u32, s32, u32_le, s32_le or f32) for a " +
                           std::string(described(p.table)) + ", got boolean");
        return false;
    }
    p.type = type;
    return true;
}

void read_scaling(const MapReader& m, bool type_known, PointConfig& p) {
    Issues& issues = m.issues();
    if (const Located* v = m.find("scale"))
        if (auto x = read_number(*v, issues, "a finite, non-zero number", [](double d) { return d != 0.0; }))
            p.scale = *x;
    if (const Located* v = m.find("offset"))
        if (auto x = read_number(*v, issues, "a finite number", [](double) { return true; })) p.offset = *x;
    const Located* full_scale = m.find("full_scale");
    if (full_scale) {
        if (auto x = read_number(*full_scale, issues, "a finite number greater than 0", [](double d) { return d > 0.0; }))
            p.full_scale = *x;
        if (type_known && p.type != PointType::u16 && p.type != PointType::s16)
            issues.add(full_scale->line, full_scale->path,
                       "only allowed on a 16-bit register point (u16 or s16), not on " + std::string(name_of(p.type)));
    }
    if (const Located* v = m.find("scale_factor")) {
        if (!full_scale) issues.add(v->line, v->path, "only allowed together with full_scale");
        if (auto x = read_number(*v, issues, "a number between 1 and 1000",
                                 [](double d) { return d >= limits::min_scale_factor && d <= limits::max_scale_factor; }))
            p.scale_factor = *x;
    }
}

PointRead read_point(const Located& where, Issues& issues) {
    PointRead out;
    PointConfig& p = out.point;
    p.line = where.line;
    out.name_line = where.line;
    const MapReader m(where, issues,
                      {"name", "table", "address", "ref", "type", "scale", "offset", "full_scale", "scale_factor",
                       "unit", "priority"});
    if (!m.is_map()) return out;
    if (const Located* v = m.require("name")) {
        p.name = read_name(*v, issues);
        out.name_line = v->line;
    }
    const Located* address_source = read_location(m, p);
    const bool type_known = read_type(m, address_source != nullptr, p);
    if (address_source && type_known && p.address + registers_of(p.type) > 65536u)
        issues.add(address_source->line, address_source->path,
                   "type " + std::string(name_of(p.type)) + " needs 2 registers; starting at address " +
                       std::to_string(p.address) + " it would run past the last register (65535)");
    read_scaling(m, type_known, p);
    get_text(m, "unit", p.unit, true);
    if (const Located* v = m.find("priority")) {
        static constexpr std::string_view priorities[] = {"high", "normal", "low"};
        if (const auto index = read_choice(*v, issues, priorities)) p.priority = static_cast<PointPriority>(*index);
    }
    return out;
}

}  // namespace

std::vector<PointRead> read_points(const Located& list, Issues& issues) {
    std::vector<PointRead> out;
    for (const Located& element : list_elements(list, issues)) out.push_back(read_point(element, issues));
    return out;
}

void check_point_names(const std::vector<PointRead>& points, std::size_t inherited, const std::string& template_id,
                       const std::string& own_list_path, Issues& issues) {
    std::map<std::string, std::size_t> first_use;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const std::string& name = points[i].point.name;
        if (name.empty()) continue;
        const auto [it, fresh] = first_use.emplace(name, i);
        if (fresh || i < inherited) continue;  // a template's own duplicates are reported with the template
        const PointRead& first = points[it->second];
        std::string where = "first defined at line " + std::to_string(first.name_line);
        if (it->second < inherited) where = "already in template " + template_id + ", line " + std::to_string(first.name_line);
        issues.add(points[i].name_line, own_list_path + "[" + std::to_string(i - inherited) + "].name",
                   "duplicate point name " + name + " (" + where + ")");
    }
}

}  // namespace gridgate::gateway::config_detail
