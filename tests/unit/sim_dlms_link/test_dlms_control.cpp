// The `dlms ...` control commands on a fleet of in-process DLMS meters, the served-log line
// format and the DLMS command-line options.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "dlms_link_helpers.hpp"
#include "gridgate/dlms/apdu.hpp"
#include "gridgate/sim/control_commands.hpp"
#include "gridgate/sim/dlms_meter.hpp"
#include "gridgate/sim/sim_options.hpp"

using namespace gridgate;
using namespace gridgate::sim;
using namespace dlms_link_test;
using nlohmann::json;

namespace {

// 2026-06-10 12:00:00 UTC, on a 15-minute boundary.
constexpr TimestampUs start_us = 1'781'092'800'000'000;
constexpr std::int64_t minute_us = 60'000'000;

struct Fleet {
    TimestampUs now = start_us;
    MeterFleet modbus;
    DlmsFleet dlms;

    Fleet() {
        DlmsServerOptions tcp;
        tcp.id = "dlms1";
        tcp.history = std::chrono::hours(2);
        dlms.add(std::make_unique<DlmsMeter>(tcp, start_us, [this] { return now; })).set_port(4059);
        DlmsServerOptions serial = tcp;
        serial.id = "dlms100";
        DlmsMeter& m = dlms.add(std::make_unique<DlmsMeter>(serial, start_us, [this] { return now; }));
        m.attach_hdlc(DlmsHdlcOptions{}, "/dev/pts/9");
        dlms.add_line(DlmsLineInfo{"/dev/pts/9", LineSettings{9600}, {100}, {}});
    }

    std::string run(const std::string& line) {
        return run_control_command(line, modbus, nullptr, &dlms, Dnp3Now{std::chrono::steady_clock::now(), now});
    }
    json stats() { return json::parse(run("dlms stats")).at("dlms"); }
};

dlms::HdlcFrame from_client(const DlmsHdlcServer& server, dlms::HdlcControl control, std::vector<std::uint8_t> info) {
    return dlms::HdlcFrame{server.address(), dlms::HdlcAddress::client(16), control, false, std::move(info)};
}

}  // namespace

TEST_CASE("dlms stats names each meter's transport, link and counters", "[sim][dlms][control]") {
    Fleet f;
    const json all = json::parse(f.run("dlms stats"));
    const json& tcp = all.at("dlms").at("dlms1");
    CHECK(tcp.at("port") == 4059);
    CHECK(tcp.at("link") == "up");
    CHECK(tcp.at("clock_offset_ms") == 0);
    CHECK(tcp.at("associations") == 0);
    CHECK(tcp.contains("rejected_connections"));
    const json& serial = all.at("dlms").at("dlms100");
    CHECK(serial.at("bus") == "/dev/pts/9");
    CHECK(serial.at("physical_id") == 100);
    CHECK(serial.at("hdlc_connected") == false);
    CHECK(serial.contains("frames_rx"));
    REQUIRE(all.at("lines").size() == 1);
    CHECK(all.at("lines")[0].at("line") == "9600 8N1");
    CHECK(all.at("lines")[0].at("physical_ids") == json::array({100}));
    // Without DLMS meters: an empty object.
    MeterFleet none;
    CHECK(run_control_command("dlms stats", none, nullptr, nullptr, Dnp3Now{}) == "{\"dlms\":{}}");
}

TEST_CASE("dlms profile returns the recorded intervals, whole or by range", "[sim][dlms][control]") {
    Fleet f;
    f.now = start_us + 31 * minute_us;  // two more intervals end (12:15, 12:30)
    const json p = json::parse(f.run("dlms profile dlms1"));
    CHECK(p.at("meter") == "dlms1");
    REQUIRE_FALSE(p.at("channels").empty());
    const json& entries = p.at("entries");
    REQUIRE(entries.size() >= 8 + 2);
    const std::int64_t last = entries.back().at("end_ms");
    CHECK(last == (start_us + 30 * minute_us) / 1000);
    for (std::size_t i = 1; i < entries.size(); ++i)
        CHECK(entries[i].at("end_ms").get<std::int64_t>() - entries[i - 1].at("end_ms").get<std::int64_t>() ==
              15 * 60'000);
    CHECK(entries.back().at("values").size() == p.at("channels").size());

    const std::string from = std::to_string((start_us - 30 * minute_us) / 1000);
    const std::string to = std::to_string(start_us / 1000);
    const json range = json::parse(f.run("dlms profile dlms1 " + from + " " + to));
    REQUIRE(range.at("entries").size() == 3);
    CHECK(range.at("entries")[0].at("end_ms") == (start_us - 30 * minute_us) / 1000);

    CHECK(f.run("dlms profile dlms1 5").starts_with("error: usage: dlms profile"));
    CHECK(f.run("dlms profile dlms1 9 1").starts_with("error: usage: dlms profile"));
    CHECK(f.run("dlms profile nobody") == "error: unknown DLMS meter 'nobody'");
}

TEST_CASE("dlms clock sets the offset against the system clock", "[sim][dlms][control]") {
    Fleet f;
    CHECK(f.run("dlms clock dlms1 -5s") == "ok");
    CHECK(f.stats().at("dlms1").at("clock_offset_ms") == -5000);
    CHECK(f.run("dlms clock dlms1 +2m") == "ok");
    CHECK(f.stats().at("dlms1").at("clock_offset_ms") == 120000);
    CHECK(f.run("dlms clock dlms1 0") == "ok");
    CHECK(f.stats().at("dlms1").at("clock_offset_ms") == 0);
    CHECK(f.run("dlms clock dlms1 soon").starts_with("error: usage: dlms clock"));
}

TEST_CASE("dlms status and outage mark the next interval", "[sim][dlms][control]") {
    Fleet f;
    CHECK(f.run("dlms status dlms1 0x20") == "ok");
    f.now = start_us + 15 * minute_us;
    const json p = json::parse(f.run("dlms profile dlms1"));
    CHECK((p.at("entries").back().at("status").get<std::uint32_t>() & 0x20) != 0);
    CHECK(f.run("dlms status dlms1 many").starts_with("error: usage: dlms status"));

    CHECK(f.run("dlms outage dlms1 30m") == "ok");
    f.now = start_us + 60 * minute_us;
    const json after = json::parse(f.run("dlms profile dlms1"));
    // The first interval after the outage is recorded.
    const std::int64_t last = after.at("entries").back().at("end_ms");
    CHECK(last == (start_us + 60 * minute_us) / 1000);
    for (const json& e : after.at("entries"))  // 12:30 ended inside the outage
        CHECK(e.at("end_ms").get<std::int64_t>() != (start_us + 30 * minute_us) / 1000);
    CHECK(f.run("dlms outage dlms1 0").starts_with("error: usage: dlms outage"));
}

TEST_CASE("dlms link down drops the HDLC connection and silences the meter until up", "[sim][dlms][control]") {
    Fleet f;
    DlmsMeter& m = *f.dlms.find("dlms100");
    DlmsHdlcServer& hdlc = *m.hdlc();
    int told_down = 0;
    m.add_link_listener([&](bool up) { told_down += up ? 0 : 1; });
    REQUIRE(hdlc.on_frame(from_client(hdlc, {dlms::FrameType::snrm, 0, 0, true}, {}), {}).size() == 1);
    // Associate on the HDLC connection: the COSEM server counts it.
    std::vector<std::uint8_t> aarq;
    for (const std::uint8_t b : dlms::llc_request) aarq.push_back(b);
    for (const std::uint8_t b : dlms::encode_aarq(dlms::Aarq{})) aarq.push_back(b);
    const auto out = hdlc.on_frame(from_client(hdlc, {dlms::FrameType::i, 0, 0, true}, aarq), {});
    REQUIRE(out.size() == 1);
    const auto aare = dlms::decode_aare(std::span(out[0].info).subspan(3));
    REQUIRE(aare);
    CHECK(aare.value->result == dlms::AssociationResult::accepted);
    CHECK(f.stats().at("dlms100").at("associations") == 1);
    CHECK(f.stats().at("dlms100").at("hdlc_connected") == true);

    CHECK(f.run("dlms link dlms100 down") == "ok");
    CHECK_FALSE(m.link_up());
    CHECK_FALSE(hdlc.connected());
    CHECK(told_down == 1);
    CHECK(f.stats().at("dlms100").at("link") == "down");
    CHECK(f.run("dlms link dlms100 down") == "ok");
    CHECK(told_down == 1);  // no change, no news
    CHECK(f.run("dlms link dlms100 up") == "ok");
    CHECK(m.link_up());
    CHECK(f.run("dlms link dlms100 sideways") == "error: usage: dlms link <meter> down|up");
    CHECK(f.run("dlms").starts_with("error: usage: dlms"));
    CHECK(f.run("dlms reboot dlms1").starts_with("error: usage: dlms"));
}

TEST_CASE("Served-log lines of the COSEM server's events", "[sim][dlms][control]") {
    CHECK(dlms_served_line(1'795'233'634'091'773, "dlms_time_set", R"({"meter":"dlms1","step_ms":5000})") ==
          "{\"t\":1795233634091773,\"event\":\"dlms_time_set\",\"meter\":\"dlms1\",\"step_ms\":5000}\n");
    CHECK(dlms_served_line(1, "dlms_associated", "{}") == "{\"t\":1,\"event\":\"dlms_associated\"}\n");
}

namespace {
CommandLine parse(std::vector<const char*> args) {
    args.insert(args.begin(), "metersim");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("DLMS command-line options and their defaults", "[sim][dlms][cli]") {
    const CommandLine plain = parse({});
    REQUIRE(plain.outcome == CommandLine::Outcome::run);
    CHECK(plain.options.dlms_meters == 0);
    CHECK(plain.options.dlms_base_port == 4059);
    CHECK_FALSE(plain.options.dlms_enabled());

    const CommandLine cli = parse({"--dlms-meters", "2", "--dlms-base-port", "0", "--dlms-serial-pty",
                                   "--dlms-physical-ids", "100-101,200", "--dlms-capture-period", "2s",
                                   "--dlms-history", "1h", "--dlms-hdlc-info", "64", "--dlms-hdlc-window", "2",
                                   "--dlms-inactivity-timeout", "0", "--dlms-hdlc-inactivity", "5s",
                                   "--dlms-clock-offset", "-5s", "--dlms-utc-offset", "60", "--dlms-dst", "eu",
                                   "--dlms-deviation", "iso", "--dlms-password1", "secret", "--dlms-max-pdu", "1024",
                                   "--baud", "9600"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    const SimOptions& o = cli.options;
    CHECK(o.meters == 0);  // DLMS alone: no Modbus TCP meter
    CHECK(o.dlms_meter_id(1) == "dlms2");
    CHECK(o.dlms_serial_meter_id(200) == "dlms200");
    CHECK(o.dlms_physical_ids == std::vector<std::uint16_t>{100, 101, 200});
    CHECK(o.dlms.capture_period == std::chrono::seconds(2));
    CHECK(o.dlms.history == std::chrono::hours(1));
    CHECK(o.dlms_hdlc.parameters == dlms::HdlcParameters{64, 64, 2, 2});
    CHECK(o.dlms_tcp_inactivity == Duration::zero());
    CHECK(o.dlms_hdlc.inactivity_timeout == std::chrono::seconds(5));
    CHECK(o.dlms.clock_offset == std::chrono::seconds(-5));
    CHECK(o.dlms.zone.utc_offset_min == 60);
    CHECK(o.dlms.zone.dst == dlms::DstRule::eu);
    CHECK(o.dlms.deviation == DlmsServerOptions::DeviationMode::iso);
    CHECK(o.dlms.password1 == "secret");
    CHECK(o.dlms.password2 == "ClientId2");
    CHECK(o.dlms.max_pdu == 1024);
    CHECK(o.rtu.line.baud == 9600);

    for (const auto& bad : std::vector<std::vector<const char*>>{
             {"--dlms-physical-ids", "100"},                       // no serial line
             {"--dlms-serial-pty", "--dlms-physical-ids", "15"},   // below 16
             {"--dlms-serial-pty", "--dlms-serial", "/dev/ttyS0"},  // one line
             {"--dlms-meters", "1", "--dlms-capture-period", "500ms"},
             {"--dlms-meters", "1", "--dlms-hdlc-info", "3000"},
             {"--dlms-meters", "1", "--dlms-hdlc-window", "8"},
             {"--dlms-meters", "1", "--dlms-dst", "mars"},
             {"--dlms-meters", "1", "--dlms-deviation", "sideways"},
             {"--dlms-meters", "2", "--dlms-base-port", "65535"},
             {"--dlms-meters", "1", "--dlms-id-prefix", "jem", "--meters", "1"},  // jem1 twice
             {"--rtu", "/dev/x", "--dlms-serial", "/dev/x"},  // a line of its own
         }) {
        INFO(bad.front());
        CHECK(parse(bad).outcome == CommandLine::Outcome::error);
    }
}
