#pragma once
// Drives an RtuMaster by hand with a FakeClock: the test plays the line (what was
// transmitted, what comes back, when) and time. No executor, no sockets: every step is
// deterministic.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "frames.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/modbus/rtu_frame.hpp"
#include "gridgate/modbus/rtu_master.hpp"

namespace gridgate::modbus::test {

class RecordingIo final : public RtuMasterIo {
public:
    void transmit(std::span<const std::byte> adu) override { pending_tx.emplace_back(adu.begin(), adu.end()); }
    void complete(ReadHandler handler, TransactionResult result) override {
        completions.emplace_back(std::move(handler), std::move(result));
    }
    std::vector<std::vector<std::byte>> pending_tx;  // transmissions requested, not yet "on the line"
    std::vector<std::pair<ReadHandler, TransactionResult>> completions;
};

inline RtuMasterOptions test_options() {
    RtuMasterOptions o;
    o.name = "test-bus";
    o.timing = rtu_timing(19200, 11);  // t3.5 = 2006 us
    o.health.timeouts_before_backoff = 2;
    o.health.backoff_initial = std::chrono::seconds(1);
    o.health.backoff_max = std::chrono::seconds(16);
    o.backoff_seed = 42;
    return o;
}

struct Harness {
    explicit Harness(RtuMasterOptions options = test_options()) : master(std::move(options), clock, io, null_logger()) {
        master.set_link(LinkState::up);
    }

    // Submits a read whose result lands in results[id].
    void submit(int id, std::uint8_t unit, ReadRequest request, Duration timeout = std::chrono::milliseconds(100),
                Priority priority = Priority::normal) {
        master.submit(ReadCall{unit, request, timeout, "meter" + std::to_string(unit), priority},
                      [this, id](TransactionResult r) { results[id] = std::move(r); });
        settle();
    }

    // Runs the completions the master handed out (as the strand would, later).
    void settle() {
        while (!io.completions.empty()) {
            auto batch = std::move(io.completions);
            io.completions.clear();
            for (auto& [handler, result] : batch) handler(std::move(result));
        }
    }

    // The master asked to transmit: the frame goes out (instantly) and is returned.
    std::optional<std::vector<std::byte>> transmit() {
        if (io.pending_tx.empty()) return std::nullopt;
        auto frame = io.pending_tx.front();
        io.pending_tx.erase(io.pending_tx.begin());
        master.on_transmit_started();
        master.on_transmitted();
        settle();
        return frame;
    }

    void receive(const std::vector<std::byte>& bytes) {
        master.on_received(bytes);
        settle();
    }

    void advance(Duration d) {
        clock.advance(d);
        master.on_timer();
        settle();
    }

    // Advances to the master's next deadline (if any) and fires it.
    bool advance_to_deadline() {
        const auto at = master.next_deadline();
        if (!at) return false;
        const auto now = clock.steady_now();
        if (*at > now) clock.advance(std::chrono::duration_cast<Duration>(*at - now));
        master.on_timer();
        settle();
        return true;
    }

    // Lets time pass until the master transmits (or nothing is pending); the frame.
    std::optional<std::vector<std::byte>> next_transmission() {
        for (int guard = 0; guard < 100 && io.pending_tx.empty(); ++guard)
            if (!advance_to_deadline()) break;
        return transmit();
    }

    const TransactionResult* result(int id) const {
        const auto it = results.find(id);
        return it == results.end() ? nullptr : &it->second;
    }
    std::optional<TransactionError> error(int id) const {
        const auto* r = result(id);
        if (!r) return std::nullopt;
        if (const auto* e = std::get_if<TransactionError>(r)) return *e;
        return std::nullopt;
    }
    const ReadResponse* response(int id) const {
        const auto* r = result(id);
        return r ? std::get_if<ReadResponse>(r) : nullptr;
    }

    FakeClock clock;
    RecordingIo io;
    RtuMaster master;
    std::map<int, TransactionResult> results;
};

inline ReadRequest holding(std::uint16_t address, std::uint16_t count) {
    return ReadRequest{FunctionCode::read_holding_registers, address, count};
}

// A slave's correct reply to `request`: register i holds base + address + i.
inline std::vector<std::byte> reply_for(std::uint8_t unit, const ReadRequest& request, std::uint16_t base = 1000) {
    std::vector<std::uint16_t> regs;
    for (std::uint16_t i = 0; i < request.count; ++i) regs.push_back(static_cast<std::uint16_t>(base + request.address + i));
    return encode_rtu_adu(unit, encode_register_response(request.function, regs));
}

inline std::vector<std::byte> request_frame(std::uint8_t unit, const ReadRequest& request) {
    return encode_rtu_adu(unit, encode_read_request(request));
}

}  // namespace gridgate::modbus::test
