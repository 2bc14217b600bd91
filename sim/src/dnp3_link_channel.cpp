#include "gridgate/sim/dnp3_link_channel.hpp"

namespace gridgate::sim {

using dnp3::PrimaryFunction;
using dnp3::SecondaryFunction;

namespace {
std::vector<std::uint8_t> secondary(SecondaryFunction f, std::uint16_t to, std::uint16_t from) {
    return dnp3::encode_link_frame(dnp3::secondary_header(f, to, from, false), {});
}
}  // namespace

bool Dnp3LinkChannel::on_frame(const dnp3::LinkFrame& frame, SteadyTime now, Frames& out) {
    const dnp3::LinkHeader& h = frame.header;
    const std::uint16_t local = options_.local;
    // Link answers go to whoever asked; responses go to the last master heard.
    remote_ = h.source;
    if (!h.prm) {
        switch (static_cast<SecondaryFunction>(h.function)) {
            case SecondaryFunction::ack:
                if (waiting_ == Waiting::reset_ack) {
                    primary_reset_ = true;
                    next_fcb_ = true;
                    waiting_ = Waiting::nothing;
                    send_next(now, out);
                } else if (waiting_ == Waiting::data_ack) {
                    next_fcb_ = !next_fcb_;
                    queue_.pop_front();
                    waiting_ = Waiting::nothing;
                    send_next(now, out);
                }
                break;
            case SecondaryFunction::nack:
                // The master's link is not reset (it restarted): reset ours and go again.
                if (waiting_ != Waiting::nothing) {
                    primary_reset_ = false;
                    waiting_ = Waiting::nothing;
                    send_next(now, out);
                }
                break;
            case SecondaryFunction::link_status:
            case SecondaryFunction::not_supported:
            default: break;
        }
        return false;
    }
    switch (static_cast<PrimaryFunction>(h.function)) {
        case PrimaryFunction::reset_link_states:
            ++stats_->resets;
            secondary_reset_ = true;
            expected_fcb_ = true;
            out.push_back(secondary(SecondaryFunction::ack, h.source, local));
            return false;
        case PrimaryFunction::test_link_states:
        case PrimaryFunction::confirmed_user_data: {
            if (!secondary_reset_) {
                ++stats_->not_reset;
                return false;
            }
            const bool fresh = h.fcb == expected_fcb_;
            if (fresh)
                expected_fcb_ = !expected_fcb_;
            else
                ++stats_->repeated_fcb;
            out.push_back(secondary(SecondaryFunction::ack, h.source, local));
            return fresh && static_cast<PrimaryFunction>(h.function) == PrimaryFunction::confirmed_user_data;
        }
        case PrimaryFunction::unconfirmed_user_data: return true;
        case PrimaryFunction::request_link_status:
            out.push_back(secondary(SecondaryFunction::link_status, h.source, local));
            return false;
    }
    out.push_back(secondary(SecondaryFunction::not_supported, h.source, local));
    return false;
}

void Dnp3LinkChannel::send(const Frames& segments, SteadyTime now, Frames& out) {
    const bool confirmed =
        options_.mode == LinkConfirmMode::always || (options_.mode == LinkConfirmMode::multi && segments.size() > 1);
    if (!confirmed) {
        const auto header =
            dnp3::primary_header(PrimaryFunction::unconfirmed_user_data, remote_, options_.local, false);
        for (const auto& segment : segments) out.push_back(dnp3::encode_link_frame(header, segment));
        return;
    }
    for (const auto& segment : segments) queue_.push_back(segment);
    if (waiting_ == Waiting::nothing) send_next(now, out);
}

void Dnp3LinkChannel::send_next(SteadyTime now, Frames& out) {
    if (queue_.empty()) return;
    if (!primary_reset_) {
        current_frame_ = dnp3::encode_link_frame(
            dnp3::primary_header(PrimaryFunction::reset_link_states, remote_, options_.local, false), {});
        waiting_ = Waiting::reset_ack;
    } else {
        current_frame_ = dnp3::encode_link_frame(
            dnp3::primary_header(PrimaryFunction::confirmed_user_data, remote_, options_.local, false, next_fcb_, true),
            queue_.front());
        waiting_ = Waiting::data_ack;
        ++stats_->confirmed_sent;
    }
    retries_left_ = options_.retries;
    transmit_current(now, out);
}

void Dnp3LinkChannel::transmit_current(SteadyTime now, Frames& out) {
    out.push_back(current_frame_);
    ack_deadline_ = now + options_.timeout;
}

void Dnp3LinkChannel::on_timer(SteadyTime now, Frames& out) {
    if (waiting_ == Waiting::nothing || now < ack_deadline_) return;
    if (retries_left_ == 0) {
        give_up();
        return;
    }
    --retries_left_;
    ++stats_->retries;
    transmit_current(now, out);
}

void Dnp3LinkChannel::give_up() {
    // The rest of the fragment cannot follow a frame that was lost: drop it all. The
    // application layer's confirm timeout then releases its events.
    ++stats_->failures;
    queue_.clear();
    waiting_ = Waiting::nothing;
    primary_reset_ = false;
}

std::optional<SteadyTime> Dnp3LinkChannel::deadline() const {
    if (waiting_ == Waiting::nothing) return std::nullopt;
    return ack_deadline_;
}

}  // namespace gridgate::sim
