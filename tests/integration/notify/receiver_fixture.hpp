#pragma once
// A running HttpsAlarmReceiver on a free loopback port with throwaway certificates, a
// handler that records every delivery, and curl as the meter.
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/notify/alarm_receiver.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/test_pki.hpp"

namespace gridgate::notify::testing {

class RecordingHandler final : public AlarmHandler {
public:
    AlarmReply handle(const AlarmDelivery& delivery) override;
    std::vector<AlarmDelivery> deliveries() const;
    std::size_t count() const;
    void reply_with(AlarmReply reply);

private:
    mutable std::mutex mutex_;
    std::vector<AlarmDelivery> deliveries_;
    AlarmReply reply_;
};

struct CurlResult {
    int exit_code = -1;   // curl's own (0 = transfer done), -1 when killed
    int http_status = 0;  // 0 when no response
    std::string body;     // the response body
    std::string trace;    // curl -v output (the request and response heads)
};

class ReceiverFixture {
public:
    // options.cert_file/key_file default to the fixture's server certificate; port 0.
    explicit ReceiverFixture(AlarmReceiverOptions options = {});
    static AlarmReceiverOptions default_options();

    std::string url(std::string_view path = "/alarms") const;
    // curl -sS -v --cacert <ca> <extra...> <url>, from the calling (main) thread.
    CurlResult curl(const std::vector<std::string>& extra, std::string_view path = "/alarms");
    std::filesystem::path write_file(std::string_view name, std::string_view bytes) const;

    gridgate::testing::TempDir dir{"gg-notify"};
    gridgate::testing::TestPki pki;
    gridgate::testing::RecordingLogger logger{LogLevel::info, true};
    RecordingHandler handler;
    AlarmReceiverOptions options;
    std::optional<HttpsAlarmReceiver> receiver;

private:
    int calls_ = 0;
};

// n bytes that look like a binary file: every octet value, CR/LF runs and lines that
// resemble multipart delimiters.
std::string binary_file_bytes(std::size_t n);

}  // namespace gridgate::notify::testing
