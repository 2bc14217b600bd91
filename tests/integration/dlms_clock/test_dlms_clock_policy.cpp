// DlmsMeter against metersim (a real DLMS/COSEM server process on 127.0.0.1, its meter
// clock 3 s fast and gaining 200 ppm): every check and set through the MeterClockPolicy,
// audited as meter_time_check / meter_time_set.
#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "dlms_meter.hpp"
#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/ports.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"
#include "gridgate/transport/tcp_byte_channel.hpp"

using namespace gridgate;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct RecordedEvents final : EventSink {
    void record_event(std::string_view kind, std::string_view detail_json) override {
        std::lock_guard lock(mutex);
        events.emplace_back(std::string(kind), nlohmann::json::parse(detail_json));
    }
    std::vector<nlohmann::json> of(const std::string& kind) const {
        std::lock_guard lock(mutex);
        std::vector<nlohmann::json> out;
        for (const auto& [k, d] : events)
            if (k == kind) out.push_back(d);
        return out;
    }
    mutable std::mutex mutex;
    std::vector<std::pair<std::string, nlohmann::json>> events;
};

struct NullSink final : DurableSink {
    void submit(std::vector<Reading>) override {}
    void submit_durable(std::vector<Reading>, std::function<void(bool)> done) override { done(true); }
};

// metersim with one DLMS meter on the TCP wrapper, and the glue's line to it.
struct Rig {
    Rig() : port(testing::free_loopback_port()) {
        const std::string bin = std::string(std::getenv("GG_BIN_DIR")) + "/metersim";
        sim = std::make_unique<testing::ChildProcess>(
            std::vector<std::string>{bin, "--meters", "0", "--dlms-meters", "1", "--dlms-base-port",
                                     std::to_string(port), "--dlms-clock-offset", "3s", "--dlms-clock-drift", "200"},
            dir.path() / "metersim.log");
        REQUIRE(testing::wait_until([&] { return port_open(); }, 10s));
        transport::TcpChannelOptions tcp;
        tcp.port = port;
        line = std::make_unique<transport::OwnedLine>(
            io.get_executor(),
            [this, tcp](const asio::any_io_executor& strand) {
                return std::make_unique<transport::TcpByteChannel>(strand, tcp, logger);
            },
            transport::OwnedLineOptions{}, logger);
        thread = std::thread([this] { io.run(); });
    }
    ~Rig() {
        meter.reset();
        work.reset();
        io.stop();
        if (thread.joinable()) thread.join();
        line.reset();
        sim->stop();
    }
    bool port_open() {
        asio::io_context probe;
        asio::ip::tcp::socket s(probe);
        boost::system::error_code ec;
        s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
        return !ec;
    }
    void start(meterclock::GatewayTimeQuality quality, bool set, Duration tolerance) {
        gateway::MeterConfig m;
        m.id = "dlms1";
        m.protocol = "dlms";
        m.connection = "dlms1";
        m.dlms.client = 1;
        m.dlms.authentication = "low";
        m.dlms.password = "ClientId1";
        m.dlms.register_period = Duration{0};
        m.dlms.identity_period = Duration{0};
        m.clock.check_period = std::chrono::minutes(15);
        m.clock.tolerance = tolerance;
        m.clock.set = set;
        m.clock.guard = Duration{0};  // a set due now, whenever the test runs
        m.clock.protocols = {meterclock::ClockProtocol::dlms};
        meter = std::make_unique<gateway::DlmsMeter>(*line, clock, m, false,
                                                     std::map<std::string, std::optional<TimestampUs>>{}, sink, events,
                                                     nullptr, logger, [quality] { return quality; });
        meter->start();
    }

    testing::TempDir dir;
    std::uint16_t port;
    std::unique_ptr<testing::ChildProcess> sim;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    testing::RecordingLogger logger{LogLevel::warn, false};
    SystemClock clock;
    std::unique_ptr<transport::OwnedLine> line;
    std::thread thread;
    RecordedEvents events;
    NullSink sink;
    std::unique_ptr<gateway::DlmsMeter> meter;
};

}  // namespace

TEST_CASE("beyond tolerance with a synced gateway: measured, set, audited", "[integration][dlms][clock]") {
    Rig rig;
    rig.start(meterclock::GatewayTimeQuality::synced, true, 500ms);
    REQUIRE(testing::wait_until([&] { return !rig.events.of("meter_time_set").empty(); }, 10s));
    const auto check = rig.events.of("meter_time_check").at(0);
    CHECK(check["meter"] == "dlms1");
    CHECK(check["protocol"] == "dlms");
    CHECK(check["action"] == "set");
    CHECK(check["reason"] == "out_of_tolerance");
    CHECK(check["gateway_time_quality"] == "synced");
    const double before = check["offset_before_ms"];
    CHECK(before == Approx(3000).margin(100));  // 3 s fast, corrected for the round trip
    CHECK(check["uncertainty_ms"].get<double>() < 100);
    const auto set = rig.events.of("meter_time_set").at(0);
    CHECK(set["result"] == "ok");
    CHECK(std::abs(set["offset_after_ms"].get<double>()) < 100);
    const auto status = rig.meter->status_json();
    CHECK(status["time_sets"] == 1);
    CHECK(status["clock"]["last_set_result"] == "ok");
    CHECK_FALSE(status["clock"]["next_check"].is_null());
    // A check on request now finds the clock within tolerance: no second set.
    rig.meter->request_clock_set(false);
    REQUIRE(testing::wait_until([&] { return rig.events.of("meter_time_check").size() == 2; }, 10s));
    CHECK(rig.events.of("meter_time_check").at(1)["reason"] == "within_tolerance");
    CHECK(rig.events.of("meter_time_set").size() == 1);
}

TEST_CASE("within tolerance: checked, never set", "[integration][dlms][clock]") {
    Rig rig;
    rig.start(meterclock::GatewayTimeQuality::synced, true, 10s);
    REQUIRE(testing::wait_until([&] { return !rig.events.of("meter_time_check").empty(); }, 10s));
    CHECK(rig.events.of("meter_time_check").at(0)["action"] == "none");
    std::this_thread::sleep_for(200ms);
    CHECK(rig.events.of("meter_time_set").empty());
}

TEST_CASE("an unsynced gateway never sets, even when forced", "[integration][dlms][clock]") {
    Rig rig;
    rig.start(meterclock::GatewayTimeQuality::unsynced, true, 500ms);
    REQUIRE(testing::wait_until([&] { return !rig.events.of("meter_time_check").empty(); }, 10s));
    CHECK(rig.events.of("meter_time_check").at(0)["reason"] == "gateway_unsynced");
    rig.meter->request_clock_set(true);
    REQUIRE(testing::wait_until([&] { return rig.events.of("meter_time_check").size() == 2; }, 10s));
    CHECK(rig.events.of("meter_time_check").at(1)["reason"] == "gateway_unsynced");
    CHECK(rig.events.of("meter_time_set").empty());
    CHECK(rig.meter->status_json()["time_sets"] == 0);
}
