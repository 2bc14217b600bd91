#pragma once
// metersim as the DLMS benchmark's meter: started as a child with the caller's DLMS
// options plus --print-ports, and stopped by pid. The constructor returns once metersim
// has printed the meter's endpoint ("dlms1 127.0.0.1 <port>" for a TCP meter,
// "dlms100 dlms-serial <device> 100" for one on a serial line).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gridgate::bench {

struct DlmsEndpoint {
    std::string meter;        // "dlms1", "dlms100"
    std::string host;         // TCP meters
    std::uint16_t port = 0;
    std::string device;       // meters on a serial line: the line's device
    std::uint16_t physical_id = 0;
};

class DlmsMetersim {
public:
    // Throws std::runtime_error when metersim exits or prints no endpoint within 10 s.
    DlmsMetersim(const std::string& binary, const std::vector<std::string>& options);
    ~DlmsMetersim();  // SIGTERM, then reap
    DlmsMetersim(const DlmsMetersim&) = delete;
    DlmsMetersim& operator=(const DlmsMetersim&) = delete;

    const DlmsEndpoint& endpoint() const { return endpoint_; }
    pid_t pid() const { return pid_; }
    // User + system CPU time metersim has used so far (from /proc), in seconds.
    double cpu_seconds() const;

private:
    pid_t pid_ = -1;
    DlmsEndpoint endpoint_;
};

}  // namespace gridgate::bench
