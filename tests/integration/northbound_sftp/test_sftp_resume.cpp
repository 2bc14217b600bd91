// What the head-end already holds decides where an upload starts: a verified temporary
// prefix is resumed, a corrupt or overlong one uploaded again from 0, and a file already
// renamed into place (a crash before the delivery record) is confirmed, not sent again.
#include <catch2/catch.hpp>

#include "gridgate/testing/wait.hpp"
#include "head_end.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace std::chrono_literals;
using northbound::SftpForwarder;

namespace {

// Starts a forwarder, waits for every spooled file, stops it; returns its stats.
northbound::SftpSinkStats deliver_all(HeadEnd& he) {
    SystemClock clock;
    SftpForwarder forwarder(he.options(), he.outbox, clock, null_logger());
    forwarder.start();
    const std::size_t n = he.outbox.files().size();
    REQUIRE(wait_until([&] { return he.outbox.delivered_count(test_sink) == n; }, 20s));
    forwarder.stop();
    return forwarder.stats();
}

}  // namespace

TEST_CASE("a temporary file with the right prefix is resumed after it", "[sftp][integration][resume]") {
    HeadEnd he;
    const std::string bytes = random_bytes(300'000, 7);
    he.outbox.add("m1", "a.pqd", bytes);
    he.plant("m1", ".a.pqd.part", bytes.substr(0, 120'000));

    const auto stats = deliver_all(he);
    CHECK(stats.resumes == 1);
    CHECK(stats.restarts == 0);
    CHECK(stats.bytes_uploaded == 300'000 - 120'000);  // only the rest went over the wire
    CHECK(read_text_file(he.meter_dir("m1") / "a.pqd") == bytes);
    CHECK(he.part_files().empty());
}

TEST_CASE("a complete verified temporary file is only renamed", "[sftp][integration][resume]") {
    HeadEnd he;
    const std::string bytes = random_bytes(100'000, 8);
    he.outbox.add("m1", "a.pqd", bytes);
    he.plant("m1", ".a.pqd.part", bytes);

    const auto stats = deliver_all(he);
    CHECK(stats.resumes == 1);
    CHECK(stats.bytes_uploaded == 0);
    CHECK(read_text_file(he.meter_dir("m1") / "a.pqd") == bytes);
    CHECK(he.part_files().empty());
}

TEST_CASE("a temporary file with a corrupted prefix is uploaded again from 0", "[sftp][integration][resume]") {
    HeadEnd he;
    const std::string bytes = random_bytes(200'000, 9);
    he.outbox.add("m1", "a.pqd", bytes);
    std::string corrupt = bytes.substr(0, 80'000);
    corrupt[40'000] = static_cast<char>(corrupt[40'000] ^ 0x01);  // one flipped bit
    he.plant("m1", ".a.pqd.part", corrupt);

    const auto stats = deliver_all(he);
    CHECK(stats.restarts == 1);
    CHECK(stats.resumes == 0);
    CHECK(stats.bytes_uploaded == 200'000);
    CHECK(read_text_file(he.meter_dir("m1") / "a.pqd") == bytes);
    CHECK(he.part_files().empty());
}

TEST_CASE("a temporary file longer than the file is uploaded again from 0", "[sftp][integration][resume]") {
    HeadEnd he;
    const std::string bytes = random_bytes(50'000, 10);
    he.outbox.add("m1", "a.pqd", bytes);
    he.plant("m1", ".a.pqd.part", bytes + "trailing bytes from someone else");

    const auto stats = deliver_all(he);
    CHECK(stats.restarts == 1);
    CHECK(stats.bytes_uploaded == 50'000);
    CHECK(read_text_file(he.meter_dir("m1") / "a.pqd") == bytes);  // truncated to the file, not kept longer
}

TEST_CASE("a file already renamed into place is confirmed without uploading it again", "[sftp][integration][resume]") {
    HeadEnd he;
    const std::string bytes = random_bytes(250'000, 11);
    const auto f = he.outbox.add("m1", "a.pqd", bytes);
    he.plant("m1", "a.pqd", bytes);
    he.plant("m1", ".a.pqd.part", bytes.substr(0, 1000));  // left by an attempt before the crash

    const auto stats = deliver_all(he);
    CHECK(stats.already_in_place == 1);
    CHECK(stats.bytes_uploaded == 0);
    CHECK(stats.files_delivered == 1);
    CHECK(he.outbox.delivered(test_sink, f.id));
    CHECK(read_text_file(he.meter_dir("m1") / "a.pqd") == bytes);
    CHECK(he.part_files().empty());
}

TEST_CASE("a final file of the right size but other content is replaced", "[sftp][integration][resume]") {
    HeadEnd he;
    const std::string bytes = random_bytes(40'000, 12);
    he.outbox.add("m1", "a.pqd", bytes);
    he.plant("m1", "a.pqd", random_bytes(40'000, 13));

    const auto stats = deliver_all(he);
    CHECK(stats.already_in_place == 0);
    CHECK(stats.bytes_uploaded == 40'000);
    CHECK(read_text_file(he.meter_dir("m1") / "a.pqd") == bytes);
}
