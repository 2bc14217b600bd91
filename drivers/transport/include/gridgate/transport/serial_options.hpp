#pragma once
// Settings of one serial line, with their checks. Pure.
//
// Name the port by a path that survives renumbering: a USB adapter's
// /dev/serial/by-id/usb-<vendor>_<product>_<serial>-if00-port0 (or /dev/serial/by-path/...
// for a fixed socket) instead of /dev/ttyUSB0, which depends on plug order. The link is
// resolved on every open and the real device is logged.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"

namespace gridgate::transport {

enum class Parity : std::uint8_t { none, even, odd };

// How the RS-485 driver's direction is switched.
enum class Rs485Mode : std::uint8_t {
    none,    // RS-232, or an RS-485 adapter that switches direction by itself
    kernel,  // the UART driver drives RTS (TIOCSRS485); an error if the port cannot
    rts,     // we drive RTS around each transmission, with the delays below; a port
             // without modem lines (a pty) only logs a warning
};

struct SerialPortOptions {
    std::string path;
    unsigned baud = 9600;  // 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200
    unsigned data_bits = 8;  // 7 or 8 (Modbus RTU needs 8)
    Parity parity = Parity::none;
    unsigned stop_bits = 1;  // 1 or 2
    Rs485Mode rs485 = Rs485Mode::none;
    // RTS asserted -> first byte, and last byte drained -> RTS released (rts and kernel
    // modes; the kernel takes whole milliseconds). The JEMStar II manual suggests 40 ms
    // and 40 ms for RS-485 (its turnaround delay, 0 ms, is the bus's turnaround_delay).
    Duration tx_start_delay{0};
    Duration tx_end_delay{0};
    bool rts_active_high = true;  // RTS level while transmitting
};

const std::vector<unsigned>& supported_bauds();
bool is_supported_baud(unsigned baud);

// Throws std::invalid_argument naming the field for a setting the port cannot have.
void validate(const SerialPortOptions& options);

// 1 start + data + parity + stop bits: the time one character takes on the wire.
unsigned bits_per_character(const SerialPortOptions& options);

// "9600 8N1", "19200 8E1".
std::string line_settings(const SerialPortOptions& options);

const char* to_string(Parity p);        // "none", "even", "odd"
const char* to_string(Rs485Mode m);     // "none", "kernel", "rts"
std::optional<Parity> parse_parity(std::string_view text);
std::optional<Rs485Mode> parse_rs485_mode(std::string_view text);

}  // namespace gridgate::transport
