// FileSpool intake: admit, duplicates, name collisions, crash leftovers, status.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/files/pqdif_name.hpp"
#include "spool_env.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using gridgate::gateway::test::SpoolEnv;
namespace fs = std::filesystem;
namespace gt = gridgate::gateway::test;

namespace {

std::size_t files_in(const fs::path& dir) {
    if (!fs::exists(dir)) return 0;
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("admit moves a staged file into its meter's folder and indexes it", "[spool]") {
    SpoolEnv env;
    const auto bytes = gt::pqdif_bytes(1);
    const std::string name = gt::pqdif_name(0, 7);
    const auto staged = env.stage(name, bytes);
    REQUIRE(staged.parent_path() == env.spool->staging_dir());

    SpoolIntake intake{"m1", name, "sftp_pull", 1'454'408'800, staged};
    const SpoolAdmit admitted = env.spool->admit(intake);

    CHECK(admitted.add.added);
    CHECK(admitted.add.id > 0);
    CHECK_FALSE(admitted.duplicate);
    CHECK(admitted.stored_name == name);
    CHECK(admitted.well_formed);
    CHECK_FALSE(fs::exists(staged));
    const fs::path spooled = env.spool->directory() / "m1" / name;
    REQUIRE(fs::exists(spooled));
    CHECK(files::sha256_file(spooled) == gt::sha_of(bytes));

    const auto row = env.index->find("m1", name);
    REQUIRE(row);
    CHECK(row->id == admitted.add.id);
    CHECK(row->spool_name == "m1/" + name);
    CHECK(row->size == bytes.size());
    CHECK(row->sha256 == gt::sha_of(bytes));
    CHECK(row->source == "sftp_pull");
    CHECK(row->meter_mtime_s == 1'454'408'800);
    CHECK(row->type_bits == 7);
    CHECK(row->name_time_us == files::parse_pqdif_name(name)->time_us());
    CHECK(row->well_formed);
    CHECK(row->received_us > 0);
    CHECK(nlohmann::json::parse(row->check_json)["observations"] == 1);
}

TEST_CASE("a file no meter claimed goes to _unassigned - a name that is not plain is refused", "[spool]") {
    SpoolEnv env;
    const auto admitted = env.admit("", "odd name.bin", gt::pqdif_bytes(2), "https");
    CHECK(admitted.add.added);
    CHECK(fs::exists(env.spool->directory() / "_unassigned" / "odd name.bin"));
    const auto row = env.index->find("", "odd name.bin");
    REQUIRE(row);
    CHECK(row->type_bits == 0);  // not the reference naming: nothing parsed
    CHECK(row->name_time_us == 0);

    const auto staged = env.stage("x", gt::pqdif_bytes(3));
    CHECK_THROWS(env.spool->admit(SpoolIntake{"m1", "../escape.pqd", "https", 0, staged}));
    CHECK(fs::exists(staged));  // left for the caller
}

TEST_CASE("the same file again is a duplicate and is dropped", "[spool]") {
    SpoolEnv env;
    const auto bytes = gt::pqdif_bytes(4);
    const std::string name = gt::pqdif_name(1);
    const auto first = env.admit("m1", name, bytes);
    const auto staged = env.stage(name, bytes);
    const auto second = env.spool->admit(SpoolIntake{"m1", name, "push_inbox", 0, staged});

    CHECK(second.duplicate);
    CHECK_FALSE(second.add.added);
    CHECK(second.add.id == first.add.id);
    CHECK(second.stored_name == name);
    CHECK(second.well_formed);
    CHECK_FALSE(fs::exists(staged));
    CHECK(files_in(env.spool->directory() / "m1") == 1);
    CHECK(env.index->list(0, 10).size() == 1);
    // Another meter's file of the same name and content is not a duplicate.
    CHECK(env.admit("m2", name, bytes).add.added);
}

TEST_CASE("a different file under a name already spooled is stored as <stem>~<n><ext>", "[spool]") {
    SpoolEnv env;
    const std::string name = gt::pqdif_name(2);
    const std::string stem = name.substr(0, name.size() - 4);
    const auto a = gt::pqdif_bytes(10), b = gt::pqdif_bytes(11), c = gt::pqdif_bytes(12);
    env.admit("m1", name, a);

    const auto second = env.admit("m1", name, b);
    CHECK(second.add.added);
    CHECK_FALSE(second.duplicate);
    CHECK(second.stored_name == stem + "~1.pqd");
    CHECK(files::sha256_file(env.spool->directory() / "m1" / (stem + "~1.pqd")) == gt::sha_of(b));
    const auto row = env.index->find("m1", stem + "~1.pqd");
    REQUIRE(row);
    CHECK(row->sha256 == gt::sha_of(b));
    CHECK(row->type_bits == 7);  // parsed from the name the meter gave it
    CHECK(env.logger.count("stored as '" + stem + "~1.pqd'") == 1);

    CHECK(env.admit("m1", name, c).stored_name == stem + "~2.pqd");
    // Each earlier content is recognised under its own stored name.
    const auto again_b = env.admit("m1", name, b);
    CHECK(again_b.duplicate);
    CHECK(again_b.stored_name == stem + "~1.pqd");
    CHECK(env.admit("m1", name, a).duplicate);
    CHECK(files_in(env.spool->directory() / "m1") == 3);
}

TEST_CASE("a truncated PQDIF file is kept and flagged", "[spool]") {
    SpoolEnv env;
    auto bytes = gt::pqdif_bytes(5);
    bytes.resize(bytes.size() / 2);
    const auto admitted = env.admit("m1", gt::pqdif_name(3), bytes);
    CHECK(admitted.add.added);
    CHECK_FALSE(admitted.well_formed);
    const auto row = env.index->find("m1", gt::pqdif_name(3));
    REQUIRE(row);
    CHECK_FALSE(row->well_formed);
    CHECK(row->size == bytes.size());
    CHECK(nlohmann::json::parse(row->check_json)["well_formed"] == false);
}

TEST_CASE("admit_with_event stores the event with the file, or alone", "[spool]") {
    SpoolEnv env;
    const auto staged = env.stage("att", gt::pqdif_bytes(6));
    const auto with_file = env.spool->admit_with_event(SpoolIntake{"m1", "att.pqd", "https", 0, staged},
                                                       "meter_alarm", R"({"EventType":"PQD"})");
    CHECK(with_file.add.added);
    CHECK(env.index->find("m1", "att.pqd"));
    const auto alone = env.spool->admit_with_event(std::nullopt, "meter_alarm", R"({"EventType":"OU"})");
    CHECK_FALSE(alone.duplicate);
    std::size_t alarms = 0;
    for (const auto& e : env.log->read_events_after(0, 100)) alarms += e.kind == "meter_alarm";
    CHECK(alarms == 2);
}

TEST_CASE("reconcile clears staging leftovers, keeps pull partials, indexes unindexed spool files", "[spool]") {
    SpoolEnv env;
    const auto indexed = gt::pqdif_bytes(7);
    env.admit("m1", gt::pqdif_name(4), indexed);
    // What a crash leaves: a staged file never admitted, a partial download, and a file
    // renamed into the spool whose index row was never written.
    const auto leftover = env.stage("crashed", gt::pqdif_bytes(8));
    const auto partial = env.spool->pull_partial_dir("m1") / "x.pqd.100-5.part";
    gt::write_file(partial, gt::pqdif_bytes(9));
    const auto orphan = gt::pqdif_bytes(13);
    gt::write_file(env.spool->directory() / "m2" / gt::pqdif_name(5, 8), orphan);

    CHECK(env.spool->reconcile() == 1);
    CHECK_FALSE(fs::exists(leftover));
    CHECK(fs::exists(partial));
    const auto row = env.index->find("m2", gt::pqdif_name(5, 8));
    REQUIRE(row);
    CHECK(row->source == "recovered");
    CHECK(row->sha256 == gt::sha_of(orphan));
    CHECK(row->spool_name == "m2/" + gt::pqdif_name(5, 8));
    CHECK(row->type_bits == 8);
    CHECK(env.index->list(0, 10).size() == 2);
    CHECK(env.spool->reconcile() == 0);  // nothing left to do the second time
}

TEST_CASE("status_json lists the newest files first with their state", "[spool]") {
    SpoolEnv env(SpoolConfig{}, {"sftp.head"});
    const auto first = env.admit("m1", gt::pqdif_name(10), gt::pqdif_bytes(20));
    env.admit("m1", gt::pqdif_name(11), gt::pqdif_bytes(21));
    env.admit("m2", gt::pqdif_name(12, 8), gt::pqdif_bytes(22), "push_inbox");
    env.index->mark_delivered("sftp.head", first.add.id, "/in/gw/m1/" + gt::pqdif_name(10), R"({"n":1})");

    const auto status = nlohmann::json::parse(env.spool->status_json(2));
    CHECK(status["directory"] == env.spool->directory().string());
    CHECK(status["policy"] == "drop_oldest");
    CHECK(status["quota_bytes"] == 0);
    CHECK(status["held_files"] == 3);
    CHECK(status["intake_stopped"] == false);
    REQUIRE(status["files"].size() == 2);
    CHECK(status["files"][0]["name"] == gt::pqdif_name(12, 8));
    CHECK(status["files"][0]["state"] == "pending");
    CHECK(status["files"][0]["type"] == "measurement_log");
    CHECK(status["files"][0]["source"] == "push_inbox");
    CHECK(status["files"][1]["name"] == gt::pqdif_name(11));

    const auto all = nlohmann::json::parse(env.spool->status_json(10));
    REQUIRE(all["files"].size() == 3);
    const auto& oldest = all["files"][2];
    CHECK(oldest["state"] == "forwarded");
    CHECK(oldest["well_formed"] == true);
    CHECK(oldest["deleted_on_meter"] == false);
    REQUIRE(oldest["deliveries"].size() == 1);
    CHECK(oldest["deliveries"][0]["sink"] == "sftp.head");
    CHECK(oldest["deliveries"][0]["remote_path"] == "/in/gw/m1/" + gt::pqdif_name(10));
}
