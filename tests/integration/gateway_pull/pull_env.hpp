#pragma once
// A spool, a "meter" (sshd with a chrooted SFTP account and a /pqdif folder) and a
// PqdifPuller between them, with a recording EventSink, for the puller's tests.
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gridgate/testing/sshd.hpp"
#include "gridgate/testing/wait.hpp"
#include "pqdif_puller.hpp"
#include "spool_env.hpp"

namespace gridgate::gateway::test {

class RecordingEvents final : public EventSink {
public:
    void record_event(std::string_view kind, std::string_view detail_json) override {
        std::lock_guard lock(mutex_);
        events_.emplace_back(std::string(kind), nlohmann::json::parse(detail_json));
    }
    std::vector<nlohmann::json> of_kind(const std::string& kind) const {
        std::lock_guard lock(mutex_);
        std::vector<nlohmann::json> out;
        for (const auto& [k, detail] : events_)
            if (k == kind) out.push_back(detail);
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, nlohmann::json>> events_;
};

inline PqdifPullConfig pull_config() {
    PqdifPullConfig c;
    c.enabled = true;
    c.directory = "/pqdif";
    c.interval = std::chrono::hours(1);  // cycles come from pull_now unless a test wants them
    c.settle = std::chrono::milliseconds(200);
    return c;
}

class PullEnv {
public:
    explicit PullEnv(std::vector<std::string> sinks = {}, SpoolConfig spool = {})
        : env(std::move(spool), sinks), sinks_(std::move(sinks)) {
        std::filesystem::create_directories(remote_dir());
    }

    std::filesystem::path remote_dir() const { return sshd.root() / "pqdif"; }

    void start(const PqdifPullConfig& config) {
        PullTarget target{"m1", config, sshd.endpoint()};
        puller = std::make_unique<PqdifPuller>(std::vector<PullTarget>{target}, *env.spool, *env.index, sinks_,
                                               events, clock, env.logger);
        puller->start();
    }

    nlohmann::json status() const { return nlohmann::json::parse(puller->status_json())["meters"][0]; }

    // Cycle n has ended well (cycles count from 1, the one at start).
    bool cycle_ok(std::uint64_t n) const {
        const auto s = status();
        return s["pulls"].get<std::uint64_t>() >= n && s["last_ok"].is_string() &&
               s["last_ok"].get<std::string>() >= s["last_pull"].get<std::string>();
    }
    bool wait_cycle_ok(std::uint64_t n) const {
        return testing::wait_until([&] { return cycle_ok(n); }, std::chrono::seconds(20));
    }
    bool wait_taken(std::uint64_t count) const {
        return testing::wait_until([&] { return status()["files_taken"].get<std::uint64_t>() >= count; },
                                   std::chrono::seconds(20));
    }

    SpoolEnv env;
    testing::SshdFixture sshd{env.dir.path() / "meter"};
    RecordingEvents events;
    SystemClock clock;
    std::unique_ptr<PqdifPuller> puller;

private:
    std::vector<std::string> sinks_;
};

}  // namespace gridgate::gateway::test
