#include "gridgate/testing/sshd.hpp"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/ports.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

namespace gridgate::testing {

namespace fs = std::filesystem;

namespace {

constexpr auto ready_timeout = std::chrono::seconds(10);
constexpr int port_attempts = 5;
const char* const sshd_binary = "/usr/sbin/sshd";  // sshd re-executes itself: absolute path

std::string current_user() {
    const passwd* pw = ::getpwuid(::geteuid());
    if (!pw) throw std::runtime_error("SshdFixture: no passwd entry for the current user");
    return pw->pw_name;
}

void make_key(const fs::path& file, const fs::path& log) {
    if (fs::exists(file)) return;
    if (run_command({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gridgate-test", "-f", file.string()},
                    log) != 0)
        throw std::runtime_error("ssh-keygen failed for " + file.string() + ":\n" + read_text_file(log));
}

// "SHA256:..." as `ssh-keygen -l` prints it: the second field of its output.
std::string fingerprint_of(const fs::path& pub, const fs::path& work) {
    const fs::path out = work / "fingerprint.txt";
    const fs::path log = work / "ssh-keygen.log";
    std::error_code ec;
    fs::remove(out, ec);
    {
        ChildProcess child({"ssh-keygen", "-l", "-E", "sha256", "-f", pub.string()}, out, log);
        const auto status = child.wait(std::chrono::seconds(10));
        if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
            throw std::runtime_error("ssh-keygen -l failed:\n" + read_text_file(log));
    }
    std::istringstream fields(read_text_file(out));
    std::string bits, fingerprint;
    fields >> bits >> fingerprint;
    if (fingerprint.rfind("SHA256:", 0) != 0) throw std::runtime_error("unexpected ssh-keygen -l output");
    return fingerprint;
}

// A copy of /etc/shadow with `user`'s password hash set to a SHA-512 crypt of `password`.
void write_shadow(const fs::path& file, const std::string& user, const std::string& password, const fs::path& work) {
    const fs::path out = work / "passwd-hash.txt";
    const fs::path log = work / "openssl.log";
    {
        ChildProcess child({"openssl", "passwd", "-6", password}, out, log);
        const auto status = child.wait(std::chrono::seconds(10));
        if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
            throw std::runtime_error("openssl passwd failed:\n" + read_text_file(log));
    }
    std::string hash = read_text_file(out);
    while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r')) hash.pop_back();
    std::istringstream shadow(read_text_file("/etc/shadow"));
    std::ofstream copy(file, std::ios::trunc);
    bool found = false;
    for (std::string line; std::getline(shadow, line);) {
        if (line.rfind(user + ":", 0) == 0) {
            const auto second = line.find(':', user.size() + 1);
            line = user + ":" + hash + (second == std::string::npos ? std::string(":") : line.substr(second));
            found = true;
        }
        copy << line << "\n";
    }
    if (!found) throw std::runtime_error("SshdFixture: " + user + " is not in /etc/shadow");
    if (!copy) throw std::runtime_error("cannot write " + file.string());
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
}

std::optional<pid_t> parent_of(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return std::nullopt;
    // The command name (field 2) is in parentheses and may contain spaces: parse after it.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    pid_t ppid = 0;
    if (!(rest >> state >> ppid)) return std::nullopt;
    return ppid;
}

// Every process below `root` (sshd's per-connection monitors and their session children).
std::vector<pid_t> descendants_of(pid_t root) {
    std::vector<std::pair<pid_t, pid_t>> all;  // (pid, ppid)
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(name));
        if (auto ppid = parent_of(pid)) all.emplace_back(pid, *ppid);
    }
    std::vector<pid_t> found{root};
    for (std::size_t i = 0; i < found.size(); ++i)
        for (const auto& [pid, ppid] : all)
            if (ppid == found[i]) found.push_back(pid);
    found.erase(found.begin());
    return found;
}

}  // namespace

struct SshdFixture::Impl {
    fs::path work;
    SshdOptions options;
    fs::path root;
    fs::path host_key;
    fs::path host_key_pub;
    fs::path client_key;
    fs::path authorized_keys;
    fs::path config_file;
    fs::path log_file;
    fs::path chroot_link_dir;  // under /run: see write_config()
    std::string user;
    std::string fingerprint;
    std::uint16_t port = 0;
    std::unique_ptr<ChildProcess> process;

    void write_config() const;
    bool launch();
    void signal_sessions(int signo);
};

void SshdFixture::Impl::write_config() const {
    std::ofstream conf(config_file, std::ios::trunc);
    conf << "# written by gridgate::testing::SshdFixture\n"
         << "ListenAddress 127.0.0.1\n"
         << "Port " << port << "\n"
         << "HostKey " << host_key.string() << "\n"
         << "PidFile none\n"
         << "UsePAM no\n"
         << "StrictModes no\n"
         << "UseDNS no\n"
         << "PermitRootLogin yes\n"
         << "PubkeyAuthentication yes\n"
         << "PasswordAuthentication " << (options.password.empty() ? "no" : "yes") << "\n"
         << "KbdInteractiveAuthentication no\n"
         << "AuthorizedKeysFile " << authorized_keys.string() << "\n"
         << "LogLevel VERBOSE\n"
         << "Subsystem sftp internal-sftp\n";
    if (options.chroot) {
        // sshd refuses a chroot whose path has a group/world-writable component, which
        // /tmp is. It checks with stat() and chroot() follows symlinks, so the path it is
        // given is a root-only folder in /run holding a link to the real root().
        conf << "ChrootDirectory " << (chroot_link_dir / "root").string() << "\n"
             << "ForceCommand internal-sftp\n";
    }
    if (!conf) throw std::runtime_error("cannot write " + config_file.string());
}

bool SshdFixture::Impl::launch() {
    ::mkdir("/run/sshd", 0755);  // privilege separation directory; may already exist
    std::vector<std::string> argv{sshd_binary, "-D", "-e", "-f", config_file.string()};
    if (!options.password.empty()) {
        // The shell execs sshd, so the child's pid is sshd's.
        argv = {"unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                "mount --bind \"$0\" /etc/shadow && exec \"$@\"", (work / "shadow").string(),
                sshd_binary, "-D", "-e", "-f", config_file.string()};
    }
    process = std::make_unique<ChildProcess>(argv, log_file);
    const bool ready = wait_until(
        [&] {
            if (!process->running()) return true;  // exited: stop waiting, report below
            return loopback_port_accepts(port);
        },
        ready_timeout);
    if (ready && process->running()) return true;
    process->kill();
    process.reset();
    return false;
}

// Freezes the listener so it forks no new sessions, then signals every session process:
// sshd leaves running sessions alone when the listener goes, a real box would not.
// Ending sessions (SIGTERM, SIGKILL) lets the listener run again just long enough to reap
// them, so no zombies are left to init; a SIGSTOP leaves everything stopped.
void SshdFixture::Impl::signal_sessions(int signo) {
    if (!process || !process->running()) return;
    process->signal(SIGSTOP);
    const auto sessions = descendants_of(process->pid());
    for (pid_t pid : sessions) ::kill(pid, signo);
    if (signo == SIGSTOP) return;
    for (pid_t pid : sessions) ::kill(pid, SIGCONT);  // a frozen session acts on SIGTERM only once resumed
    process->signal(SIGCONT);
    const pid_t listener = process->pid();
    wait_until(
        [&] {
            for (pid_t pid : sessions)
                if (parent_of(pid) == listener) return false;
            return true;
        },
        std::chrono::seconds(2));
}

SshdFixture::SshdFixture(fs::path work, SshdOptions options) : impl_(std::make_unique<Impl>()) {
    auto& s = *impl_;
    s.work = std::move(work);
    s.options = options;
    fs::create_directories(s.work);
    s.root = s.work / "root";
    fs::create_directories(s.root);
    fs::permissions(s.root, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
    s.host_key = s.work / "ssh_host_ed25519_key";
    s.host_key_pub = s.work / "ssh_host_ed25519_key.pub";
    s.client_key = s.work / "client_ed25519";
    s.authorized_keys = s.work / "authorized_keys";
    s.config_file = s.work / "sshd_config";
    s.log_file = s.work / "sshd.log";
    s.user = current_user();

    const fs::path keygen_log = s.work / "ssh-keygen.log";
    make_key(s.host_key, keygen_log);
    make_key(s.client_key, keygen_log);
    fs::copy_file(s.work / "client_ed25519.pub", s.authorized_keys, fs::copy_options::overwrite_existing);
    s.fingerprint = fingerprint_of(s.host_key_pub, s.work);
    if (!s.options.password.empty()) write_shadow(s.work / "shadow", s.user, s.options.password, s.work);

    if (s.options.chroot) {
        char pattern[] = "/run/gg-sshd-XXXXXX";
        if (!::mkdtemp(pattern)) throw std::runtime_error(std::string("mkdtemp in /run: ") + std::strerror(errno));
        s.chroot_link_dir = pattern;
        fs::create_directory_symlink(s.root, s.chroot_link_dir / "root");
    }

    // A free port can be taken by someone else before sshd binds it: try fresh ones.
    for (int attempt = 0; attempt < port_attempts; ++attempt) {
        s.port = free_loopback_port();
        s.write_config();
        if (s.launch()) return;
    }
    const std::string log = log_text();
    std::error_code ec;
    if (!s.chroot_link_dir.empty()) fs::remove_all(s.chroot_link_dir, ec);
    throw std::runtime_error("sshd did not start; log:\n" + log);
}

SshdFixture::~SshdFixture() {
    try {
        stop();
    } catch (...) {  // a destructor must not throw; the child is killed by ChildProcess anyway
    }
    std::error_code ec;
    if (!impl_->chroot_link_dir.empty()) fs::remove_all(impl_->chroot_link_dir, ec);
}

std::uint16_t SshdFixture::port() const { return impl_->port; }
const fs::path& SshdFixture::root() const { return impl_->root; }
std::string SshdFixture::remote_base() const { return impl_->options.chroot ? std::string() : impl_->root.string(); }
std::string SshdFixture::user() const { return impl_->user; }
const fs::path& SshdFixture::client_key() const { return impl_->client_key; }
const fs::path& SshdFixture::host_key_pub() const { return impl_->host_key_pub; }
std::string SshdFixture::host_key_fingerprint() const { return impl_->fingerprint; }

files::SshEndpoint SshdFixture::endpoint() const {
    files::SshEndpoint ep;
    ep.host = "127.0.0.1";
    ep.port = impl_->port;
    ep.auth.user = impl_->user;
    ep.auth.private_key_file = impl_->client_key.string();
    ep.host_key.fingerprints = {impl_->fingerprint};
    // Loopback: anything slower than this is a broken peer, and fault tests stay quick.
    ep.connect_timeout = std::chrono::seconds(5);
    ep.io_timeout = std::chrono::seconds(5);
    return ep;
}

files::SshEndpoint SshdFixture::password_endpoint() const {
    if (impl_->options.password.empty()) throw std::logic_error("SshdFixture: no password set");
    files::SshEndpoint ep = endpoint();
    ep.auth.private_key_file.clear();
    ep.auth.password = impl_->options.password;
    return ep;
}

void SshdFixture::start() {
    auto& s = *impl_;
    if (s.process && s.process->running()) return;
    // The same port as before: clients configured with it must find the server again.
    for (int attempt = 0; attempt < port_attempts; ++attempt) {
        if (s.launch()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // old socket may linger
    }
    throw std::runtime_error("sshd did not restart; log:\n" + log_text());
}

void SshdFixture::stop() {
    auto& s = *impl_;
    s.signal_sessions(SIGTERM);
    if (s.process) s.process->stop();  // SIGCONT + SIGTERM, then SIGKILL after a grace
    s.process.reset();
}

void SshdFixture::kill() {
    auto& s = *impl_;
    s.signal_sessions(SIGKILL);
    if (s.process) s.process->kill();
    s.process.reset();
}

void SshdFixture::freeze() {
    auto& s = *impl_;
    if (!s.process || !s.process->running()) return;
    s.signal_sessions(SIGSTOP);  // stops the listener first, then every session
}

void SshdFixture::thaw() {
    auto& s = *impl_;
    if (!s.process || !s.process->running()) return;
    for (pid_t pid : descendants_of(s.process->pid())) ::kill(pid, SIGCONT);
    s.process->signal(SIGCONT);
}

bool SshdFixture::running() const { return impl_->process && impl_->process->running(); }

std::string SshdFixture::log_text() const { return read_text_file(impl_->log_file); }

}  // namespace gridgate::testing
