#include <catch2/catch.hpp>

#include <stdexcept>

#include "gridgate/northbound/sftp_forwarder.hpp"

using namespace gridgate;
using namespace gridgate::northbound;

namespace {

// Nothing is read: the constructor only checks options and never connects.
class NoFiles final : public FileOutbox {
public:
    std::optional<SpooledFile> next_undelivered(std::string_view, std::uint64_t) override { return std::nullopt; }
    void mark_delivered(std::string_view, std::uint64_t, std::string_view, std::string_view) override {}
};

SftpSinkOptions usable() {
    SftpSinkOptions o;
    o.sink_name = "sftp.headend";
    o.gateway_id = "gw-17";
    o.endpoint.host = "127.0.0.1";
    return o;
}

void check_rejected(const SftpSinkOptions& o, const std::string& mentions) {
    NoFiles box;
    SystemClock clock;
    CHECK_THROWS_WITH(SftpForwarder(o, box, clock, null_logger()), Catch::Contains(mentions));
}

}  // namespace

TEST_CASE("usable options construct a forwarder that has not connected", "[sftp][options]") {
    NoFiles box;
    SystemClock clock;
    SftpForwarder forwarder(usable(), box, clock, null_logger());
    const SftpSinkStats s = forwarder.stats();
    CHECK_FALSE(s.connected);
    CHECK(s.connects == 0);
    CHECK(s.files_delivered == 0);
}

TEST_CASE("unusable options are refused with what is wrong", "[sftp][options]") {
    SftpSinkOptions o = usable();
    o.sink_name = "";
    check_rejected(o, "sink name");
    o = usable();
    o.gateway_id = "";
    check_rejected(o, "gateway id");
    o.gateway_id = "a/b";
    check_rejected(o, "gateway id");
    o.gateway_id = "..";
    check_rejected(o, "gateway id");
    o = usable();
    o.endpoint.host = "";
    check_rejected(o, "host");
    o = usable();
    o.max_bytes_per_s = -1;
    check_rejected(o, "bandwidth");
    o = usable();
    o.retry_min = std::chrono::seconds(5);
    o.retry_max = std::chrono::seconds(1);
    check_rejected(o, "retry");
    o = usable();
    o.windows = {{600, 600}};
    check_rejected(o, "empty");
    o.windows = {{0, 1441}};
    check_rejected(o, "1..1440");
}
