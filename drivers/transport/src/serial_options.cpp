// Serial line settings: the values a Linux UART takes, checked before anything opens.
#include "gridgate/transport/serial_options.hpp"

#include <algorithm>
#include <stdexcept>

namespace gridgate::transport {

const std::vector<unsigned>& supported_bauds() {
    static const std::vector<unsigned> bauds{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
    return bauds;
}

bool is_supported_baud(unsigned baud) {
    const auto& all = supported_bauds();
    return std::find(all.begin(), all.end(), baud) != all.end();
}

void validate(const SerialPortOptions& o) {
    if (o.path.empty()) throw std::invalid_argument("serial port: path is empty");
    if (!is_supported_baud(o.baud))
        throw std::invalid_argument("serial port " + o.path + ": baud " + std::to_string(o.baud) +
                                    " not supported (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)");
    if (o.data_bits != 7 && o.data_bits != 8)
        throw std::invalid_argument("serial port " + o.path + ": data bits must be 7 or 8");
    if (o.stop_bits != 1 && o.stop_bits != 2)
        throw std::invalid_argument("serial port " + o.path + ": stop bits must be 1 or 2");
    if (o.tx_start_delay.count() < 0 || o.tx_end_delay.count() < 0)
        throw std::invalid_argument("serial port " + o.path + ": RS-485 delays must not be negative");
}

unsigned bits_per_character(const SerialPortOptions& o) {
    return 1 + o.data_bits + (o.parity == Parity::none ? 0 : 1) + o.stop_bits;
}

std::string line_settings(const SerialPortOptions& o) {
    const char parity = o.parity == Parity::none ? 'N' : o.parity == Parity::even ? 'E' : 'O';
    return std::to_string(o.baud) + " " + std::to_string(o.data_bits) + parity + std::to_string(o.stop_bits);
}

const char* to_string(Parity p) {
    switch (p) {
        case Parity::none: return "none";
        case Parity::even: return "even";
        case Parity::odd: return "odd";
    }
    return "?";
}

const char* to_string(Rs485Mode m) {
    switch (m) {
        case Rs485Mode::none: return "none";
        case Rs485Mode::kernel: return "kernel";
        case Rs485Mode::rts: return "rts";
    }
    return "?";
}

std::optional<Parity> parse_parity(std::string_view text) {
    for (const Parity p : {Parity::none, Parity::even, Parity::odd})
        if (text == to_string(p)) return p;
    return std::nullopt;
}

std::optional<Rs485Mode> parse_rs485_mode(std::string_view text) {
    for (const Rs485Mode m : {Rs485Mode::none, Rs485Mode::kernel, Rs485Mode::rts})
        if (text == to_string(m)) return m;
    return std::nullopt;
}

}  // namespace gridgate::transport
