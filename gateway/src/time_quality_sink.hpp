#pragma once
// The gateway's time quality on every reading it stores: a DurableSink in front of the
// group committer that ORs the current flags (quality::time_unsynced while the gateway's
// clock is not disciplined) into each reading. The flags are one atomic word written by
// the time monitor, so the hot path costs a load.
#include <atomic>
#include <cstdint>

#include "gridgate/core/interfaces.hpp"

namespace gridgate::gateway {

class TimeQualitySink final : public DurableSink {
public:
    TimeQualitySink(DurableSink& inner, const std::atomic<std::uint32_t>& flags) : inner_(inner), flags_(flags) {}

    void submit(std::vector<Reading> readings) override {
        stamp(readings);
        inner_.submit(std::move(readings));
    }
    void submit_durable(std::vector<Reading> readings, std::function<void(bool stored)> done) override {
        stamp(readings);
        inner_.submit_durable(std::move(readings), std::move(done));
    }

private:
    void stamp(std::vector<Reading>& readings) const {
        const std::uint32_t flags = flags_.load(std::memory_order_relaxed);
        if (flags == 0) return;
        for (auto& r : readings) r.quality |= flags;
    }

    DurableSink& inner_;
    const std::atomic<std::uint32_t>& flags_;
};

}  // namespace gridgate::gateway
