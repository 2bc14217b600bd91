#pragma once
// Points as the driver sees them (addresses, types, scaling) and the pure logic that
// plans block reads over them and decodes register values into engineering values.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gridgate/modbus/pdu.hpp"

namespace gridgate::modbus {

enum class Table : std::uint8_t { coil, discrete_input, holding_register, input_register };
FunctionCode read_function(Table t);

enum class DataType : std::uint8_t {
    boolean,  // one bit (coils / discrete inputs)
    u16,
    s16,
    u32,      // two registers, high word first (JEMStar II convention)
    s32,
    u32_le,   // two registers, low word first (other vendors)
    s32_le,
    f32,      // IEEE-754 float in two registers, high word first
};
// Registers (or bits) the type occupies.
std::uint16_t width(DataType t);

struct PointDef {
    std::string name;
    Table table = Table::holding_register;
    std::uint16_t address = 0;  // PDU address (0-based)
    DataType type = DataType::u16;
    double scale = 1.0;         // value = raw * scale + offset
    double offset = 0.0;
    std::string unit;
};

// A planned read and the points it covers (indices into the point list).
struct BlockRead {
    ReadRequest request;
    std::vector<std::size_t> points;
};

struct PlanOptions {
    std::uint16_t max_registers = max_read_registers;  // per request, <= 125
    std::uint16_t max_bits = max_read_bits;            // per request, <= 2000
    std::uint16_t max_gap = 0;  // unrequested registers/bits allowed inside one block
};

// Groups points of the same table into as few requests as possible. Adjacent points
// (and points within max_gap) share a request up to the size limit; a multi-register
// point is never split across two requests. Deterministic order: by table then address.
// A point that would run past address 0xFFFF cannot be read and is left out of the plan.
// In the bit tables (coils, discrete inputs) every point is one bit whatever its type.
std::vector<BlockRead> plan_reads(const std::vector<PointDef>& points, const PlanOptions& options = {});

// Decodes one point's raw value from a block response. Returns nullopt if the response
// does not cover the point (short response).
std::optional<double> decode_point(const PointDef& point, const ReadRequest& request, const ReadResponse& response);

}  // namespace gridgate::modbus
