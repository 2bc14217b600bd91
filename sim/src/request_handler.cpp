#include "gridgate/sim/request_handler.hpp"

#include <variant>

#include "gridgate/modbus/pdu.hpp"

namespace gridgate::sim {

namespace {

using modbus::ExceptionCode;
using modbus::FunctionCode;

// FC03 and FC16 address whole counters: they must start on a high (even) word, and a
// request may not end on a high word.
bool starts_on_low_word(std::uint16_t address) { return address % 2 != 0; }
bool ends_mid_pair(std::uint16_t address, std::uint16_t count) { return (std::uint32_t{address} + count) % 2 != 0; }
bool fits(std::uint16_t address, std::uint32_t count, std::uint32_t table_size) {
    return std::uint32_t{address} + count <= table_size;
}

HandledRequest exception(std::uint8_t function, ExceptionCode code) {
    return {modbus::encode_exception(function, code), true, std::nullopt};
}

class Handler {
public:
    Handler(MeterModel& model, SteadyTime now) : model_(model), layout_(model.layout()), now_(now) {}

    HandledRequest operator()(const modbus::ReadRequest& req) {
        const auto fc = static_cast<std::uint8_t>(req.function);
        const bool bits = modbus::is_bit_read(req.function);
        const std::uint16_t limit = bits ? modbus::max_read_bits : modbus::max_read_registers;
        if (req.count == 0 || req.count > limit) return exception(fc, ExceptionCode::illegal_data_value);
        if (!fits(req.address, req.count, table_size(req.function)))
            return exception(fc, ExceptionCode::illegal_data_address);
        if (req.function == FunctionCode::read_holding_registers) {
            if (starts_on_low_word(req.address)) return exception(fc, ExceptionCode::illegal_data_address);
            if (ends_mid_pair(req.address, req.count)) return exception(fc, ExceptionCode::illegal_data_value);
        }

        model_.advance_to(now_);
        ServedRead served{fc, req.address, req.count, {}};
        HandledRequest out;
        if (bits) {
            std::vector<bool> values;
            if (req.function == FunctionCode::read_coils) model_.read_coils(req.address, req.count, values);
            else model_.read_discrete_inputs(req.address, req.count, values);
            out.response = modbus::encode_bit_response(req.function, values);
            served.values.assign(values.begin(), values.end());
        } else {
            if (req.function == FunctionCode::read_holding_registers)
                model_.read_holding_registers(req.address, req.count, served.values);
            else model_.read_input_registers(req.address, req.count, served.values);
            out.response = modbus::encode_register_response(req.function, served.values);
        }
        out.served = std::move(served);
        return out;
    }

    HandledRequest operator()(const modbus::WriteSingleCoil& req) {
        const auto fc = static_cast<std::uint8_t>(FunctionCode::write_single_coil);
        if (!fits(req.address, 1, layout_.coil_count)) return exception(fc, ExceptionCode::illegal_data_address);
        model_.write_coil(req.address, req.value);
        return {modbus::encode_write_response(FunctionCode::write_single_coil, req.address, req.value ? 0xFF00 : 0x0000),
                false, std::nullopt};
    }

    HandledRequest operator()(const modbus::WriteMultipleCoils& req) {
        const auto fc = static_cast<std::uint8_t>(FunctionCode::write_multiple_coils);
        if (!fits(req.address, static_cast<std::uint32_t>(req.values.size()), layout_.coil_count))
            return exception(fc, ExceptionCode::illegal_data_address);
        for (std::size_t i = 0; i < req.values.size(); ++i)
            model_.write_coil(static_cast<std::uint16_t>(req.address + i), req.values[i]);
        return {modbus::encode_write_response(FunctionCode::write_multiple_coils, req.address,
                                              static_cast<std::uint16_t>(req.values.size())),
                false, std::nullopt};
    }

    HandledRequest operator()(const modbus::WriteMultipleRegisters& req) {
        const auto fc = static_cast<std::uint8_t>(FunctionCode::write_multiple_registers);
        const auto count = static_cast<std::uint16_t>(req.values.size());
        if (count == 0 || count > layout_.max_preset_registers)
            return exception(fc, ExceptionCode::illegal_data_value);
        if (!fits(req.address, count, layout_.holding_register_count()))
            return exception(fc, ExceptionCode::illegal_data_address);
        if (starts_on_low_word(req.address)) return exception(fc, ExceptionCode::illegal_data_address);
        if (ends_mid_pair(req.address, count)) return exception(fc, ExceptionCode::illegal_data_value);
        // A display register holds at most 9 digits; refuse the whole preset otherwise.
        for (std::size_t i = 0; i < count; i += 2)
            if (pair_value(req.values, i) >= counter_rollover) return exception(fc, ExceptionCode::illegal_data_value);

        model_.advance_to(now_);
        for (std::size_t i = 0; i < count; i += 2)
            model_.preset_counter(static_cast<std::uint16_t>((req.address + i) / 2), pair_value(req.values, i));
        return {modbus::encode_write_response(FunctionCode::write_multiple_registers, req.address, count), false,
                std::nullopt};
    }

    HandledRequest operator()(const modbus::UnsupportedRequest& req) {
        return exception(req.function, ExceptionCode::illegal_function);
    }

private:
    static std::uint32_t pair_value(const std::vector<std::uint16_t>& values, std::size_t i) {
        return (std::uint32_t{values[i]} << 16) | values[i + 1];
    }

    std::uint32_t table_size(FunctionCode fc) const {
        switch (fc) {
            case FunctionCode::read_coils: return layout_.coil_count;
            case FunctionCode::read_discrete_inputs: return layout_.discrete_count;
            case FunctionCode::read_holding_registers: return layout_.holding_register_count();
            case FunctionCode::read_input_registers: return layout_.analog_count;
            default: return 0;
        }
    }

    MeterModel& model_;
    const MapLayout& layout_;
    SteadyTime now_;
};

bool supported(std::uint8_t fc) {
    switch (fc) {
        case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x0F: case 0x10: return true;
        default: return false;
    }
}

// Writes that the meter's configuration has not enabled count as illegal functions
// (manual §6.2), whatever else is wrong with the request.
bool disabled(std::uint8_t fc, const HandlerOptions& options) {
    if (fc == 0x05 || fc == 0x0F) return !options.allow_outputs;
    if (fc == 0x10) return !options.allow_presets;
    return false;
}

}  // namespace

HandledRequest handle_request(MeterModel& model, const HandlerOptions& options, std::span<const std::byte> pdu,
                              SteadyTime now) {
    if (pdu.empty()) return {};
    const auto fc = static_cast<std::uint8_t>(pdu[0]);
    if (!supported(fc) || disabled(fc, options)) return exception(static_cast<std::uint8_t>(fc & 0x7F), ExceptionCode::illegal_function);

    const modbus::RequestResult decoded = modbus::decode_request(pdu);
    if (const auto* error = std::get_if<modbus::RequestError>(&decoded)) return exception(fc, error->code);
    return std::visit(Handler{model, now}, std::get<modbus::Request>(decoded));
}

}  // namespace gridgate::sim
