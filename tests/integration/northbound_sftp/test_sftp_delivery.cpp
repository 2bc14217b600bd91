// Files arrive byte-identical under <root>/<gateway>/<meter>/<name>, each recorded once
// with a notice whose sha256 is that of the file on the server; the session is reused and
// closed when idle; a file whose local copy vanished is skipped.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "gridgate/files/sha256.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/wait.hpp"
#include "head_end.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace std::chrono_literals;
using northbound::SftpForwarder;

TEST_CASE("spooled files arrive byte-identical with notices carrying their sha256", "[sftp][integration]") {
    HeadEnd he;
    FakeClock clock(1'700'000'000'000'000);  // 2023-11-14T22:13:20Z
    // Sizes around the chunk size, an empty file, PQDIF-sized ones, three meters and none.
    const std::vector<std::size_t> sizes{0, 1, 65'535, 65'536, 65'537, 200'000, 512'000, 1'000'003};
    const std::vector<std::string> meters{"jem1", "jem2", "", "jem1"};
    std::vector<std::string> contents;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        contents.push_back(random_bytes(sizes[i], static_cast<std::uint32_t>(i + 1)));
        he.outbox.add(meters[i % meters.size()], "142300003_17000000" + std::to_string(i) + "_0_07.pqd", contents[i],
                      1'699'999'000'000'000 + static_cast<TimestampUs>(i));
    }
    int delivered_callbacks = 0;
    auto options = he.options();
    options.on_delivered = [&] { ++delivered_callbacks; };
    SftpForwarder forwarder(options, he.outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == sizes.size(); }, 20s));
    forwarder.stop();

    const auto files = he.outbox.files();
    const auto calls = he.outbox.calls();
    REQUIRE(calls.size() == files.size());  // each file recorded once
    for (std::size_t i = 0; i < files.size(); ++i) {
        const SpooledFile& f = files[i];
        const DeliveryRecord& call = calls[i];
        CHECK(call.id == f.id);  // in id order
        const std::string meter_folder = f.meter.empty() ? "_unassigned" : f.meter;
        CHECK(call.remote_path == he.options().remote_root + "/gw-1/" + meter_folder + "/" + f.name);
        const auto on_server = he.local_of(call.remote_path);
        REQUIRE(std::filesystem::exists(on_server));
        CHECK(read_text_file(on_server) == contents[i]);
        const auto notice = nlohmann::json::parse(call.notice_json);
        CHECK(notice.at("sha256") == files::sha256_file(on_server));
        CHECK(notice.at("size") == sizes[i]);
        CHECK(notice.at("name") == f.name);
        CHECK(notice.at("meter") == f.meter);
        CHECK(notice.at("gateway") == "gw-1");
        CHECK(notice.at("sink") == test_sink);
        CHECK(notice.at("remote_path") == call.remote_path);
        CHECK(notice.at("forwarded") == "2023-11-14T22:13:20.000000Z");
        CHECK(notice.at("details").at("source") == "test");
    }
    CHECK(he.part_files().empty());
    const auto stats = forwarder.stats();
    CHECK(stats.files_delivered == sizes.size());
    CHECK(stats.connects == 1);  // one session for every file
    CHECK(stats.failures == 0);
    CHECK(stats.resumes == 0);
    CHECK(stats.restarts == 0);
    CHECK(stats.last_delivered_id == files.back().id);
    std::uint64_t total = 0;
    for (auto s : sizes) total += s;
    CHECK(stats.bytes_uploaded == total);
    CHECK(delivered_callbacks == static_cast<int>(sizes.size()));
}

TEST_CASE("the session is closed when idle and opened again for new files", "[sftp][integration]") {
    HeadEnd he;
    SystemClock clock;
    auto options = he.options();
    options.idle_disconnect = 300ms;
    he.outbox.add("m1", "a.pqd", random_bytes(1000, 1));
    SftpForwarder forwarder(options, he.outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 1; }, 10s));
    REQUIRE(wait_until([&] { return !forwarder.stats().connected; }, 10s));
    CHECK(forwarder.stats().connects == 1);

    he.outbox.add("m1", "b.pqd", random_bytes(1000, 2));
    forwarder.notify_new_files();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 2; }, 10s));
    CHECK(forwarder.stats().connects == 2);
    CHECK(read_text_file(he.meter_dir("m1") / "b.pqd") == random_bytes(1000, 2));
}

TEST_CASE("new files are picked up without a notify, at the poll interval", "[sftp][integration]") {
    HeadEnd he;
    SystemClock clock;
    SftpForwarder forwarder(he.options(), he.outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return he.outbox.lookups() >= 1; }, 5s));  // it found nothing to do
    he.outbox.add("m1", "late.pqd", random_bytes(5000, 3));
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 1; }, 10s));
    CHECK(he.outbox.lookups() >= 2);
}

TEST_CASE("a file whose local copy vanished is skipped and the rest delivered", "[sftp][integration]") {
    HeadEnd he;
    SystemClock clock;
    RecordingLogger logger(LogLevel::info, false);
    const auto first = he.outbox.add("m1", "1.pqd", random_bytes(3000, 1));
    const auto gone = he.outbox.add("m1", "2.pqd", random_bytes(3000, 2));
    const auto third = he.outbox.add("m1", "3.pqd", random_bytes(3000, 3));
    std::filesystem::remove(gone.local_path);  // evicted behind the index's back

    SftpForwarder forwarder(he.options(), he.outbox, clock, logger);
    forwarder.start();
    REQUIRE(wait_until([&] { return he.outbox.delivered(test_sink, third.id); }, 10s));
    CHECK(he.outbox.delivered(test_sink, first.id));
    CHECK_FALSE(he.outbox.delivered(test_sink, gone.id));
    CHECK_FALSE(std::filesystem::exists(he.meter_dir("m1") / "2.pqd"));
    CHECK(logger.count("(2.pqd) skipped") == 1);
    CHECK(forwarder.stats().failures == 0);
}

TEST_CASE("a local copy that differs from the spool record is not delivered", "[sftp][integration]") {
    HeadEnd he;
    SystemClock clock;
    RecordingLogger logger(LogLevel::info, false);
    const auto changed = he.outbox.add("m1", "1.pqd", random_bytes(3000, 1));
    const auto fine = he.outbox.add("m1", "2.pqd", random_bytes(3000, 2));
    HeadEnd::write_bytes(changed.local_path, random_bytes(3000, 99));  // same size, other bytes

    SftpForwarder forwarder(he.options(), he.outbox, clock, logger);
    forwarder.start();
    REQUIRE(wait_until([&] { return he.outbox.delivered(test_sink, fine.id); }, 10s));
    CHECK_FALSE(he.outbox.delivered(test_sink, changed.id));
    CHECK_FALSE(std::filesystem::exists(he.meter_dir("m1") / "1.pqd"));
    CHECK(logger.count("does not match the spool record") == 1);
    CHECK(forwarder.stats().last_error.find("1.pqd") != std::string::npos);
}

TEST_CASE("a folder removed on the server during a session is made again", "[sftp][integration]") {
    HeadEnd he;
    SystemClock clock;
    he.outbox.add("m1", "1.pqd", random_bytes(2000, 1));
    SftpForwarder forwarder(he.options(), he.outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 1; }, 10s));
    std::filesystem::remove_all(he.meter_dir("m1"));  // the head-end archived the folder

    he.outbox.add("m1", "2.pqd", random_bytes(2000, 2));
    forwarder.notify_new_files();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 2; }, 10s));
    CHECK(read_text_file(he.meter_dir("m1") / "2.pqd") == random_bytes(2000, 2));
    CHECK(forwarder.stats().failures == 1);  // the upload into the missing folder, then the retry
    CHECK(forwarder.stats().connects == 1);  // a refused path does not cost the session
}

TEST_CASE("a refused login is retried and reported, not skipped", "[sftp][integration]") {
    HeadEnd he;
    SystemClock clock;
    RecordingLogger logger(LogLevel::info, false);
    he.outbox.add("m1", "1.pqd", random_bytes(2000, 1));
    auto options = he.options();
    options.endpoint.auth.user = "no-such-user";
    SftpForwarder forwarder(options, he.outbox, clock, logger);
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().failures >= 3; }, 20s));
    forwarder.stop();
    CHECK(he.outbox.delivered_count(test_sink) == 0);
    CHECK(forwarder.stats().connects == 0);
    CHECK_FALSE(forwarder.stats().last_error.empty());
    CHECK(logger.count("retrying in") == 1);
}
