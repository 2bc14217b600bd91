// Serial line settings: what is accepted, and how it is named.
#include <catch2/catch.hpp>

#include "gridgate/transport/serial_options.hpp"

using namespace gridgate::transport;

namespace {

SerialPortOptions valid() {
    SerialPortOptions o;
    o.path = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1ABC-if00-port0";
    return o;
}

}  // namespace

TEST_CASE("the standard baud rates from 1200 to 115200 are accepted, others are not") {
    for (const unsigned baud : {1200u, 2400u, 4800u, 9600u, 19200u, 38400u, 57600u, 115200u}) {
        auto o = valid();
        o.baud = baud;
        CHECK_NOTHROW(validate(o));
    }
    for (const unsigned baud : {0u, 300u, 14400u, 230400u}) {
        auto o = valid();
        o.baud = baud;
        CHECK_THROWS_WITH(validate(o), Catch::Contains("baud"));
    }
}

TEST_CASE("character format limits") {
    auto o = valid();
    o.data_bits = 9;
    CHECK_THROWS_WITH(validate(o), Catch::Contains("data bits"));
    o = valid();
    o.stop_bits = 3;
    CHECK_THROWS_WITH(validate(o), Catch::Contains("stop bits"));
    o = valid();
    o.path.clear();
    CHECK_THROWS_WITH(validate(o), Catch::Contains("path"));
    o = valid();
    o.tx_start_delay = gridgate::Duration{-1};
    CHECK_THROWS_WITH(validate(o), Catch::Contains("delays"));
}

TEST_CASE("line settings read like a terminal program's") {
    auto o = valid();
    CHECK(line_settings(o) == "9600 8N1");
    CHECK(bits_per_character(o) == 10);
    o.baud = 19200;
    o.parity = Parity::even;
    CHECK(line_settings(o) == "19200 8E1");
    CHECK(bits_per_character(o) == 11);
    o.parity = Parity::none;
    o.stop_bits = 2;
    CHECK(line_settings(o) == "19200 8N2");
    CHECK(bits_per_character(o) == 11);
}

TEST_CASE("parity and RS-485 modes parse from their configuration words") {
    CHECK(parse_parity("even") == Parity::even);
    CHECK(parse_parity("odd") == Parity::odd);
    CHECK(parse_parity("none") == Parity::none);
    CHECK_FALSE(parse_parity("E"));
    CHECK(parse_rs485_mode("kernel") == Rs485Mode::kernel);
    CHECK(parse_rs485_mode("rts") == Rs485Mode::rts);
    CHECK(parse_rs485_mode("none") == Rs485Mode::none);
    CHECK_FALSE(parse_rs485_mode("auto"));
}
