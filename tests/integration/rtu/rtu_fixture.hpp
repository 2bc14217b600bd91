#pragma once
// Shared pieces of the RTU integration tests: an io_context with an RTU bus on one end
// of a socat pty pair, and helpers to read through it.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gridgate/modbus/rtu_bus.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"
#include "socat_pty_pair.hpp"

namespace gridgate::rtu_test {

// Runs the io_context until `done` holds. The guard only stops a broken test hanging.
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::seconds guard_after = std::chrono::seconds(20)) {
    const auto guard = std::chrono::steady_clock::now() + guard_after;
    while (!done()) {
        if (std::chrono::steady_clock::now() > guard) return false;
        io.run_one_for(std::chrono::milliseconds(20));
        if (io.stopped()) io.restart();
    }
    return true;
}

// Waits until a child's stdout file contains `text`.
inline bool wait_for_output(const std::filesystem::path& file, const std::string& text) {
    return testing::wait_until(
        [&] { return testing::read_text_file(file).find(text) != std::string::npos; }, std::chrono::seconds(20));
}

inline std::filesystem::path source_dir() { return GG_RTU_TEST_DIR; }

constexpr modbus::ReadRequest holding(std::uint16_t address, std::uint16_t count) {
    return {modbus::FunctionCode::read_holding_registers, address, count};
}
constexpr modbus::ReadRequest input(std::uint16_t address, std::uint16_t count) {
    return {modbus::FunctionCode::read_input_registers, address, count};
}
constexpr modbus::ReadRequest coils(std::uint16_t address, std::uint16_t count) {
    return {modbus::FunctionCode::read_coils, address, count};
}
constexpr modbus::ReadRequest inputs(std::uint16_t address, std::uint16_t count) {
    return {modbus::FunctionCode::read_discrete_inputs, address, count};
}

// A bus on the master end of a fresh socat pair.
struct BusOnPty {
    explicit BusOnPty(unsigned baud = 19200, modbus::RtuBusOptions options = {})
        : dir("gg-rtu"), line(dir.path()) {
        transport::SerialPortOptions serial;
        serial.path = line.master_end();
        serial.baud = baud;
        options.name = "pty-bus";
        bus = modbus::make_serial_rtu_bus(io.get_executor(), serial, options, logger);
    }
    ~BusOnPty() {
        if (bus) stop();
    }

    modbus::TransactionResult read(std::uint8_t unit, const modbus::ReadRequest& request,
                                   Duration timeout = std::chrono::seconds(1)) {
        std::optional<modbus::TransactionResult> result;
        bus->submit(modbus::ReadCall{unit, request, timeout, "unit" + std::to_string(unit), modbus::Priority::normal},
                    [&](modbus::TransactionResult r) { result = std::move(r); });
        if (!run_until(io, [&] { return result.has_value(); })) throw std::runtime_error("read never completed");
        return *result;
    }

    std::vector<std::uint16_t> registers(std::uint8_t unit, const modbus::ReadRequest& request) {
        const auto r = read(unit, request);
        const auto* data = std::get_if<modbus::ReadResponse>(&r);
        return data ? data->registers : std::vector<std::uint16_t>{};
    }
    std::vector<bool> bits(std::uint8_t unit, const modbus::ReadRequest& request) {
        const auto r = read(unit, request);
        const auto* data = std::get_if<modbus::ReadResponse>(&r);
        return data ? data->bits : std::vector<bool>{};
    }

    void stop() {
        bool done = false;
        bus->stop([&] { done = true; });
        run_until(io, [&] { return done; });
        bus.reset();
    }

    testing::TempDir dir;
    SocatPtyPair line;
    boost::asio::io_context io;
    testing::RecordingLogger logger{LogLevel::info, false};
    std::unique_ptr<modbus::RtuBus> bus;
};

inline std::vector<std::uint16_t> sequence(std::uint16_t first, std::uint16_t count) {
    std::vector<std::uint16_t> out;
    for (std::uint16_t i = 0; i < count; ++i) out.push_back(static_cast<std::uint16_t>(first + i));
    return out;
}

}  // namespace gridgate::rtu_test
