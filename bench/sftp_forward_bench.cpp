// SFTP forwarding throughput (issue 7): SftpForwarder uploading N spooled files to a
// loopback sshd (internal-sftp, the test fixture's chrooted account), against OpenSSH's
// own client moving the same files to the same server with `sftp -b <batch>` (one `put`
// per file). Both start from no connection, so the SSH handshake is inside each figure.
// The forwarder also does what the plain client does not: it hashes each local file, stats
// the final and temporary names, uploads to a temporary name, renames, stats again and
// records the delivery (in memory here); and it asks the server to fsync each file
// (fsync@openssh.com), which OpenSSH's `put` does not: --dir /dev/shm puts the server's
// folders on tmpfs, where that costs nothing, to compare the protocol work alone. The
// session setup alone is timed first and each figure is also given without it. OpenSSH's
// client is told to use the key exchange libssh 0.10 negotiates (curve25519-sha256): its
// default, sntrup761x25519, costs about 0.2 s more per connection here, which would
// measure the key exchange rather than the file transfer. Every run's files are compared byte for byte
// with the originals afterwards. Figures only: it never fails on time.
//
//   sftp_forward_bench [--set 20x500000] [--set 200x50000] [--runs 3] [--chunk 65536]
//                      [--dir /tmp]   (where the spool and the server's folders live)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/files/sftp.hpp"
#include "gridgate/files/sha256.hpp"
#include "gridgate/northbound/sftp_forwarder.hpp"
#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/sshd.hpp"
#include "gridgate/testing/temp_dir.hpp"

namespace {

using Steady = std::chrono::steady_clock;
namespace fs = std::filesystem;
namespace t = gridgate::testing;

struct FileSet {
    std::size_t count = 0;
    std::size_t size = 0;
};

struct Settings {
    std::vector<FileSet> sets;
    int runs = 3;
    std::size_t chunk = 64 * 1024;
    fs::path dir = fs::temp_directory_path();
};

// A spool in memory over real files: what the store's file index would hand the sink.
class BenchOutbox final : public gridgate::FileOutbox {
public:
    explicit BenchOutbox(std::vector<gridgate::SpooledFile> files) : files_(std::move(files)) {}
    std::optional<gridgate::SpooledFile> next_undelivered(std::string_view, std::uint64_t after_id) override {
        std::lock_guard lock(mutex_);
        for (const auto& f : files_)
            if (f.id > after_id && delivered_.count(f.id) == 0) return f;
        return std::nullopt;
    }
    void mark_delivered(std::string_view, std::uint64_t id, std::string_view, std::string_view) override {
        std::lock_guard lock(mutex_);
        delivered_.insert(id);
    }
    std::size_t delivered() const {
        std::lock_guard lock(mutex_);
        return delivered_.size();
    }

private:
    mutable std::mutex mutex_;
    std::vector<gridgate::SpooledFile> files_;
    std::set<std::uint64_t> delivered_;
};

// PQDIF-like names and incompressible content (the fixture's sshd does not compress, but
// a real file's deflated records do not compress either).
std::vector<gridgate::SpooledFile> make_spool(const fs::path& dir, const FileSet& set) {
    fs::create_directories(dir);
    std::mt19937_64 rng(set.count * 1'000'003 + set.size);
    std::vector<gridgate::SpooledFile> files;
    for (std::size_t i = 0; i < set.count; ++i) {
        gridgate::SpooledFile f;
        f.id = i + 1;
        f.meter = "jem1";
        f.name = "142300003_" + std::to_string(1'454'408'745 + i) + "_133724_07.pqd";
        f.local_path = (dir / f.name).string();
        std::string bytes(set.size, '\0');
        for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
        std::ofstream(f.local_path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        f.size = bytes.size();
        f.sha256 = gridgate::files::sha256_file(f.local_path);
        f.details_json = R"({"source":"bench"})";
        files.push_back(std::move(f));
    }
    return files;
}

void check_arrived(const std::vector<gridgate::SpooledFile>& files, const fs::path& folder, const char* who) {
    for (const auto& f : files) {
        const fs::path there = folder / f.name;
        if (!fs::exists(there) || fs::file_size(there) != f.size || gridgate::files::sha256_file(there) != f.sha256)
            throw std::runtime_error(std::string(who) + ": " + there.string() + " did not arrive intact");
    }
}

double forwarder_run(const t::SshdFixture& sshd, const std::vector<gridgate::SpooledFile>& files,
                     const std::string& folder, const Settings& s) {
    BenchOutbox outbox(files);
    gridgate::northbound::SftpSinkOptions o;
    o.sink_name = "sftp.bench";
    o.gateway_id = "gw";
    o.endpoint = sshd.endpoint();
    o.remote_root = sshd.remote_base() + "/" + folder;
    o.chunk_bytes = s.chunk;
    o.poll_interval = std::chrono::milliseconds(20);
    gridgate::SystemClock clock;
    gridgate::northbound::SftpForwarder forwarder(o, outbox, clock, gridgate::null_logger());
    const auto start = Steady::now();
    forwarder.start();
    while (outbox.delivered() < files.size()) {
        if (Steady::now() - start > std::chrono::minutes(5))
            throw std::runtime_error("forwarder: timed out; last error: " + forwarder.stats().last_error);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
    forwarder.stop();
    check_arrived(files, sshd.root() / folder / "gw" / "jem1", "forwarder");
    return seconds;
}

double openssh_run(const t::SshdFixture& sshd, const std::vector<gridgate::SpooledFile>& files,
                   const std::string& folder, const fs::path& work) {
    const std::string remote = sshd.remote_base() + "/" + folder;
    const fs::path batch = work / (folder + ".batch");
    {
        std::ofstream b(batch);
        b << "-mkdir " << remote << "\n";
        for (const auto& f : files) b << "put " << f.local_path << " " << remote << "/" << f.name << "\n";
    }
    const std::vector<std::string> argv{"sftp", "-q", "-b", batch.string(), "-i", sshd.client_key().string(),
                                        "-P", std::to_string(sshd.port()), "-o", "StrictHostKeyChecking=no",
                                        "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                                        "-o", "GSSAPIAuthentication=no", "-o", "KexAlgorithms=curve25519-sha256",
                                        sshd.user() + "@127.0.0.1"};
    const auto start = Steady::now();
    const int rc = t::run_command(argv, work / (folder + ".log"), std::chrono::minutes(5));
    const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
    if (rc != 0) throw std::runtime_error("sftp -b exited with " + std::to_string(rc) + "; see " + folder + ".log");
    if (files.empty()) return seconds;
    check_arrived(files, sshd.root() / folder, "openssh sftp");
    return seconds;
}

// Session setup alone (TCP, key exchange, auth, SFTP channel): the share of each figure
// above that does not depend on the files.
double libssh_connect_run(const t::SshdFixture& sshd) {
    const auto start = Steady::now();
    gridgate::files::SftpSession session(sshd.endpoint(), gridgate::null_logger(), "bench");
    return std::chrono::duration<double>(Steady::now() - start).count();
}

double openssh_connect_run(const t::SshdFixture& sshd, const fs::path& work) {
    return openssh_run(sshd, {}, "connect-only", work);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Throughput with the session setup included, then with the median setup subtracted
// (the transfer work alone), then the raw times.
void print_line(const char* who, const FileSet& set, const std::vector<double>& seconds, double setup) {
    const double s = median(seconds);
    const double net = std::max(s - setup, 1e-6);
    const double mb = static_cast<double>(set.count * set.size) / 1e6;
    const double n = static_cast<double>(set.count);
    std::printf("  %-18s %6.1f MB/s %6.1f files/s | %6.1f MB/s %6.1f files/s | median %.3f s of", who, mb / s, n / s,
                mb / net, n / net, s);
    for (double x : seconds) std::printf(" %.3f", x);
    std::printf("\n");
}

void print_seconds(const char* who, const std::vector<double>& seconds) {
    std::printf("  %-18s median %.3f s of", who, median(seconds));
    for (double x : seconds) std::printf(" %.3f", x);
    std::printf("\n");
}

FileSet parse_set(const std::string& text) {
    const auto x = text.find('x');
    if (x == std::string::npos) throw std::invalid_argument("--set wants <count>x<bytes>, e.g. 20x500000");
    return FileSet{std::stoul(text.substr(0, x)), std::stoul(text.substr(x + 1))};
}

Settings parse(int argc, char** argv) {
    Settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument("missing value after " + arg);
        const std::string value = argv[++i];
        if (arg == "--set") s.sets.push_back(parse_set(value));
        else if (arg == "--runs") s.runs = std::max(1, std::stoi(value));
        else if (arg == "--chunk") s.chunk = std::stoul(value);
        else if (arg == "--dir") s.dir = value;
        else throw std::invalid_argument("unknown option " + arg);
    }
    if (s.sets.empty()) s.sets = {{20, 500'000}, {200, 50'000}};
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    const Settings s = parse(argc, argv);
    fs::create_directories(s.dir);
    setenv("TMPDIR", s.dir.c_str(), 1);  // TempDir puts itself there
    t::TempDir work("gg-sftp-bench");
    t::SshdFixture sshd(work.path() / "sshd");
    std::printf("sftp_forward_bench: loopback sshd (internal-sftp), chunk %zu bytes, %d runs each\n", s.chunk,
                s.runs);
    std::vector<double> libssh_setup, openssh_setup;
    for (int run = 0; run < s.runs; ++run) {
        libssh_setup.push_back(libssh_connect_run(sshd));
        openssh_setup.push_back(openssh_connect_run(sshd, work.path()));
    }
    std::printf("session setup only (connect, key exchange, auth, SFTP channel; OpenSSH: process start too)\n");
    print_seconds("libssh (forwarder)", libssh_setup);
    print_seconds("OpenSSH sftp -b", openssh_setup);
    for (const FileSet& set : s.sets) {
        const std::string tag = std::to_string(set.count) + "x" + std::to_string(set.size);
        const auto files = make_spool(work.path() / ("spool-" + tag), set);
        std::printf("\n%zu files x %zu bytes (%.1f MB)   with session setup    | setup subtracted\n", set.count,
                    set.size, static_cast<double>(set.count * set.size) / 1e6);
        std::vector<double> forwarder, openssh;
        for (int run = 0; run < s.runs; ++run) {
            // Alternate, so neither side always gets a warmer cache.
            const std::string suffix = tag + "-" + std::to_string(run);
            forwarder.push_back(forwarder_run(sshd, files, "fwd-" + suffix, s));
            openssh.push_back(openssh_run(sshd, files, "ossh-" + suffix, work.path()));
            fs::remove_all(sshd.root() / ("fwd-" + suffix));
            fs::remove_all(sshd.root() / ("ossh-" + suffix));
        }
        print_line("SftpForwarder", set, forwarder, median(libssh_setup));
        print_line("OpenSSH sftp -b", set, openssh, median(openssh_setup));
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "sftp_forward_bench: %s\n", e.what());
    return 1;
}
