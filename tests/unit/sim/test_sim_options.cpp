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
