// The meter's PQDIF folder on disk: initial and periodic recordings, slow writes in
// place, the FIFO.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include <boost/asio/io_context.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/files/pqdif.hpp"
#include "gridgate/files/pqdif_name.hpp"
#include "gridgate/sim/pqdif_recorder.hpp"
#include "pqdif_test_dir.hpp"

using namespace gridgate;
using namespace gridgate::sim;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr TimestampUs t0 = 1'700'000'000'123'456;

PqdifRecorderOptions small_folder(const fs::path& dir) {
    PqdifRecorderOptions o;
    o.dir = (dir / "pqdif").string();
    o.recording.cycles = 2;
    o.recording.samples_per_cycle = 16;
    return o;
}

std::set<std::string> names_on_disk(const std::string& dir) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
}

files::PqdifSummary check_file(const fs::path& path) {
    const std::string text = test::read_file(path);
    return files::check_pqdif(std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace

TEST_CASE("start makes the initial recordings dated before now, cycling through the types", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorderOptions o = small_folder(tmp.path());
    o.initial_files = 3;
    o.types = {{7, 0}, {8, 3}};
    PqdifRecorder recorder(io.get_executor(), o, clock, logger);
    recorder.start();

    const std::vector<PqdifFolderEntry> listed = recorder.list();
    REQUIRE(listed.size() == 3);
    CHECK(listed[0].name == "142300003_1699999820_123456_07.pqd");  // 3, 2 and 1 minute ago
    CHECK(listed[1].name == "142300003_1699999880_123456_03_08.pqd");
    CHECK(listed[2].name == "142300003_1699999940_123456_07.pqd");
    for (const PqdifFolderEntry& e : listed) {
        const fs::path path = fs::path(o.dir) / e.name;
        CHECK(fs::file_size(path) == e.size);
        const files::PqdifSummary s = check_file(path);
        INFO(e.name << ": " << s.error);
        CHECK(s.well_formed);
        CHECK(s.observations == pqdif_quantities(files::parse_pqdif_name(e.name)->type_bits).size());
    }
    CHECK(recorder.stats().made == 3);
    CHECK(recorder.stats().completed == 3);
}

TEST_CASE("recordings made in the same microsecond still get their own names", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorder recorder(io.get_executor(), small_folder(tmp.path()), clock, logger);
    recorder.start();
    const std::vector<std::string> names = recorder.make(PqdifRecordingType{1, 0}, 3);
    CHECK(names == std::vector<std::string>{"142300003_1700000000_123456_01.pqd", "142300003_1700000000_123457_01.pqd",
                                            "142300003_1700000000_123458_01.pqd"});
    CHECK(names_on_disk(recorder.options().dir).size() == 3);
}

TEST_CASE("the FIFO deletes the oldest files after each write", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorderOptions o = small_folder(tmp.path());
    o.types = {{2, 0}};
    o.recording.compress = false;  // all files the same size
    o.initial_files = 1;
    PqdifRecorder probe(io.get_executor(), o, clock, logger);
    probe.start();
    const std::uint64_t size = probe.list().at(0).size;
    fs::remove_all(o.dir);

    o.initial_files = 5;
    o.capacity_bytes = 3 * size + size / 2;  // room for three and a half
    PqdifRecorder recorder(io.get_executor(), o, clock, logger);
    recorder.start();
    std::vector<PqdifFolderEntry> listed = recorder.list();
    REQUIRE(listed.size() == 3);
    CHECK(listed[0].name == "142300003_1699999820_123456_02.pqd");  // the two oldest of five are gone
    CHECK(recorder.stats().deleted == 2);

    clock.advance(1s);
    const std::string newest = recorder.make(std::nullopt, 1).at(0);
    listed = recorder.list();
    REQUIRE(listed.size() == 3);
    CHECK(listed[0].name == "142300003_1699999880_123456_02.pqd");
    CHECK(listed[2].name == newest);
    CHECK(recorder.stats().deleted == 3);
}

TEST_CASE("a slow write shows a growing file: first half, pause, the rest", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorderOptions o = small_folder(tmp.path());
    o.write_time = 150ms;
    o.types = {{7, 0}};
    PqdifRecorder recorder(io.get_executor(), o, clock, logger);
    recorder.start();

    const std::string name = recorder.make(std::nullopt, 1).at(0);
    const fs::path path = fs::path(o.dir) / name;
    const auto full = render_pqdif_recording(plan_pqdif_recording(o.recording, PqdifRecordingType{7, 0}, t0));
    REQUIRE(fs::exists(path));  // in place, no temporary name
    CHECK(fs::file_size(path) == full.size() / 2);
    CHECK_FALSE(check_file(path).well_formed);
    CHECK(recorder.writes_in_progress() == 1);
    CHECK(names_on_disk(o.dir) == std::set<std::string>{name});

    io.run_for(50ms);
    CHECK(fs::file_size(path) == full.size() / 2);  // still paused
    const auto started = std::chrono::steady_clock::now();
    io.run_for(1s);  // returns once the rest is written (no more work)
    CHECK(std::chrono::steady_clock::now() - started < 500ms);
    CHECK(recorder.writes_in_progress() == 0);
    CHECK(fs::file_size(path) == full.size());
    const std::string text = test::read_file(path);
    CHECK(std::equal(full.begin(), full.end(), reinterpret_cast<const std::byte*>(text.data())));
    CHECK(check_file(path).well_formed);
}

TEST_CASE("grow makes only the next file slow and stop finishes a slow write", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorderOptions o = small_folder(tmp.path());
    PqdifRecorder recorder(io.get_executor(), o, clock, logger);
    recorder.start();
    recorder.grow_next(10s);
    const std::string slow = recorder.make(PqdifRecordingType{2, 0}, 1).at(0);
    const std::string fast = recorder.make(PqdifRecordingType{2, 0}, 1).at(0);
    CHECK(recorder.writes_in_progress() == 1);
    CHECK(fs::file_size(fs::path(o.dir) / slow) < fs::file_size(fs::path(o.dir) / fast));
    CHECK(check_file(fs::path(o.dir) / fast).well_formed);

    recorder.stop();  // a clean shutdown leaves no half file
    CHECK(recorder.writes_in_progress() == 0);
    const auto full = render_pqdif_recording(plan_pqdif_recording(o.recording, PqdifRecordingType{2, 0}, t0));
    CHECK(fs::file_size(fs::path(o.dir) / slow) == full.size());
    CHECK(check_file(fs::path(o.dir) / slow).well_formed);
    io.run_for(20ms);  // the cancelled timer's handler must not touch anything
}

TEST_CASE("a periodic recording follows --pqdif-every", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorderOptions o = small_folder(tmp.path());
    o.every = 30ms;
    o.types = {{4, 0}, {16, 0}};
    PqdifRecorder recorder(io.get_executor(), o, clock, logger);
    recorder.start();
    CHECK(recorder.list().empty());
    for (int i = 0; i < 100 && recorder.list().size() < 2; ++i) {
        io.run_for(10ms);
        clock.advance(1s);
    }
    recorder.stop();
    const std::vector<PqdifFolderEntry> listed = recorder.list();
    REQUIRE(listed.size() >= 2);
    CHECK(files::parse_pqdif_name(listed[0].name)->type_bits == 4);
    CHECK(files::parse_pqdif_name(listed[1].name)->type_bits == 16);
}

TEST_CASE("a folder that cannot be made is a setup error", "[sim][pqdif]") {
    test::PqdifTestDir tmp;
    boost::asio::io_context io;
    FakeClock clock(t0);
    Logger logger(LogLevel::off);
    PqdifRecorderOptions o;
    std::ofstream(tmp.path() / "plain-file") << "x";
    o.dir = (tmp.path() / "plain-file" / "pqdif").string();
    PqdifRecorder recorder(io.get_executor(), o, clock, logger);
    CHECK_THROWS_WITH(recorder.start(), Catch::Contains("cannot create PQDIF folder"));
}
