#include <catch2/catch.hpp>

#include <vector>

#include "gridgate/sim/sim_options.hpp"

using namespace gridgate::sim;

namespace {
CommandLine parse(std::vector<const char*> args) {
    args.insert(args.begin(), "metersim");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("metersim defaults", "[sim][cli]") {
    const CommandLine cli = parse({});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    const SimOptions& o = cli.options;
    CHECK(o.meters == 1);
    CHECK(o.meter_id(0) == "jem1");
    CHECK(o.host == "127.0.0.1");
    CHECK(o.base_port == default_base_port);
    CHECK(o.unit_id == 1);
    CHECK(o.layout.counter_pairs == 150);
    CHECK(o.max_connections == 2);
    CHECK_FALSE(o.allow_outputs);
    CHECK_FALSE(o.allow_presets);
    CHECK_FALSE(o.print_ports);
}

TEST_CASE("metersim options", "[sim][cli]") {
    const CommandLine cli = parse({"--meters", "3", "--id-prefix", "m", "--base-port", "0", "--unit-id", "7",
                                   "--fault", "m2=off", "--fault", "m3=slow:2s", "--allow-presets", "--print-ports",
                                   "--serve-log", "/tmp/x.jsonl", "--control", "/tmp/x.sock", "--seed", "9"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    const SimOptions& o = cli.options;
    CHECK(o.meter_id(2) == "m3");
    CHECK(o.base_port == 0);
    CHECK(o.unit_id == 7);
    CHECK(o.seed == 9);
    REQUIRE(o.faults.size() == 2);
    CHECK(o.faults[0].first == "m2");
    CHECK(o.faults[0].second.kind == FaultKind::off);
    CHECK(o.faults[1].second.delay == std::chrono::seconds(2));
    CHECK(o.allow_presets);
    CHECK(o.print_ports);
    CHECK(o.serve_log_path == "/tmp/x.jsonl");
    CHECK(o.control_path == "/tmp/x.sock");
}

TEST_CASE("metersim rejects bad options with a message", "[sim][cli]") {
    CHECK(parse({"--help"}).outcome == CommandLine::Outcome::show_help);
    CHECK(parse({"--help"}).text.find("--serve-log") != std::string::npos);

    const auto error = [](std::vector<const char*> args) {
        const CommandLine cli = parse(std::move(args));
        CHECK(cli.outcome == CommandLine::Outcome::error);
        return cli.text;
    };
    CHECK(error({"--fault", "jem2=off"}) == "metersim: --fault jem2=off: no meter 'jem2' (see --help)");
    CHECK(error({"--unit-id", "255"}) == "metersim: --unit-id must be 0..254 (see --help)");
    CHECK(error({"--meters", "0"}).find("--meters") != std::string::npos);
    CHECK(error({"--base-port", "65535", "--meters", "2"}).find("--base-port") != std::string::npos);
    CHECK(error({"--fault", "jem1=melt"}).find("unknown fault 'melt'") != std::string::npos);
    CHECK(error({"--log-level", "loud"}).find("--log-level") != std::string::npos);
    CHECK(error({"--frobnicate"}).find("frobnicate") != std::string::npos);
}

TEST_CASE("metersim RTU options", "[sim][cli][rtu]") {
    SECTION("defaults: one slave at address 1, 19200 8N1, 2 ms turnaround, no TCP meter") {
        const CommandLine cli = parse({"--rtu-pty"});
        REQUIRE(cli.outcome == CommandLine::Outcome::run);
        const SimOptions& o = cli.options;
        CHECK(o.rtu_enabled());
        CHECK(o.meters == 0);
        CHECK(o.rtu_slaves == std::vector<std::uint8_t>{1});
        CHECK(o.rtu.line == LineSettings{19200, 8, Parity::none, 1});
        CHECK(o.rtu.turnaround == std::chrono::milliseconds(2));
        CHECK(o.rtu.tx_start_delay == gridgate::Duration::zero());
        CHECK_FALSE(o.rtu.strict_t15);
    }
    SECTION("everything set") {
        const CommandLine cli =
            parse({"--rtu", "/dev/ttyUSB0", "--slaves", "3,7-8", "--baud", "9600", "--parity", "even", "--stop-bits",
                   "2", "--turnaround", "0", "--tx-start-delay", "40ms", "--tx-end-delay", "40ms", "--strict-t15",
                   "--meters", "2", "--id-prefix", "m", "--fault", "m7=crc", "--fault", "m3=late:3s", "--fault",
                   "m1=wrong-address"});
        REQUIRE(cli.outcome == CommandLine::Outcome::run);
        const SimOptions& o = cli.options;
        CHECK(o.rtu_device == "/dev/ttyUSB0");
        CHECK(o.meters == 2);
        CHECK(o.rtu_slaves == std::vector<std::uint8_t>{3, 7, 8});
        CHECK(o.rtu_meter_id(7) == "m7");
        CHECK(o.rtu.line == LineSettings{9600, 8, Parity::even, 2});
        CHECK(o.rtu.turnaround == gridgate::Duration::zero());
        CHECK(o.rtu.tx_start_delay == std::chrono::milliseconds(40));
        CHECK(o.rtu.tx_end_delay == std::chrono::milliseconds(40));
        CHECK(o.rtu.strict_t15);
        REQUIRE(o.faults.size() == 3);
        CHECK(o.faults[0].second.kind == FaultKind::crc);
        CHECK(o.faults[1].second == Fault{FaultKind::slow, std::chrono::seconds(3), 0});
        CHECK(o.faults[2].second.kind == FaultKind::wrong_address);
    }
}

TEST_CASE("metersim rejects bad RTU options with a message", "[sim][cli][rtu]") {
    const auto error = [](std::vector<const char*> args) {
        const CommandLine cli = parse(std::move(args));
        CHECK(cli.outcome == CommandLine::Outcome::error);
        return cli.text;
    };
    CHECK(error({"--slaves", "1-3"}) == "metersim: RTU options need --rtu DEVICE or --rtu-pty (see --help)");
    CHECK(error({"--rtu-pty", "--rtu", "/dev/ttyS0"}).find("exclusive") != std::string::npos);
    CHECK(error({"--rtu-pty", "--baud", "14400"}).find("--baud must be one of") != std::string::npos);
    CHECK(error({"--rtu-pty", "--parity", "mark"}) == "metersim: --parity must be none, even or odd (see --help)");
    CHECK(error({"--rtu-pty", "--data-bits", "7"}).find("--data-bits must be 8") != std::string::npos);
    CHECK(error({"--rtu-pty", "--stop-bits", "3"}).find("--stop-bits") != std::string::npos);
    CHECK(error({"--rtu-pty", "--turnaround", "2"}).find("--turnaround") != std::string::npos);
    CHECK(error({"--rtu-pty", "--slaves", "0-3"}) ==
          "metersim: --slaves 0-3: '0-3' is not an address or range within 1..247 (see --help)");
    CHECK(error({"--rtu-pty", "--slaves", "1-3,2"}) ==
          "metersim: --slaves 1-3,2: address 2 is listed twice (see --help)");
    CHECK(error({"--rtu-pty", "--slaves", "2", "--meters", "2"}).find("RTU slave jem2 has the id of a TCP meter") !=
          std::string::npos);
    CHECK(error({"--rtu-pty", "--fault", "jem2=off"}) == "metersim: --fault jem2=off: no meter 'jem2' (see --help)");
    CHECK(error({"--meters", "0"}).find("--meters must be 1..1000") != std::string::npos);
}

TEST_CASE("slave address lists", "[sim][cli][rtu]") {
    std::vector<std::uint8_t> out;
    std::string error;
    REQUIRE(parse_slave_list("1-8", out, error));
    CHECK(out == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8});
    REQUIRE(parse_slave_list("9,3,5-6,247", out, error));
    CHECK(out == std::vector<std::uint8_t>{3, 5, 6, 9, 247});
    CHECK_FALSE(parse_slave_list("", out, error));
    CHECK_FALSE(parse_slave_list("248", out, error));
    CHECK_FALSE(parse_slave_list("5-3", out, error));
    CHECK_FALSE(parse_slave_list("1,,2", out, error));
    CHECK_FALSE(parse_slave_list("a", out, error));
}
