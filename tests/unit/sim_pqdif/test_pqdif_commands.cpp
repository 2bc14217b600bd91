// `pqdif ...` on the control socket and the --pqdif-* command line.
#include <catch2/catch.hpp>

#include <filesystem>

#include <boost/asio/io_context.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/sim/control_commands.hpp"
#include "gridgate/sim/pqdif_recorder.hpp"
#include "gridgate/sim/sim_options.hpp"
#include "pqdif_test_dir.hpp"

using namespace gridgate;
using namespace gridgate::sim;
namespace fs = std::filesystem;

namespace {

constexpr TimestampUs t0 = 1'700'000'000'000'000;

CommandLine parse(std::vector<const char*> args) {
    args.insert(args.begin(), "metersim");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("pqdif make, list and grow on the control socket", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorderOptions o;
    o.dir = (tmp.path() / "pqdif").string();
    o.recording.cycles = 2;
    o.recording.samples_per_cycle = 16;
    o.types = {{7, 0}, {2, 0}};
    PqdifRecorder recorder(io.get_executor(), o, clock, logger);
    recorder.start();
    MeterFleet fleet;
    const auto run = [&](std::string_view line) {
        return run_control_command(line, fleet, nullptr, nullptr, &recorder, Dnp3Now{{}, t0});
    };

    CHECK(run("pqdif make") == "142300003_1700000000_0_07.pqd");
    CHECK(run("pqdif make next 2") == "142300003_1700000000_1_02.pqd\n142300003_1700000000_2_07.pqd");
    CHECK(run("pqdif make 4_08") == "142300003_1700000000_3_04_08.pqd");
    CHECK(run("pqdif make 32 2") == "142300003_1700000000_4_32.pqd\n142300003_1700000000_5_32.pqd");

    const std::string listed = run("pqdif list");
    const std::vector<PqdifFolderEntry> entries = recorder.list();
    REQUIRE(entries.size() == 6);
    std::string expected;
    for (const PqdifFolderEntry& e : entries)
        expected += (expected.empty() ? "" : "\n") + e.name + " " + std::to_string(e.size);
    CHECK(listed == expected);
    CHECK(listed.starts_with("142300003_1700000000_0_07.pqd "));

    CHECK(run("pqdif grow 5s") == "ok");
    const std::string growing = run("pqdif make 2");
    CHECK(recorder.writes_in_progress() == 1);
    CHECK(run("pqdif make 2").size() == growing.size());
    CHECK(recorder.writes_in_progress() == 1);  // only the one after grow is slow
    recorder.stop();

    CHECK(run("pqdif make 9").starts_with("error: '9' is not a DataType"));
    CHECK(run("pqdif make 7 0") == "error: count must be 1..1000");
    CHECK(run("pqdif make 7 x") == "error: count must be 1..1000");
    CHECK(run("pqdif grow").starts_with("error: usage: pqdif grow"));
    CHECK(run("pqdif grow soon").starts_with("error: usage: pqdif grow"));
    CHECK(run("pqdif").starts_with("error: usage: pqdif make"));
    CHECK(run("help").find("pqdif make") != std::string::npos);
    CHECK(run_control_command("pqdif list", fleet, nullptr, nullptr, nullptr, Dnp3Now{}) ==
          "error: no PQDIF folder (start metersim with --pqdif-dir)");
}

TEST_CASE("a write error is an error reply", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorderOptions o;
    o.dir = (tmp.path() / "pqdif").string();
    PqdifRecorder recorder(io.get_executor(), o, clock, logger);
    recorder.start();
    fs::remove(o.dir);
    MeterFleet fleet;
    const std::string reply = run_control_command("pqdif make", fleet, nullptr, nullptr, &recorder, Dnp3Now{});
    CHECK(reply.starts_with("error: cannot create " + o.dir + "/142300003_1700000000_0_07.pqd"));
    CHECK(recorder.stats().write_errors == 1);
}

TEST_CASE("metersim's PQDIF options", "[sim][pqdif][cli]") {
    const CommandLine cli = parse({"--pqdif-dir", "/tmp/meter-pq", "--pqdif-serial", "140800001", "--pqdif-files",
                                   "4", "--pqdif-every", "30s", "--pqdif-capacity", "2M", "--pqdif-cycles", "20",
                                   "--pqdif-samples-per-cycle", "512", "--pqdif-compress", "off", "--pqdif-types",
                                   "7,2_08,32", "--pqdif-write-time", "2s", "--seed", "5"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    const PqdifRecorderOptions& p = cli.options.pqdif;
    CHECK(p.enabled());
    CHECK(p.dir == "/tmp/meter-pq");
    CHECK(p.recording.serial == "140800001");
    CHECK(p.initial_files == 4);
    CHECK(p.every == std::chrono::seconds(30));
    CHECK(p.capacity_bytes == 2u << 20);
    CHECK(p.recording.cycles == 20);
    CHECK(p.recording.samples_per_cycle == 512);
    CHECK_FALSE(p.recording.compress);
    CHECK(p.types == std::vector<PqdifRecordingType>{{7, 0}, {8, 2}, {32, 0}});
    CHECK(p.write_time == std::chrono::seconds(2));
    CHECK(p.recording.seed == 5);
    CHECK(cli.options.meters == 0);  // a PQDIF folder alone serves no Modbus meter

    const CommandLine defaults = parse({"--pqdif-dir", "/tmp/meter-pq"});
    REQUIRE(defaults.outcome == CommandLine::Outcome::run);
    CHECK(defaults.options.pqdif.recording.serial == "142300003");
    CHECK(defaults.options.pqdif.types == default_pqdif_types());
    CHECK(defaults.options.pqdif.capacity_bytes == 0);
    CHECK(defaults.options.pqdif.every == Duration::zero());
    CHECK(defaults.options.pqdif.recording.compress);
    CHECK(parse({"--pqdif-dir", "/tmp/x", "--meters", "2"}).options.meters == 2);
    CHECK_FALSE(parse({}).options.pqdif.enabled());
}

TEST_CASE("bad PQDIF options are refused", "[sim][pqdif][cli]") {
    const auto error_of = [](std::vector<const char*> args) {
        const CommandLine cli = parse(std::move(args));
        CHECK(cli.outcome == CommandLine::Outcome::error);
        return cli.text;
    };
    CHECK_THAT(error_of({"--pqdif-files", "3"}), Catch::Contains("--pqdif-files needs --pqdif-dir"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-serial", "14 23"}), Catch::Contains("--pqdif-serial"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-serial", "14_23"}), Catch::Contains("--pqdif-serial"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-every", "often"}), Catch::Contains("--pqdif-every"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-capacity", "lots"}), Catch::Contains("--pqdif-capacity"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-cycles", "0"}), Catch::Contains("--pqdif-cycles"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-samples-per-cycle", "100"}),
               Catch::Contains("--pqdif-samples-per-cycle"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-compress", "yes"}), Catch::Contains("--pqdif-compress"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-types", "7,9"}), Catch::Contains("'9' is not a DataType"));
    CHECK_THAT(error_of({"--pqdif-dir", "d", "--pqdif-write-time", "-1s"}), Catch::Contains("--pqdif-write-time"));
}
