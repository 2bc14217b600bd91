// The meter's FIFO: the oldest recordings go when the folder exceeds its capacity.
#include <catch2/catch.hpp>

#include "gridgate/sim/pqdif_recording.hpp"

using namespace gridgate::sim;

namespace {
using Names = std::vector<std::string>;
}

TEST_CASE("the FIFO deletes the oldest recordings beyond the capacity", "[sim][pqdif]") {
    // Listed out of order: age comes from the time in the name, not the listing.
    const std::vector<PqdifFolderEntry> folder{
        {"1_1700000300_5_07.pqd", 100},
        {"1_1700000100_999999_02.pqd", 100},
        {"1_1700000200_0_01_08.pqd", 100},
        {"1_1700000100_1000_04.pqd", 100},
    };
    CHECK(plan_pqdif_fifo(folder, 0).empty());    // no limit
    CHECK(plan_pqdif_fifo(folder, 400).empty());  // exactly full
    CHECK(plan_pqdif_fifo(folder, 399) == Names{"1_1700000100_1000_04.pqd"});
    CHECK(plan_pqdif_fifo(folder, 250) == Names{"1_1700000100_1000_04.pqd", "1_1700000100_999999_02.pqd"});
}

TEST_CASE("the FIFO keeps the newest recording and files still being written", "[sim][pqdif]") {
    const std::vector<PqdifFolderEntry> folder{
        {"1_1700000100_0_07.pqd", 100},
        {"1_1700000200_0_07.pqd", 100},
        {"1_1700000300_0_07.pqd", 500},
    };
    // One recording bigger than the whole FIFO still stays; everything older goes.
    CHECK(plan_pqdif_fifo(folder, 50) == Names{"1_1700000100_0_07.pqd", "1_1700000200_0_07.pqd"});
    CHECK(plan_pqdif_fifo(folder, 600, {"1_1700000100_0_07.pqd"}) == Names{"1_1700000200_0_07.pqd"});
}

TEST_CASE("the FIFO leaves files that are not the meter's recordings alone", "[sim][pqdif]") {
    const std::vector<PqdifFolderEntry> folder{
        {"notes.txt", 10'000},
        {"1_1700000100_0_07.pqd.part", 10'000},
        {"1_1700000100_0_07.pqd", 100},
        {"1_1700000200_0_07.pqd", 100},
    };
    CHECK(plan_pqdif_fifo(folder, 200).empty());  // the strangers are not counted
    CHECK(plan_pqdif_fifo(folder, 150) == Names{"1_1700000100_0_07.pqd"});
}
