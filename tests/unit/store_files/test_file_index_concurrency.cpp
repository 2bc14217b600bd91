// The index shares the file with the reading log: each has its own connection, and both
// write at once from different threads, as the daemon's committer and spool do.
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "file_index_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

TEST_CASE("file index: works alongside a ReadingLog appending and recording events on another thread") {
    TempDir dir;
    Store store(dir, "gw.db", SyncMode::normal);
    constexpr int files = 30;
    constexpr int batches = 60;
    constexpr std::size_t batch_size = 50;

    std::atomic<bool> failed{false};
    std::thread committer([&] {
        try {
            for (int i = 0; i < batches; ++i) {
                store.log->append(series("m1", "kwh", batch_size, 1'700'000'000'000'000 + i * 1'000'000'000LL));
                if (i % 10 == 0) store.log->record_event("dnp3_restart", R"({"meter":"m1"})");
            }
        } catch (...) {
            failed = true;
        }
    });
    // The sink delivers on its own thread through the same FileIndex while files arrive.
    std::thread sink([&] {
        try {
            std::uint64_t after = 0;
            int delivered = 0;
            const auto deadline = std::chrono::steady_clock::now() + must_happen_within;
            while (delivered < files && std::chrono::steady_clock::now() < deadline) {
                const auto next = store.index->next_undelivered("sftp.head", after);
                if (!next) {
                    std::this_thread::yield();
                    continue;
                }
                store.index->mark_delivered("sftp.head", next->id, "/r/" + next->name,
                                            R"({"file_id":)" + std::to_string(next->id) + "}");
                after = next->id;
                ++delivered;
            }
        } catch (...) {
            failed = true;
        }
    });
    for (int i = 0; i < files; ++i)
        store.index->add_with_event(make_file("m1", "f" + std::to_string(i) + ".pqd"), "file_received", "{}");
    committer.join();
    sink.join();
    REQUIRE_FALSE(failed);

    CHECK(store.log->last_seq() == batches * batch_size);
    CHECK(store.log->reading_count() == batches * batch_size);
    CHECK(store.index->counters().files_added == files);
    CHECK(store.index->undelivered_count(std::vector<std::string>{"sftp.head"}) == 0);

    // One event log: ids strictly increasing, every event there once, and each file's
    // forwarded notice after its received event.
    const auto events = store.log->read_events_after(0, 10'000);
    CHECK(events.size() == static_cast<std::size_t>(files * 2 + batches / 10));
    std::set<std::uint64_t> received;
    std::set<std::uint64_t> forwarded;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i > 0) CHECK(events[i].id > events[i - 1].id);
        const auto detail = nlohmann::json::parse(events[i].detail_json);
        if (events[i].kind == "file_received") received.insert(detail["file_id"].get<std::uint64_t>());
        if (events[i].kind == "file_forwarded") {
            const auto id = detail["file_id"].get<std::uint64_t>();
            CHECK(received.count(id) == 1);
            forwarded.insert(id);
        }
    }
    CHECK(received.size() == static_cast<std::size_t>(files));
    CHECK(forwarded.size() == static_cast<std::size_t>(files));
}
