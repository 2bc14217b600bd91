// termios and ioctl for serial lines (Linux).
#include "serial_line.hpp"

#include <linux/serial.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include <cerrno>

namespace gridgate::transport::serial_line {

namespace {

boost::system::error_code last_error() { return {errno, boost::system::system_category()}; }

boost::system::error_code check(int rc) { return rc == 0 ? boost::system::error_code{} : last_error(); }

speed_t speed_for(unsigned baud) {
    switch (baud) {
        case 1200: return B1200;
        case 2400: return B2400;
        case 4800: return B4800;
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        default: return B0;
    }
}

unsigned milliseconds_up(Duration d) { return static_cast<unsigned>((d.count() + 999) / 1000); }

}  // namespace

boost::system::error_code configure_raw(int fd, const SerialPortOptions& o) {
    termios tio{};
    if (::tcgetattr(fd, &tio) != 0) return last_error();
    ::cfmakeraw(&tio);
    tio.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS | HUPCL);
    tio.c_cflag |= CLOCAL | CREAD | (o.data_bits == 7 ? CS7 : CS8);
    if (o.parity != Parity::none) tio.c_cflag |= PARENB;
    if (o.parity == Parity::odd) tio.c_cflag |= PARODD;
    if (o.stop_bits == 2) tio.c_cflag |= CSTOPB;
    // A character with a parity error reads as 0x00 (INPCK without PARMRK/IGNPAR): the
    // frame then fails its CRC and is counted, instead of silently shrinking.
    tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY | IGNPAR | PARMRK);
    if (o.parity != Parity::none) tio.c_iflag |= INPCK;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    const speed_t speed = speed_for(o.baud);
    if (speed == B0) return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
    if (::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0) return last_error();
    if (::tcsetattr(fd, TCSANOW, &tio) != 0) return last_error();
    return check(::tcflush(fd, TCIOFLUSH));
}

boost::system::error_code enable_kernel_rs485(int fd, const SerialPortOptions& o) {
    serial_rs485 rs485{};
    if (::ioctl(fd, TIOCGRS485, &rs485) != 0) return last_error();
    rs485.flags |= SER_RS485_ENABLED;
    if (o.rts_active_high) {
        rs485.flags |= SER_RS485_RTS_ON_SEND;
        rs485.flags &= ~static_cast<__u32>(SER_RS485_RTS_AFTER_SEND);
    } else {
        rs485.flags &= ~static_cast<__u32>(SER_RS485_RTS_ON_SEND);
        rs485.flags |= SER_RS485_RTS_AFTER_SEND;
    }
    rs485.flags &= ~static_cast<__u32>(SER_RS485_RX_DURING_TX);
    rs485.delay_rts_before_send = milliseconds_up(o.tx_start_delay);
    rs485.delay_rts_after_send = milliseconds_up(o.tx_end_delay);
    return check(::ioctl(fd, TIOCSRS485, &rs485));
}

boost::system::error_code set_rts(int fd, bool transmitting, bool active_high) {
    const int bits = TIOCM_RTS;
    const bool high = transmitting == active_high;
    return check(::ioctl(fd, high ? TIOCMBIS : TIOCMBIC, &bits));
}

bool is_pty(int fd) {
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) return false;
    const unsigned major_number = major(st.st_rdev);
    return major_number >= 136 && major_number <= 143;
}

boost::system::error_code discard_input(int fd) { return check(::tcflush(fd, TCIFLUSH)); }

boost::system::error_code discard_output(int fd) { return check(::tcflush(fd, TCOFLUSH)); }

boost::system::error_code drain(int fd) {
    int rc;
    do {
        rc = ::tcdrain(fd);
    } while (rc != 0 && errno == EINTR);
    return check(rc);
}

}  // namespace gridgate::transport::serial_line
