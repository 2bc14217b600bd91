// ClientSession's exchanges: one request and its whole response on the line, holding a
// lease for that exchange only; the HDLC connection and the association made before a task.
#include "client_impl.hpp"

namespace gridgate::dlms::detail {

void Impl::with_association(std::function<void()> then) {
    if (associated) return then();
    if (link->connected()) return associate(std::move(then));
    exchange(Step::connect, {}, [this, then = std::move(then)](const LinkResult&) mutable {
        const HdlcParameters p = link->negotiated();
        update_stats([&](ClientStats& s) { s.negotiated_hdlc = p; });
        logger.debug("dlms", options.id + ": HDLC connected, info " + std::to_string(p.max_info_tx) + "/" +
                                 std::to_string(p.max_info_rx) + " window " + std::to_string(p.window_tx) + "/" +
                                 std::to_string(p.window_rx));
        associate(std::move(then));
    });
}

// ------------------------------------------------------------------ exchanges

void Impl::exchange(Step step, std::function<std::vector<std::uint8_t>()> make_apdu,
                    std::function<void(LinkResult)> then, bool close) {
    if (stopping && (!current || current->kind != TaskKind::release)) {
        // No new exchange once stopping: the task ends here, unfinished and not failed.
        current.reset();
        ++gen;
        return finish_stop_if_idle();
    }
    acquiring = true;
    const std::uint64_t token = ++acquire_token;
    const std::uint64_t g = gen;
    const std::uint32_t station = tcp ? options.server_wport : options.hdlc.physical_id;
    std::weak_ptr<Impl> weak = shared_from_this();
    line.acquire(
        transport::LineRequest{options.id, options.priority, station},
        [weak, token, g, step, make_apdu = std::move(make_apdu), then = std::move(then), close](
            transport::LineError error, std::unique_ptr<transport::LineLease> l) mutable {
            const auto self = weak.lock();
            if (!self || self->abandoned) return;  // `l`, if any, releases itself
            if (!self->acquiring || token != self->acquire_token || g != self->gen) {
                if (l) l->release(false);
                return;
            }
            self->acquiring = false;
            if (error != transport::LineError::none || !l) {
                LinkResult r;
                r.status = LinkStatus::io_error;
                r.error = std::string("line ") + transport::to_string(error);
                return self->exchange_failed(r);
            }
            if (self->stopping && self->current && self->current->kind != TaskKind::release) {
                l->release(false);
                self->current.reset();
                ++self->gen;
                return self->finish_stop_if_idle();
            }
            self->lease = std::move(l);
            auto& channel = self->lease->channel();
            auto done = [self, g, then = std::move(then), close](LinkResult r) {
                if (self->abandoned || g != self->gen) return;
                const bool line_failed = r.status == LinkStatus::io_error ||
                                         (self->tcp && (close || r.status != LinkStatus::ok)) ||
                                         (!self->options.line_cancels_pending_read && self->link->busy());
                self->update_stats([](ClientStats& s) { ++s.exchanges; });
                if (auto held = std::move(self->lease)) held->release(line_failed);
                self->last_activity = SteadyClock::now();
                if (r.status != LinkStatus::ok) return self->exchange_failed(r);
                if (!r.apdu.empty()) self->trace_apdu("rx", r.apdu);
                then(std::move(r));
            };
            switch (step) {
                case Step::connect: return self->link->connect(channel, std::move(done));
                case Step::disconnect: return self->link->disconnect(channel, std::move(done));
                case Step::data: {
                    auto apdu = make_apdu();
                    self->trace_apdu("tx", apdu);
                    const TraceMask mask = aarq_password_mask(apdu);
                    return self->link->exchange(channel, std::move(apdu), mask, std::move(done));
                }
            }
        });
}

void Impl::exchange_failed(const LinkResult& r) {
    association_lost();
    // Ending the association found it gone already: that is what was wanted.
    if (current && current->kind == TaskKind::release) return end_task(Outcome::ok);
    end_task(Outcome::failed, std::string(to_string(r.status)) + ": " + r.error);
}

}  // namespace gridgate::dlms::detail
