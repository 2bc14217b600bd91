#include "gridgate/northbound/inflight_window.hpp"

#include <stdexcept>

namespace gridgate::northbound {

void InflightWindow::push(const Batch& batch) {
    if (!batches_.empty() && batch.first_seq <= batches_.back().last_seq)
        throw std::logic_error("InflightWindow: batches must be pushed in seq order");
    batches_.push_back(batch);
    batches_.back().acked = false;
}

InflightWindow::Batch* InflightWindow::find(std::uint64_t id) {
    // The window holds a handful of batches (inflight_batches); a scan is cheapest.
    for (auto& batch : batches_)
        if (batch.id == id) return &batch;
    return nullptr;
}

const InflightWindow::Batch* InflightWindow::mark_acked(std::uint64_t id) {
    Batch* batch = find(id);
    if (!batch || batch->acked) return nullptr;
    batch->acked = true;
    return batch;
}

bool InflightWindow::contains(std::uint64_t id) const {
    for (const auto& batch : batches_)
        if (batch.id == id) return true;
    return false;
}

InflightWindow::Released InflightWindow::pop_acked_prefix() {
    Released released;
    while (!batches_.empty() && batches_.front().acked) {
        ++released.batches;
        released.readings += batches_.front().readings;
        released.last_seq = batches_.front().last_seq;
        released.bytes += batches_.front().bytes;
        batches_.pop_front();
    }
    return released;
}

}  // namespace gridgate::northbound
