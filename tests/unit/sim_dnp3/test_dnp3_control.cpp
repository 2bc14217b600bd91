// The `dnp3 ...` control commands, `fault` / `freeze` on DNP3 meters, and the DNP3
// command-line options.
#include <nlohmann/json.hpp>

#include "dnp3_harness.hpp"
#include "gridgate/sim/control_commands.hpp"
#include "gridgate/sim/sim_options.hpp"

using namespace dnp3_test;

namespace {

struct Fleets {
    Fleets() {
        modbus.add(std::make_unique<SimulatedMeter>("jem1", 1, MeterModel(MapLayout{}, 1, t0), HandlerOptions{}, 1));
        dnp3.add(std::make_unique<Dnp3Outstation>("dnp1", MeterModel(MapLayout{}, 2, t0), Dnp3Options{}, now, 3));
    }
    std::string run(std::string_view line) { return run_control_command(line, modbus, &dnp3, now); }

    Dnp3Now now{t0, utc0};
    MeterFleet modbus;
    Dnp3Fleet dnp3;
};

CommandLine parse(std::vector<const char*> args) {
    args.insert(args.begin(), "metersim");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

std::string error(std::vector<const char*> args) {
    const CommandLine cli = parse(std::move(args));
    CHECK(cli.outcome == CommandLine::Outcome::error);
    return cli.text;
}

}  // namespace

TEST_CASE("dnp3 control: freeze, drop-confirms, restart, clock and stats", "[sim][dnp3][control]") {
    Fleets f;
    Dnp3Outstation& o = *f.dnp3.find("dnp1");
    CHECK(f.run("dnp3 freeze dnp1") == "ok");
    CHECK(o.events_pending() == 4);
    CHECK(f.run("dnp3 drop-confirms dnp1 on") == "ok");
    CHECK(o.drop_confirms());
    CHECK(f.run("dnp3 drop-confirms dnp1 maybe") == "error: usage: dnp3 drop-confirms <meter> on|off");
    CHECK(f.run("dnp3 restart dnp1") == "ok");
    CHECK(o.stats().restarts == 1);
    CHECK(f.run("dnp3 clock dnp1 -5s") == "ok");
    CHECK(o.meter_time_ms(utc0) == static_cast<std::uint64_t>(utc0 / 1000 - 5000));
    CHECK(f.run("dnp3 clock dnp1 +2m") == "ok");
    CHECK(o.meter_time_ms(utc0) == static_cast<std::uint64_t>(utc0 / 1000 + 120'000));
    CHECK(f.run("dnp3 clock dnp1 0") == "ok");
    CHECK(f.run("dnp3 clock dnp1 soon").starts_with("error: usage: dnp3 clock"));
    CHECK(f.run("dnp3 clock dnp1 -3s") == "ok");

    const auto stats = nlohmann::json::parse(f.run("dnp3 stats"));
    const auto& s = stats.at("dnp3").at("dnp1");
    CHECK(s.at("address") == 1);
    CHECK(s.at("events_generated") == 4);
    CHECK(s.at("events_pending") == 4);
    CHECK(s.at("freezes") == 1);
    CHECK(s.at("restarts") == 1);
    CHECK(s.at("clock_offset_ms") == -3000);
    CHECK(s.at("drop_confirms") == true);
    CHECK(s.at("fault") == "none");
    CHECK(s.at("iin") == "CLASS1_EVENTS|NEED_TIME|DEVICE_RESTART");

    CHECK(f.run("dnp3 freeze jem1") == "error: unknown DNP3 meter 'jem1'");
    CHECK(f.run("dnp3").starts_with("error: usage: dnp3"));
    CHECK(f.run("dnp3 reboot dnp1").starts_with("error: usage: dnp3"));
    CHECK(run_control_command("dnp3 stats", f.modbus, t0) == "{\"dnp3\":{}}");
    CHECK(f.run("help").find("dnp3 freeze") != std::string::npos);
}

TEST_CASE("dnp3 control: fault and freeze apply to DNP3 meters too", "[sim][dnp3][control]") {
    Fleets f;
    Dnp3Outstation& o = *f.dnp3.find("dnp1");
    CHECK(f.run("fault dnp1 off") == "ok");
    CHECK(o.fault().kind == FaultKind::off);
    CHECK(f.run("fault dnp1 slow 2s") == "ok");
    CHECK(o.fault() == Fault{FaultKind::slow, std::chrono::seconds(2), 0});
    CHECK(f.run("fault dnp1 exception 4") == "error: fault 'exception 4' is Modbus only");
    CHECK(f.run("fault jem1 exception 4") == "ok");
    CHECK(f.run("fault dnp9 off") == "error: unknown meter 'dnp9'");
    CHECK(f.run("freeze dnp1 on") == "ok");
    CHECK(o.model().frozen());
    CHECK(f.run("freeze dnp1 off") == "ok");
    CHECK_FALSE(o.model().frozen());
}

TEST_CASE("dnp3 options: TCP outstations with the meter's defaults", "[sim][dnp3][cli]") {
    const CommandLine cli = parse({"--dnp3-meters", "2"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    const SimOptions& o = cli.options;
    CHECK(o.meters == 0);  // Modbus TCP meters only when asked for
    CHECK(o.dnp3_meters == 2);
    CHECK(o.dnp3_meter_id(1) == "dnp2");
    CHECK(o.dnp3_base_port == 20000);
    CHECK(o.dnp3.address == 1);
    CHECK(o.dnp3.counters == 4);
    CHECK(o.dnp3.analogs == 18);
    CHECK(o.dnp3.index_base == 0);
    CHECK(o.dnp3.event_buffer == 500);
    CHECK(o.dnp3.freeze_period == std::chrono::minutes(15));
    CHECK(o.dnp3.write_time_interval == std::chrono::minutes(1));
    CHECK(o.dnp3.confirm_timeout == std::chrono::seconds(5));
    CHECK(o.dnp3.link_confirm == LinkConfirmMode::never);
    CHECK(o.dnp3.global_time_set);
    CHECK(o.dnp3_max_connections == 5);
    CHECK(o.dnp3_inactivity_timeout == Duration::zero());
    CHECK_FALSE(o.dnp3_serial_enabled());

    const CommandLine both = parse({"--dnp3-meters", "1", "--meters", "2"});
    REQUIRE(both.outcome == CommandLine::Outcome::run);
    CHECK(both.options.meters == 2);
}

TEST_CASE("dnp3 options: every switch", "[sim][dnp3][cli]") {
    const CommandLine cli = parse({"--dnp3-meters",
                                   "2",
                                   "--dnp3-base-port",
                                   "0",
                                   "--dnp3-address",
                                   "10",
                                   "--dnp3-freeze-period",
                                   "2s",
                                   "--dnp3-write-time-interval",
                                   "0",
                                   "--dnp3-link-confirm",
                                   "multi",
                                   "--dnp3-link-retries",
                                   "5",
                                   "--dnp3-link-timeout",
                                   "250ms",
                                   "--dnp3-index-base",
                                   "1",
                                   "--dnp3-event-buffer",
                                   "50",
                                   "--dnp3-clock-offset",
                                   "-5s",
                                   "--dnp3-clock-drift",
                                   "-20",
                                   "--dnp3-counters",
                                   "300",
                                   "--dnp3-analogs",
                                   "200",
                                   "--dnp3-confirm-timeout",
                                   "3s",
                                   "--dnp3-no-global-time-set",
                                   "--dnp3-inactivity-timeout",
                                   "30s",
                                   "--dnp3-max-connections",
                                   "3",
                                   "--dnp3-id-prefix",
                                   "meter",
                                   "--fault",
                                   "meter2=slow:1s"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    const SimOptions& o = cli.options;
    CHECK(o.dnp3_base_port == 0);
    CHECK(o.dnp3.address == 10);
    CHECK(o.dnp3.freeze_period == std::chrono::seconds(2));
    CHECK(o.dnp3.write_time_interval == Duration::zero());
    CHECK(o.dnp3.link_confirm == LinkConfirmMode::multi);
    CHECK(o.dnp3.link_retries == 5);
    CHECK(o.dnp3.link_timeout == std::chrono::milliseconds(250));
    CHECK(o.dnp3.index_base == 1);
    CHECK(o.dnp3.event_buffer == 50);
    CHECK(o.dnp3.clock_offset == -std::chrono::seconds(5));
    CHECK(o.dnp3.clock_drift_ppm == -20.0);
    CHECK(o.dnp3.counters == 300);
    CHECK(o.dnp3.analogs == 200);
    CHECK(o.dnp3.confirm_timeout == std::chrono::seconds(3));
    CHECK_FALSE(o.dnp3.global_time_set);
    CHECK(o.dnp3_inactivity_timeout == std::chrono::seconds(30));
    CHECK(o.dnp3_max_connections == 3);
    REQUIRE(o.faults.size() == 1);
    CHECK(o.faults[0].first == "meter2");

    const CommandLine serial = parse({"--dnp3-serial-pty", "--dnp3-slaves", "1-4", "--baud", "9600"});
    REQUIRE(serial.outcome == CommandLine::Outcome::run);
    CHECK(serial.options.meters == 0);
    CHECK(serial.options.dnp3_slaves == std::vector<std::uint16_t>{1, 2, 3, 4});
    CHECK(serial.options.rtu.line.baud == 9600);
    CHECK(serial.options.dnp3_serial_meter_id(3) == "dnp3");
}

TEST_CASE("dnp3 options: bad values are refused with a message", "[sim][dnp3][cli]") {
    CHECK(error({"--dnp3-meters", "1", "--dnp3-counters", "301"}).find("--dnp3-counters must be 1..300") !=
          std::string::npos);
    CHECK(error({"--dnp3-meters", "1", "--dnp3-analogs", "0"}).find("--dnp3-analogs must be 1..200") !=
          std::string::npos);
    CHECK(error({"--dnp3-meters", "1", "--dnp3-index-base", "2"}).find("0 or 1") != std::string::npos);
    CHECK(error({"--dnp3-meters", "1", "--dnp3-link-confirm", "often"}).find("never, multi or always") !=
          std::string::npos);
    CHECK(error({"--dnp3-meters", "1", "--dnp3-freeze-period", "0"}).find("--dnp3-freeze-period") != std::string::npos);
    CHECK(error({"--dnp3-meters", "1", "--dnp3-clock-offset", "soon"}).find("--dnp3-clock-offset") !=
          std::string::npos);
    CHECK(error({"--dnp3-meters", "1", "--dnp3-address", "65520"}).find("--dnp3-address must be 1..65519") !=
          std::string::npos);
    CHECK(error({"--dnp3-slaves", "1-3"}).find("needs --dnp3-serial") != std::string::npos);
    CHECK(error({"--dnp3-serial-pty", "--dnp3-slaves", "0-2"}).find("within 1..65519") != std::string::npos);
    CHECK(error({"--dnp3-serial-pty", "--dnp3-serial", "/dev/ttyS0"}).find("exclusive") != std::string::npos);
    CHECK(error({"--dnp3-meters", "1", "--fault", "dnp1=exception:4"}).find("is a Modbus fault") != std::string::npos);
    CHECK(error({"--dnp3-meters", "1", "--meters", "1", "--dnp3-id-prefix", "jem"})
              .find("has the id of a Modbus meter") != std::string::npos);
    CHECK(error({"--dnp3-meters", "2", "--dnp3-serial-pty", "--dnp3-slaves", "2"}).find("has the id of a DNP3 TCP") !=
          std::string::npos);
    CHECK(error({"--baud", "9600"}) == "metersim: RTU options need --rtu DEVICE or --rtu-pty (see --help)");

    std::vector<std::uint16_t> addresses;
    std::string why;
    REQUIRE(parse_dnp3_address_list("3,1-2,65519", addresses, why));
    CHECK(addresses == std::vector<std::uint16_t>{1, 2, 3, 65519});
    CHECK_FALSE(parse_dnp3_address_list("65520", addresses, why));
}
