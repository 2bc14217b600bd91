#include "sftp_resume.hpp"

namespace gridgate::northbound {

ResumeStep plan_resume(std::optional<std::uint64_t> remote_temp_size, std::uint64_t local_size) {
    if (!remote_temp_size || *remote_temp_size == 0) return ResumeStep::fresh;
    if (*remote_temp_size > local_size) return ResumeStep::restart;
    return ResumeStep::verify_prefix;
}

std::uint64_t resume_offset(std::uint64_t remote_size, bool prefix_matches) {
    return prefix_matches ? remote_size : 0;
}

bool worth_checking_in_place(std::optional<std::uint64_t> remote_final_size, std::uint64_t local_size) {
    return remote_final_size && *remote_final_size == local_size;
}

}  // namespace gridgate::northbound
