// SerialPort on a real tty: a pseudo-terminal opened by the test.
#include <catch2/catch.hpp>
#include <termios.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <optional>
#include <thread>

#include "gridgate/core/hex.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/transport/serial_port.hpp"
#include "pty_pair.hpp"

using namespace gridgate;
using namespace gridgate::transport;
using namespace gridgate::transport::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

bool run_until(asio::io_context& io, const std::function<bool()>& done) {
    const auto guard = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > guard) return false;
        io.run_one_for(20ms);
        if (io.stopped()) io.restart();
    }
    return true;
}

std::vector<std::byte> hex(std::string_view text) { return *from_hex(text); }

struct Fixture {
    explicit Fixture(SerialPortOptions o) : port(strand, std::move(o), logger) {}

    boost::system::error_code open() {
        std::optional<boost::system::error_code> result;
        port.async_open([&](const boost::system::error_code& ec) { result = ec; });
        REQUIRE(run_until(io, [&] { return result.has_value(); }));
        return *result;
    }

    asio::io_context io;
    asio::strand<asio::io_context::executor_type> strand{io.get_executor()};
    testing::RecordingLogger logger{LogLevel::debug, false};
    SerialPort port;
};

SerialPortOptions options_for(const PtyPair& pty) {
    SerialPortOptions o;
    o.path = pty.path();
    return o;
}

}  // namespace

TEST_CASE("opening sets raw mode and the line format on the tty") {
    PtyPair pty;
    auto o = options_for(pty);
    o.baud = 19200;
    o.parity = Parity::even;
    o.stop_bits = 2;
    Fixture f(o);
    REQUIRE_FALSE(f.open());
    CHECK(f.port.is_open());
    CHECK(f.port.resolved_device() == pty.path());

    termios tio{};
    REQUIRE(::tcgetattr(pty.slave_fd(), &tio) == 0);
    CHECK(::cfgetospeed(&tio) == B19200);
    CHECK(::cfgetispeed(&tio) == B19200);
    CHECK((tio.c_cflag & CSIZE) == CS8);
    // (The pty driver clears PARENB whatever is asked: a pty has no parity to check.)
    CHECK((tio.c_cflag & CSTOPB) != 0);
    CHECK((tio.c_cflag & CRTSCTS) == 0);
    CHECK((tio.c_lflag & (ICANON | ECHO | ISIG)) == 0);
    CHECK((tio.c_iflag & (IXON | ICRNL)) == 0);
    CHECK((tio.c_oflag & OPOST) == 0);
    CHECK(f.port.description() == pty.path() + " 19200 8E2");
    CHECK(f.logger.count("opened " + pty.path() + " at 19200 8E2, RS-485 none") == 1);
}

TEST_CASE("bytes travel both ways, and a transmission reports its start and its end") {
    PtyPair pty;
    Fixture f(options_for(pty));
    REQUIRE_FALSE(f.open());

    const auto frame = hex("01 03 00 00 00 0A C5 CD");
    bool started = false;
    std::optional<boost::system::error_code> sent;
    f.port.async_transmit(frame, [&] { started = true; },
                          [&](const boost::system::error_code& ec) {
                              CHECK(started);
                              sent = ec;
                          });
    REQUIRE(run_until(f.io, [&] { return sent.has_value(); }));
    CHECK_FALSE(*sent);
    CHECK(pty.read(frame.size()) == frame);

    std::array<std::byte, 64> buffer{};
    std::size_t got = 0;
    std::function<void()> read_more = [&] {
        f.port.async_read_some(buffer, [&](const boost::system::error_code& ec, std::size_t n) {
            REQUIRE_FALSE(ec);
            got += n;
            if (got < 5) read_more();
        });
    };
    // Reads land at the start of the buffer; the test only counts them.
    read_more();
    pty.write(hex("01 83 02 C0 F1"));
    REQUIRE(run_until(f.io, [&] { return got >= 5; }));
    CHECK(got == 5);
}

TEST_CASE("a /dev/serial/by-id style link is resolved and the real device logged") {
    PtyPair pty;
    testing::TempDir dir("gg-serial");
    const auto link = dir.file("usb-FTDI_FT232R_USB_UART_A10K1ABC-if00-port0");
    std::filesystem::create_symlink(pty.path(), link);
    auto o = options_for(pty);
    o.path = link.string();
    Fixture f(o);
    REQUIRE_FALSE(f.open());
    CHECK(f.port.resolved_device() == pty.path());
    CHECK(f.logger.count("opened " + pty.path() + " (" + link.string() + ")") == 1);
    CHECK(f.port.description() == pty.path() + " (" + link.string() + ") 9600 8N1");
}

TEST_CASE("a missing device fails to open with an error, not an exception") {
    SerialPortOptions o;
    o.path = "/dev/serial/by-id/usb-nothing-plugged-in";
    Fixture f(o);
    const auto ec = f.open();
    CHECK(ec);
    CHECK_FALSE(f.port.is_open());
    CHECK(f.logger.count("cannot open") == 1);
}

TEST_CASE("kernel RS-485 mode on a port without it is a clear error") {
    PtyPair pty;
    auto o = options_for(pty);
    o.rs485 = Rs485Mode::kernel;
    Fixture f(o);
    const auto ec = f.open();
    CHECK(ec == asio::error::operation_not_supported);
    CHECK_FALSE(f.port.is_open());
    CHECK(f.logger.count("RS-485 kernel mode (TIOCSRS485) not supported by " + pty.path()) == 1);
}

TEST_CASE("RTS mode on a port without modem lines warns once and still transmits") {
    PtyPair pty;
    auto o = options_for(pty);
    o.rs485 = Rs485Mode::rts;
    o.tx_start_delay = 2ms;
    o.tx_end_delay = 2ms;
    Fixture f(o);
    REQUIRE_FALSE(f.open());
    CHECK_FALSE(f.port.drives_rts());
    CHECK(f.logger.count("cannot drive RTS on " + pty.path()) == 1);

    for (int i = 0; i < 3; ++i) {
        const auto frame = hex("05 03 00 04 00 06 85 8D");
        std::optional<boost::system::error_code> sent;
        f.port.async_transmit(frame, nullptr, [&](const boost::system::error_code& ec) { sent = ec; });
        REQUIRE(run_until(f.io, [&] { return sent.has_value(); }));
        CHECK_FALSE(*sent);
        CHECK(pty.read(frame.size()) == frame);
    }
    REQUIRE_FALSE(f.open());  // re-open: still only one warning
    CHECK(f.logger.count("cannot drive RTS") == 1);
}

TEST_CASE("discard_input drops what arrived and was not read") {
    PtyPair pty;
    Fixture f(options_for(pty));
    REQUIRE_FALSE(f.open());
    pty.write(hex("DE AD BE EF"));
    // The pty hands bytes over asynchronously: wait until they are queued.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (pty.input_pending() < 4 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
    REQUIRE(pty.input_pending() == 4);
    f.port.discard_input();
    CHECK(pty.input_pending() == 0);
}

TEST_CASE("closing aborts a pending read") {
    PtyPair pty;
    Fixture f(options_for(pty));
    REQUIRE_FALSE(f.open());
    std::array<std::byte, 16> buffer{};
    std::optional<boost::system::error_code> result;
    f.port.async_read_some(buffer, [&](const boost::system::error_code& ec, std::size_t) { result = ec; });
    asio::post(f.strand, [&] { f.port.close(); });
    REQUIRE(run_until(f.io, [&] { return result.has_value(); }));
    CHECK(*result == asio::error::operation_aborted);
    CHECK_FALSE(f.port.is_open());
}

TEST_CASE("bad settings are refused when the port is made") {
    asio::io_context io;
    SerialPortOptions o;
    o.path = "/dev/ttyS0";
    o.baud = 14400;
    CHECK_THROWS_AS(SerialPort(io.get_executor(), o, null_logger()), std::invalid_argument);
}
