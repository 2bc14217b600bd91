// Faults on the way to the head-end: the link cut mid-upload by a proxy, sshd killed and
// restarted, stop() in the middle of a file, a server that refuses connections. Every
// file still arrives once, whole, and no temporary file is left behind.
#include <catch2/catch.hpp>

#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/tcp_proxy.hpp"
#include "gridgate/testing/wait.hpp"
#include "head_end.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace std::chrono_literals;
using northbound::SftpForwarder;

namespace {

void check_all_arrived_once(const HeadEnd& he, const std::vector<std::string>& contents) {
    const auto files = he.outbox.files();
    REQUIRE(files.size() == contents.size());
    CHECK(he.outbox.calls().size() == files.size());  // no file recorded twice
    for (std::size_t i = 0; i < files.size(); ++i)
        CHECK(read_text_file(he.meter_dir(files[i].meter) / files[i].name) == contents[i]);
    CHECK(he.part_files().empty());
}

}  // namespace

TEST_CASE("uploads resume after the link is cut mid-file, again and again", "[sftp][integration][faults]") {
    HeadEnd he;
    TcpProxy proxy(he.sshd.port());
    std::vector<std::string> contents;
    for (std::uint32_t i = 0; i < 3; ++i) {
        contents.push_back(random_bytes(1'500'000, 20 + i));
        he.outbox.add("m1", "cut" + std::to_string(i) + ".pqd", contents.back());
    }
    auto options = he.options();
    options.endpoint.port = proxy.port();
    SystemClock clock;
    SftpForwarder forwarder(options, he.outbox, clock, null_logger());

    // Three cuts, each inside the upload stream of a session (the handshake is a few kB).
    proxy.cut_after_upstream_bytes(700'000);
    forwarder.start();
    for (std::size_t cut = 1; cut <= 3; ++cut) {
        REQUIRE(wait_until([&] { return proxy.cuts() == cut; }, 20s));
        if (cut < 3) proxy.cut_after_upstream_bytes(900'000);
    }
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 3; }, 30s));
    forwarder.stop();

    check_all_arrived_once(he, contents);
    const auto stats = forwarder.stats();
    CHECK(stats.resumes >= 1);
    CHECK(stats.failures >= 3);
    CHECK(stats.connects >= 4);
    // Resumed, not started over: far less than one extra copy of everything went up.
    CHECK(stats.bytes_uploaded < 2 * 4'500'000);
}

TEST_CASE("an upload completes after sshd is killed mid-file and started again", "[sftp][integration][faults]") {
    HeadEnd he;
    const std::string bytes = random_bytes(3'000'000, 30);
    he.outbox.add("m1", "big.pqd", bytes);
    auto options = he.options();
    options.max_bytes_per_s = 4'000'000;  // about 0.75 s for the file: time to kill it halfway
    SystemClock clock;
    SftpForwarder forwarder(options, he.outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().current_offset >= 600'000; }, 20s));
    he.sshd.kill();
    REQUIRE(wait_until([&] { return forwarder.stats().failures >= 2; }, 30s));  // the cut, then refused connects
    CHECK_FALSE(forwarder.stats().last_error.empty());
    CHECK(he.outbox.delivered_count(test_sink) == 0);
    he.sshd.start();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 1; }, 30s));
    forwarder.stop();

    check_all_arrived_once(he, {bytes});
    CHECK(forwarder.stats().resumes == 1);
}

TEST_CASE("stop() during an upload returns promptly and the next forwarder resumes", "[sftp][integration][faults]") {
    HeadEnd he;
    const std::string bytes = random_bytes(4'000'000, 40);
    he.outbox.add("m1", "big.pqd", bytes);
    SystemClock clock;
    {
        auto options = he.options();
        options.max_bytes_per_s = 1'000'000;  // 4 s for the whole file
        SftpForwarder forwarder(options, he.outbox, clock, null_logger());
        forwarder.start();
        REQUIRE(wait_until([&] { return forwarder.stats().current_offset >= 300'000; }, 20s));
        const auto before = std::chrono::steady_clock::now();
        forwarder.stop();
        // Cancelled between chunks, not after the remaining ~3.5 s of upload.
        CHECK(std::chrono::steady_clock::now() - before < 1500ms);
        CHECK_FALSE(forwarder.stats().connected);
    }
    CHECK(he.outbox.delivered_count(test_sink) == 0);
    const auto partial = he.part_files();
    REQUIRE(partial.size() == 1);
    const auto kept = std::filesystem::file_size(partial.front());
    CHECK(kept > 0);
    CHECK(kept < bytes.size());

    SftpForwarder second(he.options(), he.outbox, clock, null_logger());
    second.start();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 1; }, 20s));
    second.stop();
    check_all_arrived_once(he, {bytes});
    CHECK(second.stats().resumes == 1);
    CHECK(second.stats().bytes_uploaded == bytes.size() - kept);
}

TEST_CASE("a refusing server is retried with backoff and its error logged once", "[sftp][integration][faults]") {
    HeadEnd he;
    TcpProxy proxy(he.sshd.port());
    proxy.set_refusing(true);  // the link is down: every connection is reset at once
    const std::string bytes = random_bytes(10'000, 50);
    he.outbox.add("m1", "a.pqd", bytes);
    auto options = he.options();
    options.endpoint.port = proxy.port();
    SystemClock clock;
    RecordingLogger logger(LogLevel::info, false);
    SftpForwarder forwarder(options, he.outbox, clock, logger);
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().failures >= 4; }, 20s));
    CHECK(proxy.accepted() >= 4);
    CHECK_FALSE(forwarder.stats().connected);
    CHECK(forwarder.stats().last_error.find("a.pqd") != std::string::npos);
    for (const auto& line : logger.lines()) UNSCOPED_INFO(line);
    CHECK(logger.count("retrying in") == 1);  // the same error, logged once

    proxy.set_refusing(false);
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == 1; }, 20s));
    CHECK(logger.count("delivering again after") == 1);
    check_all_arrived_once(he, {bytes});
}
