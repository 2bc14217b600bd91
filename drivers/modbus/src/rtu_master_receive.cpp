// RtuMaster: what arrives on the line, and how a transaction ends with a reply.
#include <algorithm>

#include "gridgate/modbus/rtu_master.hpp"
#include "gridgate/modbus/rtu_reply.hpp"

namespace gridgate::modbus {

void RtuMaster::on_received(std::span<const std::byte> bytes) {
    if (bytes.empty()) return;
    last_activity_ = std::max(last_activity_, clock_.steady_now());
    switch (phase_) {
        case Phase::idle:
        case Phase::flushing:
            // Nobody asked: a late reply, another master, noise. It only delays the
            // next request until the line is quiet.
            return drop_input(bytes, phase_ == Phase::idle ? "unsolicited" : "stale");
        case Phase::sending:
            // Kept: on a pty (or a slave faster than our drain) the reply can start
            // before the transmission is reported done. Judged once it is.
            rx_.insert(rx_.end(), bytes.begin(), bytes.end());
            return;
        case Phase::awaiting:
            rx_.insert(rx_.end(), bytes.begin(), bytes.end());
            return scan(false);
        case Phase::lent:
            // The other master's exchange (RtuBus hands it to the lease instead): only
            // line activity for us.
            return;
    }
}

// Consumes what can be decided in rx_: counts and drops everything that is not the reply,
// ends the transaction when the reply is there.
void RtuMaster::scan(bool line_silent) {
    const ReadCall& call = current_->read.call;
    std::vector<std::byte> discarded;
    std::size_t offset = 0;
    auto flush_discarded = [&] {
        if (!discarded.empty()) drop_input(discarded, "discarded");
        discarded.clear();
    };

    while (offset < rx_.size()) {
        const auto rest = std::span<const std::byte>(rx_).subspan(offset);
        ReplyScan result = scan_reply(call.unit_id, call.request, rest, line_silent);
        const auto frame = rest.first(result.consumed);
        switch (result.kind) {
            case ReplyScanKind::need_more:
                flush_discarded();
                rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(offset));
                return;
            case ReplyScanKind::reply: {
                flush_discarded();
                logger_.trace_frame(call.trace_id, "rx", frame);
                const std::size_t trailing = rest.size() - frame.size();
                if (trailing > 0) drop_input(rest.subspan(frame.size()), "after reply");
                rx_.clear();
                auto response = std::move(result.response);
                if (auto* data = std::get_if<ReadResponse>(&response)) return finish(std::move(*data));
                return finish(std::get<ExceptionResponse>(response));
            }
            case ReplyScanKind::wrong_address:
                ++stats_.wrong_address;
                logger_.trace_frame(call.trace_id, "rx wrong address", frame);
                break;
            case ReplyScanKind::unexpected:
                ++stats_.unexpected_frames;
                logger_.trace_frame(call.trace_id, "rx unexpected", frame);
                break;
            case ReplyScanKind::crc_error:
                if (!crc_error_counted_) ++stats_.crc_errors;
                crc_error_counted_ = true;
                discarded.insert(discarded.end(), frame.begin(), frame.end());
                break;
            case ReplyScanKind::garbage: discarded.insert(discarded.end(), frame.begin(), frame.end()); break;
        }
        offset += result.consumed;
    }
    flush_discarded();
    rx_.clear();
    crc_error_counted_ = false;  // the burst is over: the next one may count again
}

bool RtuMaster::gap_ends_frame() const {
    if (rx_.empty() || phase_ != Phase::awaiting) return false;
    if (options_.strict_frame_gap) return true;
    const ReadCall& call = current_->read.call;
    return !could_be_reply(call.unit_id, call.request, rx_);
}

void RtuMaster::finish(TransactionResult result) {
    const SteadyTime now = clock_.steady_now();
    Transaction t = std::move(*current_);
    current_.reset();
    phase_ = Phase::idle;
    crc_error_counted_ = false;
    const Duration busy = std::chrono::duration_cast<Duration>(now - t.started);
    stats_.busy_time += busy;
    ++stats_.replies;

    const std::uint8_t unit = t.read.call.unit_id;
    Slave& s = slave(unit);
    s.stats.busy_time += busy;
    ++s.stats.replies;
    if (std::holds_alternative<ExceptionResponse>(result)) {
        ++stats_.exceptions;
        ++s.stats.exceptions;
    }
    if (s.health.on_answer()) log(LogLevel::info, "slave " + std::to_string(unit) + " answers again");
    io_.complete(std::move(t.read.handler), std::move(result));
    pump();
}

void RtuMaster::drop_input(std::span<const std::byte> bytes, std::string_view why) {
    stats_.garbage_bytes += bytes.size();
    const std::string& trace_id = current_ ? current_->read.call.trace_id : options_.name;
    logger_.trace_frame(trace_id, std::string("rx ") + std::string(why), bytes);
}

}  // namespace gridgate::modbus
