#pragma once
// One row of the store's audit log: what happened to the data that an operator must be
// able to find later (dropped readings, disk full, a corrupt file moved aside).
#include <cstdint>
#include <string>

#include "gridgate/core/time.hpp"

namespace gridgate::store {

struct AuditEvent {
    std::uint64_t id = 0;     // increasing
    TimestampUs ts_us = 0;    // UTC wall time it was written
    std::string kind;         // e.g. "quota_dropped", "store_recovered"
    std::string detail_json;  // a JSON object
};

// The kinds the store itself writes (docs/store.md lists their details).
namespace audit_kind {
inline constexpr const char* quota_dropped = "quota_dropped";
inline constexpr const char* quota_over = "quota_over";
inline constexpr const char* quota_ok = "quota_ok";
inline constexpr const char* pending_dropped = "pending_dropped";
inline constexpr const char* disk_full = "disk_full";
inline constexpr const char* disk_full_recovered = "disk_full_recovered";
inline constexpr const char* store_recovered = "store_recovered";
inline constexpr const char* integrity_check_failed = "integrity_check_failed";
}  // namespace audit_kind

}  // namespace gridgate::store
