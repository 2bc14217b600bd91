#pragma once
// A connected datagram socket to chronyd's command socket, for one query. For the Unix
// socket it also owns the reply path it bound (and its private directory), removed on
// destruction. Failures throw ChronyError (no_answer / refused).
#include <filesystem>

#include "gridgate/time/chrony_client.hpp"

namespace gridgate::timesync::detail {

class ChronySocket {
public:
    explicit ChronySocket(const ChronyEndpoint& endpoint);
    ChronySocket(const ChronySocket&) = delete;
    ChronySocket& operator=(const ChronySocket&) = delete;

    int fd() const { return owned_.fd; }

private:
    void open_unix(const ChronyEndpoint& endpoint);
    void open_udp(const ChronyEndpoint& endpoint);

    // A member, so that its destructor also cleans up when the constructor throws half way.
    struct Owned {
        int fd = -1;
        std::filesystem::path reply_dir;   // empty for UDP
        std::filesystem::path reply_path;
        Owned() = default;
        Owned(const Owned&) = delete;
        Owned& operator=(const Owned&) = delete;
        ~Owned();
    } owned_;
};

}  // namespace gridgate::timesync::detail
