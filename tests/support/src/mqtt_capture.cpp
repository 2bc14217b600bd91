#include "gridgate/testing/mqtt_capture.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <stdexcept>

#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

namespace gridgate::testing {

namespace {

std::string unique_suffix() {
    static std::atomic<unsigned> counter{0};
    return std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

}  // namespace

MqttCapture::MqttCapture(const std::filesystem::path& dir, std::uint16_t port, std::vector<std::string> topic_filters,
                         MqttCaptureOptions options)
    : port_(port), extra_args_(std::move(options.extra_args)) {
    const std::string suffix = unique_suffix();
    output_file_ = dir / ("capture-" + suffix + ".out");
    log_file_ = dir / ("capture-" + suffix + ".log");
    probe_topic_ = "gg-test-probe/" + suffix;
    std::ofstream(output_file_).flush();  // exists even before the first message

    const std::string client_id = options.client_id.empty() ? "gg-capture-" + suffix : options.client_id;
    std::vector<std::string> argv{"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(port), "-q", "1",
                                  "-i", client_id, "-F", "%r\t%t\t%p"};
    if (options.persistent_session) argv.emplace_back("-c");
    for (const auto& filter : topic_filters) {
        argv.emplace_back("-t");
        argv.push_back(filter);
    }
    argv.emplace_back("-t");
    argv.push_back(probe_topic_);
    for (const auto& arg : extra_args_) argv.push_back(arg);
    // Messages go to their own file, one "retained<TAB>topic<TAB>payload" line each;
    // mosquitto_sub's complaints go to the log.
    process_ = std::make_unique<ChildProcess>(std::move(argv), output_file_, log_file_);
}

MqttCapture::~MqttCapture() { stop(); }

void MqttCapture::stop() {
    if (process_) process_->stop();
}

void MqttCapture::wait_ready(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<std::string> argv{"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port_),
                                      "-q", "1", "-t", probe_topic_, "-m", "probe"};
        for (const auto& arg : extra_args_) argv.push_back(arg);
        run_command(argv, log_file_, std::chrono::seconds(5));
        if (wait_until([&] { read_new_lines(); return probe_seen_; }, std::chrono::milliseconds(500))) return;
    }
    throw std::runtime_error("mosquitto_sub did not become ready; log:\n" + log_text());
}

void MqttCapture::read_new_lines() {
    std::ifstream in(output_file_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(read_offset_));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    read_offset_ += chunk.size();
    pending_ += chunk;
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
        const std::string_view line(pending_.data() + start, nl - start);
        const auto tab1 = line.find('\t');
        const auto tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
        if (tab2 == std::string_view::npos) continue;  // not a message line
        MqttMessage msg;
        msg.retained = line.substr(0, tab1) == "1";
        msg.topic = std::string(line.substr(tab1 + 1, tab2 - tab1 - 1));
        msg.payload = std::string(line.substr(tab2 + 1));
        if (msg.topic == probe_topic_) probe_seen_ = true;
        else messages_.push_back(std::move(msg));
    }
    pending_.erase(0, start);
}

std::vector<MqttMessage> MqttCapture::messages() {
    read_new_lines();
    return messages_;
}

bool MqttCapture::wait_for(const std::function<bool(const std::vector<MqttMessage>&)>& predicate,
                           std::chrono::milliseconds timeout) {
    return wait_until(
        [&] {
            read_new_lines();
            return predicate(messages_);
        },
        timeout, std::chrono::milliseconds(20));
}

std::string MqttCapture::log_text() const { return read_text_file(log_file_); }

}  // namespace gridgate::testing
