#pragma once
// Several simulated DLMS/COSEM meters on one serial line (a tty, one end of a socat pty
// pair, or a pty of metersim's own), HDLC framed and told apart by physical ID: one
// HdlcParser reads the line and each frame goes to the meter it is addressed to (each
// meter's own DlmsHdlcServer); frames for nobody here, and for a meter whose link is down,
// get silence. Bytes of a frame that stops arriving for the inter-frame timeout (the
// meter's 1000 ms) are dropped. Replies go out one frame at a time, paced to the baud
// rate (each octet takes its character time, 10 bits at 8N1), so a client timing the
// line sees the wire time a real RS-485 or optical port would give. The HDLC inactivity
// timeouts run on a timer here. All on the io_context's thread.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/dlms_meter.hpp"
#include "gridgate/sim/serial_device.hpp"

namespace gridgate::sim {

class DlmsSerialLine {
public:
    // `meters` have their HDLC link attached (DlmsMeter::attach_hdlc). The meters, info
    // and logger must outlive the io_context's last handler. `info.line` gives the pacing.
    DlmsSerialLine(boost::asio::io_context& io, SerialDevice device, std::vector<DlmsMeter*> meters,
                   DlmsLineInfo& info, Duration interframe_timeout, Logger& logger);
    ~DlmsSerialLine();
    DlmsSerialLine(const DlmsSerialLine&) = delete;
    DlmsSerialLine& operator=(const DlmsSerialLine&) = delete;

    const std::string& device() const;
    // Stops reading and writing (frames not yet sent are dropped) and closes the device.
    void stop();

    class State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace gridgate::sim
