#pragma once
// One test's world: a temporary folder, a real sshd playing the head-end (chrooted SFTP
// account), the gateway's spool as a MemoryFileOutbox, and forwarder options pointing at
// it with test-sized retry times. Helpers read what arrived on the server side.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gridgate/northbound/sftp_forwarder.hpp"
#include "gridgate/testing/sshd.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "memory_file_outbox.hpp"

namespace gridgate::testing {

inline constexpr const char* test_sink = "sftp.headend";
inline constexpr const char* test_gateway = "gw-1";

struct HeadEnd {
    TempDir dir{"gg-sftp-sink"};
    SshdFixture sshd{dir.path() / "sshd"};
    MemoryFileOutbox outbox{dir.path() / "spool"};

    northbound::SftpSinkOptions options() const {
        northbound::SftpSinkOptions o;
        o.sink_name = test_sink;
        o.gateway_id = test_gateway;
        o.endpoint = sshd.endpoint();
        o.endpoint.connect_timeout = std::chrono::seconds(5);
        o.endpoint.io_timeout = std::chrono::seconds(5);
        o.remote_root = sshd.remote_base() + "/headend";
        o.retry_min = std::chrono::milliseconds(50);
        o.retry_max = std::chrono::milliseconds(200);
        o.poll_interval = std::chrono::milliseconds(200);
        return o;
    }

    // Where the server keeps a remote path of the forwarder ("/headend/gw-1/m/x").
    std::filesystem::path local_of(const std::string& remote_path) const {
        if (sshd.remote_base().empty()) return sshd.root() / remote_path.substr(1);
        return std::filesystem::path(remote_path);
    }
    std::filesystem::path meter_dir(const std::string& meter) const {
        return sshd.root() / "headend" / test_gateway / meter;
    }
    // Puts bytes on the server directly (a leftover of an earlier run).
    void plant(const std::string& meter, const std::string& name, const std::string& bytes) const {
        std::filesystem::create_directories(meter_dir(meter));
        write_bytes(meter_dir(meter) / name, bytes);
    }
    // Temporary upload files anywhere under the head-end folder.
    std::vector<std::filesystem::path> part_files() const {
        std::vector<std::filesystem::path> out;
        const auto top = sshd.root() / "headend";
        if (!std::filesystem::exists(top)) return out;
        for (const auto& e : std::filesystem::recursive_directory_iterator(top))
            if (e.path().extension() == ".part") out.push_back(e.path());
        return out;
    }
    static void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
};

}  // namespace gridgate::testing
