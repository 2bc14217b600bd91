#pragma once
// Where an upload starts, decided from what the head-end already holds. Pure: the
// forwarder stats the remote temporary file, asks plan_resume(), hashes the remote prefix
// only when told to, and asks resume_offset() with the result.
#include <cstdint>
#include <optional>

namespace gridgate::northbound {

enum class ResumeStep {
    fresh,          // no temporary file, or an empty one: upload from 0 (neither resume nor restart)
    restart,        // the temporary file is longer than the local file: it cannot be ours, from 0
    verify_prefix,  // 0 < remote size <= local size: hash the remote prefix and compare
};

ResumeStep plan_resume(std::optional<std::uint64_t> remote_temp_size, std::uint64_t local_size);

// After verify_prefix: the offset to upload from (remote_size when the prefixes match, 0 otherwise).
std::uint64_t resume_offset(std::uint64_t remote_size, bool prefix_matches);

// The final name already holds the file when it has the local size and its content hashes
// the same (a crash between the rename and the delivery record). Only then is a read-back
// worth its cost: check the size first.
bool worth_checking_in_place(std::optional<std::uint64_t> remote_final_size, std::uint64_t local_size);

}  // namespace gridgate::northbound
