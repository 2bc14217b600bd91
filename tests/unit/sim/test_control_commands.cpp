#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/sim/control_commands.hpp"
#include "gridgate/sim/served_log_format.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using sim_test::at_seconds;
using sim_test::pdu;
using sim_test::t0;

namespace {
MeterFleet two_meters() {
    MeterFleet fleet;
    for (const char* id : {"jem1", "jem2"})
        fleet.add(std::make_unique<SimulatedMeter>(id, 1, MeterModel(MapLayout{}, 1, t0), HandlerOptions{}, 1));
    return fleet;
}
}  // namespace

TEST_CASE("control: fault commands set a meter's fault", "[sim][control]") {
    MeterFleet fleet = two_meters();
    CHECK(run_control_command("fault jem2 slow 500ms", fleet, t0) == "ok");
    CHECK(fleet.find("jem2")->fault() == Fault{FaultKind::slow, std::chrono::milliseconds(500), 0});
    CHECK(fleet.find("jem1")->fault().kind == FaultKind::none);
    CHECK(run_control_command("fault jem1 exception 4\r", fleet, t0) == "ok");
    CHECK(fleet.find("jem1")->fault().exception_code == 4);
    CHECK(run_control_command("fault jem1 none", fleet, t0) == "ok");
    CHECK(fleet.find("jem1")->fault().kind == FaultKind::none);

    CHECK(run_control_command("fault jem9 off", fleet, t0) == "error: unknown meter 'jem9'");
    CHECK(run_control_command("fault jem1 slow", fleet, t0) == "error: slow needs a duration such as 500ms or 2s");
    CHECK(run_control_command("fault jem1", fleet, t0).starts_with("error: usage: fault"));
    CHECK(run_control_command("", fleet, t0).starts_with("error: empty command"));
    CHECK(run_control_command("reboot", fleet, t0).starts_with("error: unknown command 'reboot'"));
}

TEST_CASE("control: freeze stops and restarts a meter's model time", "[sim][control]") {
    MeterFleet fleet = two_meters();
    MeterModel& model = fleet.find("jem1")->model();
    CHECK(run_control_command("freeze jem1 on", fleet, at_seconds(10)) == "ok");
    CHECK(model.frozen());
    model.advance_to(at_seconds(100));
    CHECK(model.model_time_us() == 10'000'000);
    CHECK(run_control_command("freeze jem1 off", fleet, at_seconds(100)) == "ok");
    model.advance_to(at_seconds(105));
    CHECK(model.model_time_us() == 15'000'000);
    CHECK(run_control_command("freeze jem1 maybe", fleet, t0) == "error: usage: freeze <meter> on|off");
    CHECK(run_control_command("freeze jem7 on", fleet, t0) == "error: unknown meter 'jem7'");
}

TEST_CASE("control: stats is one JSON line with per-meter counts", "[sim][control]") {
    MeterFleet fleet = two_meters();
    fleet.find("jem2")->set_port(5021);
    fleet.find("jem2")->on_request(1, pdu(0x03, 0, 2), t0);
    fleet.find("jem2")->on_request(1, pdu(0x03, 1, 2), t0);
    fleet.find("jem2")->on_request(3, pdu(0x03, 0, 2), t0);
    fleet.find("jem1")->set_fault({FaultKind::off});

    const std::string line = run_control_command("stats", fleet, t0);
    CHECK(line.find('\n') == std::string::npos);
    const auto json = nlohmann::json::parse(line);
    const auto& jem2 = json.at("meters").at("jem2");
    CHECK(jem2.at("port") == 5021);
    CHECK(jem2.at("requests") == 3);
    CHECK(jem2.at("answered") == 2);
    CHECK(jem2.at("exceptions") == 1);
    CHECK(jem2.at("ignored_unit") == 1);
    CHECK(jem2.at("fault") == "none");
    CHECK(json.at("meters").at("jem1").at("fault") == "off");
    CHECK(json.at("meters").at("jem1").at("requests") == 0);
}

TEST_CASE("control: stats reports RTU slaves by bus and address, and the bus", "[sim][control][rtu]") {
    MeterFleet fleet = two_meters();
    BusInfo& bus = fleet.add_bus(BusInfo{"/dev/pts/7", LineSettings{9600, 8, Parity::even, 1}, {3}, {}});
    SimulatedMeter& slave =
        fleet.add(std::make_unique<SimulatedMeter>("jem3", 3, MeterModel(MapLayout{}, 3, t0), HandlerOptions{}, 3));
    slave.set_bus(bus.device);
    slave.set_fault({FaultKind::wrong_address});
    bus.stats.frames = 12;
    bus.stats.other_address = 2;
    bus.stats.tx_late_max_us = 140;

    CHECK(run_control_command("fault jem3 crc", fleet, t0) == "ok");
    CHECK(run_control_command("fault jem3 late 3s", fleet, t0) == "ok");
    CHECK(slave.fault() == Fault{FaultKind::slow, std::chrono::seconds(3), 0});
    CHECK(run_control_command("fault jem3 noise", fleet, t0) == "ok");
    const auto json = nlohmann::json::parse(run_control_command("stats", fleet, t0));
    const auto& jem3 = json.at("meters").at("jem3");
    CHECK(jem3.at("bus") == "/dev/pts/7");
    CHECK(jem3.at("address") == 3);
    CHECK_FALSE(jem3.contains("port"));
    CHECK(jem3.at("fault") == "noise");
    CHECK(json.at("meters").at("jem1").contains("port"));
    const auto& b = json.at("buses").at(0);
    CHECK(b.at("device") == "/dev/pts/7");
    CHECK(b.at("line") == "9600 8E1");
    CHECK(b.at("slaves") == nlohmann::json::array({3}));
    CHECK(b.at("frames") == 12);
    CHECK(b.at("other_address") == 2);
    CHECK(b.at("tx_late_max_us") == 140);
    CHECK(run_control_command("help", fleet, t0).find("wrong-address") != std::string::npos);
    CHECK_FALSE(nlohmann::json::parse(stats_json(two_meters())).contains("buses"));
}

TEST_CASE("served log lines carry time meter unit request and values", "[sim][served-log]") {
    std::string out;
    append_served_line(out, 1'700'000'000'123'456, "jem1", 1, ServedRead{3, 0, 4, {1, 2, 65535, 0}});
    CHECK(out ==
          "{\"t\":1700000000123456,\"meter\":\"jem1\",\"unit\":1,\"fc\":3,\"addr\":0,\"count\":4,"
          "\"values\":[1,2,65535,0]}\n");
    out.clear();
    append_served_line(out, 5, "odd\"id", 255, ServedRead{2, 7, 2, {1, 0}});
    const auto json = nlohmann::json::parse(out);
    CHECK(json.at("meter") == "odd\"id");
    CHECK(json.at("values") == nlohmann::json::array({1, 0}));
}
