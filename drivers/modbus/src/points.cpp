// Block planning and point decoding: the pure part of polling a register map.
#include "gridgate/modbus/points.hpp"

#include <algorithm>
#include <bit>

namespace gridgate::modbus {

namespace {

bool is_bit_table(Table t) { return t == Table::coil || t == Table::discrete_input; }

// Registers or bits the point covers in its table: in a bit table every point is one bit.
std::uint32_t span_of(const PointDef& p) { return is_bit_table(p.table) ? 1u : width(p.type); }

std::uint32_t end_of(const PointDef& p) { return std::uint32_t{p.address} + span_of(p); }

// A point that runs past address 0xFFFF can never be read; the planner leaves it out.
bool addressable(const PointDef& p) { return end_of(p) <= 0x10000; }

std::uint32_t block_limit(Table t, const PlanOptions& options) {
    const std::uint32_t requested = is_bit_table(t) ? options.max_bits : options.max_registers;
    const std::uint32_t protocol = is_bit_table(t) ? max_read_bits : max_read_registers;
    return std::clamp<std::uint32_t>(requested, 1, protocol);
}

class BlockBuilder {
public:
    BlockBuilder(const std::vector<PointDef>& points, const PlanOptions& options)
        : points_(points), options_(options) {}

    void add(std::size_t index) {
        const PointDef& p = points_[index];
        if (!fits_current(p)) start_block(p);
        end_ = std::max(end_, end_of(p));
        blocks_.back().points.push_back(index);
        blocks_.back().request.count = static_cast<std::uint16_t>(end_ - start_);
    }

    std::vector<BlockRead> take() { return std::move(blocks_); }

private:
    bool fits_current(const PointDef& p) const {
        if (blocks_.empty() || p.table != table_) return false;
        const std::uint32_t gap = p.address > end_ ? p.address - end_ : 0;
        if (gap > options_.max_gap) return false;
        // Never split a point: the whole point must fit in the block or start a new one.
        return std::max(end_, end_of(p)) - start_ <= block_limit(p.table, options_);
    }

    void start_block(const PointDef& p) {
        table_ = p.table;
        start_ = p.address;
        end_ = p.address;
        blocks_.push_back(BlockRead{ReadRequest{read_function(p.table), p.address, 0}, {}});
    }

    const std::vector<PointDef>& points_;
    const PlanOptions& options_;
    std::vector<BlockRead> blocks_;
    Table table_ = Table::holding_register;
    std::uint32_t start_ = 0;
    std::uint32_t end_ = 0;  // one past the last covered address
};

std::uint32_t join_registers(std::uint16_t high, std::uint16_t low) { return (std::uint32_t{high} << 16) | low; }

double raw_register_value(DataType type, std::span<const std::uint16_t> r) {
    switch (type) {
        case DataType::boolean: return r[0] != 0 ? 1.0 : 0.0;
        case DataType::u16: return r[0];
        case DataType::s16: return std::bit_cast<std::int16_t>(r[0]);
        case DataType::u32: return join_registers(r[0], r[1]);
        case DataType::s32: return std::bit_cast<std::int32_t>(join_registers(r[0], r[1]));
        case DataType::u32_le: return join_registers(r[1], r[0]);
        case DataType::s32_le: return std::bit_cast<std::int32_t>(join_registers(r[1], r[0]));
        case DataType::f32: return std::bit_cast<float>(join_registers(r[0], r[1]));
    }
    return 0.0;
}

}  // namespace

FunctionCode read_function(Table t) {
    switch (t) {
        case Table::coil: return FunctionCode::read_coils;
        case Table::discrete_input: return FunctionCode::read_discrete_inputs;
        case Table::holding_register: return FunctionCode::read_holding_registers;
        case Table::input_register: return FunctionCode::read_input_registers;
    }
    return FunctionCode::read_holding_registers;
}

std::uint16_t width(DataType t) {
    switch (t) {
        case DataType::boolean:
        case DataType::u16:
        case DataType::s16: return 1;
        case DataType::u32:
        case DataType::s32:
        case DataType::u32_le:
        case DataType::s32_le:
        case DataType::f32: return 2;
    }
    return 1;
}

std::vector<BlockRead> plan_reads(const std::vector<PointDef>& points, const PlanOptions& options) {
    std::vector<std::size_t> order;
    order.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i)
        if (addressable(points[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (points[a].table != points[b].table) return points[a].table < points[b].table;
        return points[a].address < points[b].address;
    });

    BlockBuilder builder(points, options);
    for (const std::size_t i : order) builder.add(i);
    return builder.take();
}

std::optional<double> decode_point(const PointDef& point, const ReadRequest& request, const ReadResponse& response) {
    if (read_function(point.table) != request.function || point.address < request.address) return std::nullopt;
    const std::size_t offset = point.address - request.address;

    double raw = 0.0;
    if (is_bit_table(point.table)) {
        if (offset >= response.bits.size()) return std::nullopt;
        raw = response.bits[offset] ? 1.0 : 0.0;
    } else {
        const std::size_t n = width(point.type);
        if (offset + n > response.registers.size()) return std::nullopt;
        raw = raw_register_value(point.type, std::span(response.registers).subspan(offset, n));
    }
    return raw * point.scale + point.offset;
}

}  // namespace gridgate::modbus
