#pragma once
// Helpers for the file index tests: a store (ReadingLog + FileIndex on one file, as the
// daemon wires them) and record factories.
#include <memory>
#include <string>
#include <vector>

#include "gridgate/store/file_index.hpp"
#include "gridgate/store/reading_log.hpp"
#include "test_support.hpp"

namespace gridgate::store::test {

// A PQDIF check result as PqdifSummary::to_json() writes one (the shape matters little here).
inline const std::string check_ok = R"({"observations":3,"records":12})";

// A file as the spool would index it: the name follows the reference meter's naming.
inline FileRecord make_file(const std::string& meter, const std::string& name, std::uint64_t size = 1000) {
    FileRecord r;
    r.meter = meter;
    r.name = name;
    r.spool_name = meter + "/" + name;
    r.size = size;
    r.sha256 = std::string(64, 'a');
    r.source = "sftp_pull";
    r.meter_mtime_s = 1'795'225'000;
    r.received_us = 1'795'225'100'000'000;
    r.type_bits = 0x07;
    r.name_time_us = 1'795'224'900'123'456;
    r.well_formed = true;
    r.check_json = check_ok;
    return r;
}

// The reading log creates and migrates the file; the index opens its own connection to it.
struct Store {
    explicit Store(const TempDir& dir, const std::string& db_name = "gw.db", SyncMode sync = SyncMode::full)
        : path(dir.file(db_name)),
          spool(dir.file("spool")),
          log(std::make_unique<ReadingLog>(ReadingLogOptions{path, sync})),
          index(std::make_unique<FileIndex>(path, spool)) {}

    // Closes both and opens them again, as a restart does.
    void reopen() {
        index.reset();
        log.reset();
        log = std::make_unique<ReadingLog>(ReadingLogOptions{path});
        index = std::make_unique<FileIndex>(path, spool);
    }

    std::vector<GatewayEvent> events_of(const std::string& kind) {
        std::vector<GatewayEvent> out;
        for (auto& e : log->read_events_after(0, 100'000))
            if (e.kind == kind) out.push_back(std::move(e));
        return out;
    }

    std::string path;
    std::string spool;
    std::unique_ptr<ReadingLog> log;
    std::unique_ptr<FileIndex> index;
};

}  // namespace gridgate::store::test
