#include "pqdif_puller.hpp"

#include <nlohmann/json.hpp>

#include "files_pull_worker.hpp"

namespace gridgate::gateway {

struct PqdifPuller::Impl {
    std::vector<std::string> sinks;  // the workers hold a reference to it
    std::vector<std::unique_ptr<PullWorker>> workers;
};

PqdifPuller::PqdifPuller(std::vector<PullTarget> targets, FileSpool& spool, store::FileIndex& index,
                         std::vector<std::string> file_sinks, EventSink& events, const Clock& clock, Logger& logger)
    : impl_(std::make_unique<Impl>()) {
    impl_->sinks = std::move(file_sinks);
    for (auto& target : targets)
        impl_->workers.push_back(
            std::make_unique<PullWorker>(std::move(target), spool, index, impl_->sinks, events, clock, logger));
}

PqdifPuller::~PqdifPuller() { stop(); }

void PqdifPuller::start() {
    for (auto& w : impl_->workers) w->start();
}

void PqdifPuller::stop() {
    for (auto& w : impl_->workers) w->stop();
}

bool PqdifPuller::pull_now(const std::string& meter) {
    for (auto& w : impl_->workers) {
        if (w->meter() != meter) continue;
        w->wake_pull();
        return true;
    }
    return false;
}

void PqdifPuller::notify_delivered() {
    for (auto& w : impl_->workers) w->wake_delete();
}

std::string PqdifPuller::status_json() const {
    nlohmann::json meters = nlohmann::json::array();
    for (const auto& w : impl_->workers) meters.push_back(w->status());
    return nlohmann::json{{"meters", std::move(meters)}}.dump();
}

}  // namespace gridgate::gateway
