#include "receiver_fixture.hpp"

#include <sys/wait.h>

#include <chrono>
#include <random>

#include "gridgate/testing/child_process.hpp"

namespace gridgate::notify::testing {
using namespace std::chrono_literals;

AlarmReply RecordingHandler::handle(const AlarmDelivery& delivery) {
    std::lock_guard lock(mutex_);
    deliveries_.push_back(delivery);
    return reply_;
}

std::vector<AlarmDelivery> RecordingHandler::deliveries() const {
    std::lock_guard lock(mutex_);
    return deliveries_;
}

std::size_t RecordingHandler::count() const {
    std::lock_guard lock(mutex_);
    return deliveries_.size();
}

void RecordingHandler::reply_with(AlarmReply reply) {
    std::lock_guard lock(mutex_);
    reply_ = std::move(reply);
}

AlarmReceiverOptions ReceiverFixture::default_options() {
    AlarmReceiverOptions o;
    o.port = 0;
    o.path = "/alarms";
    o.request_timeout = 10s;
    o.idle_timeout = 5s;
    return o;
}

ReceiverFixture::ReceiverFixture(AlarmReceiverOptions opts) : pki(gridgate::testing::make_test_pki(dir.path())), options(std::move(opts)) {
    if (options.cert_file.empty()) options.cert_file = pki.server_cert.string();
    if (options.key_file.empty()) options.key_file = pki.server_key.string();
    receiver.emplace(options, handler, logger);
    receiver->start();
}

std::string ReceiverFixture::url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(receiver->port()) + std::string(path);
}

std::filesystem::path ReceiverFixture::write_file(std::string_view name, std::string_view bytes) const {
    return dir.write(name, bytes);
}

CurlResult ReceiverFixture::curl(const std::vector<std::string>& extra, std::string_view path) {
    const std::string n = std::to_string(++calls_);
    const auto body_file = dir.file("curl-" + n + ".body");
    const auto code_file = dir.file("curl-" + n + ".code");
    const auto trace_file = dir.file("curl-" + n + ".trace");
    std::vector<std::string> argv{"curl", "-sS", "-v", "--max-time", "20", "--cacert", pki.ca_cert.string(),
                                  "-o", body_file.string(), "-w", "%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url(path));

    CurlResult result;
    gridgate::testing::ChildProcess child(argv, code_file, trace_file);
    if (const auto status = child.wait(30s); status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
    else child.kill();
    const auto code = gridgate::testing::read_text_file(code_file);
    result.http_status = code.empty() ? 0 : std::stoi(code);
    result.body = gridgate::testing::read_text_file(body_file);
    result.trace = gridgate::testing::read_text_file(trace_file);
    return result;
}

std::string binary_file_bytes(std::size_t n) {
    std::string out;
    out.reserve(n);
    std::mt19937 random(1159);
    const std::string tricky[] = {"\r\n", "\r\n--", "\r\n------------------------", "--\r\n\r\n", "\r\n\r\n", "\n\r"};
    while (out.size() < n) {
        for (int i = 0; i < 256 && out.size() < n; ++i) out.push_back(static_cast<char>(i));
        out += tricky[random() % std::size(tricky)];
        for (int i = 0; i < 200; ++i) out.push_back(static_cast<char>(random() & 0xff));
    }
    out.resize(n);
    return out;
}

}  // namespace gridgate::notify::testing
