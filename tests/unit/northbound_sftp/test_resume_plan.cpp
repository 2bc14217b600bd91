#include <catch2/catch.hpp>

#include "sftp_resume.hpp"

using namespace gridgate::northbound;

TEST_CASE("no temporary file, or an empty one, is a fresh upload from 0", "[sftp][resume]") {
    CHECK(plan_resume(std::nullopt, 1000) == ResumeStep::fresh);
    CHECK(plan_resume(0, 1000) == ResumeStep::fresh);
    CHECK(plan_resume(0, 0) == ResumeStep::fresh);
}

TEST_CASE("a temporary file longer than the local file is restarted from 0", "[sftp][resume]") {
    CHECK(plan_resume(1001, 1000) == ResumeStep::restart);
    CHECK(plan_resume(1, 0) == ResumeStep::restart);
}

TEST_CASE("a shorter or equal temporary file has its prefix verified", "[sftp][resume]") {
    CHECK(plan_resume(1, 1000) == ResumeStep::verify_prefix);
    CHECK(plan_resume(999, 1000) == ResumeStep::verify_prefix);
    CHECK(plan_resume(1000, 1000) == ResumeStep::verify_prefix);
}

TEST_CASE("a verified prefix is resumed after, an unverified one is uploaded again", "[sftp][resume]") {
    CHECK(resume_offset(4096, true) == 4096);
    CHECK(resume_offset(4096, false) == 0);
}

TEST_CASE("only a final file of the right size is worth reading back", "[sftp][resume]") {
    CHECK(worth_checking_in_place(1000, 1000));
    CHECK_FALSE(worth_checking_in_place(999, 1000));
    CHECK_FALSE(worth_checking_in_place(1001, 1000));
    CHECK_FALSE(worth_checking_in_place(std::nullopt, 1000));
    CHECK(worth_checking_in_place(0, 0));
}
