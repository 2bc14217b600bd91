#pragma once
// The termios / ioctl calls a serial port needs, each turning errno into an error code
// in one place. Private to SerialPort.
#include <boost/system/error_code.hpp>

#include "gridgate/transport/serial_options.hpp"

namespace gridgate::transport::serial_line {

// Raw mode (no echo, no line editing, no translation, no flow control, no modem
// control), the baud rate, the character format; VMIN 1 / VTIME 0.
boost::system::error_code configure_raw(int fd, const SerialPortOptions& options);

// RS-485 in the UART driver: RTS on send, released after, with the delays (ms).
boost::system::error_code enable_kernel_rs485(int fd, const SerialPortOptions& options);

// Drives the RTS line (true = asserted at the level meaning "transmitting").
boost::system::error_code set_rts(int fd, bool transmitting, bool active_high);

boost::system::error_code discard_input(int fd);   // tcflush(TCIFLUSH)
boost::system::error_code discard_output(int fd);  // tcflush(TCOFLUSH)
// True for a pseudo-terminal (Unix98 pty slave, majors 136-143): no UART behind it,
// so there is nothing to drain and no modem line to drive.
bool is_pty(int fd);

// Blocks until every byte written has left the UART (tcdrain).
boost::system::error_code drain(int fd);

}  // namespace gridgate::transport::serial_line
