// MasterSession tasks: class polls and reads (data to the handler, confirms only once it
// is stored) and clearing DEVICE_RESTART. The time tasks are in master_session_time.cpp.
#include <boost/asio/post.hpp>

#include "master_session_impl.hpp"

namespace gridgate::dnp3::detail {

namespace asio = boost::asio;

namespace {

constexpr std::uint16_t iin2_errors = Iin::no_func_code_support | Iin::object_unknown | Iin::parameter_error;

std::uint8_t following(std::uint8_t seq) { return static_cast<std::uint8_t>((seq + 1) & 0x0f); }

}  // namespace

void Impl::run_task() {
    switch (current->kind) {
        case TaskKind::integrity:
        case TaskKind::class0:
        case TaskKind::class1:
        case TaskKind::class2:
        case TaskKind::class3:
        case TaskKind::read: return run_poll();
        case TaskKind::clear_restart: return run_clear_restart();
        case TaskKind::time_check: return run_time_check();
        case TaskKind::time_set: return run_time_set();
    }
}

void Impl::confirm_if_asked(const Response& r, std::function<void()> then) {
    if (!r.control.con) return then();
    send_fragment(encode_confirm(r.control.seq), {}, [this, then = std::move(then)] {
        update_stats([](SessionStats& s) { ++s.confirms_sent; });
        then();
    });
}

// ------------------------------------------------------------------ polls

void Impl::run_poll() {
    const std::uint8_t seq = next_seq();
    const AppControl control = request_control(seq);
    std::vector<std::uint8_t> fragment;
    ClassSet classes_read;
    switch (current->kind) {
        case TaskKind::integrity: classes_read = ClassSet::integrity(); break;
        case TaskKind::class0: classes_read.class0 = true; break;
        case TaskKind::class1: classes_read.class1 = true; break;
        case TaskKind::class2: classes_read.class2 = true; break;
        case TaskKind::class3: classes_read.class3 = true; break;
        default: break;
    }
    if (current->kind == TaskKind::read) fragment = encode_read(control, options.reads.at(current->read).items);
    else fragment = encode_class_read(control, classes_read);
    request(std::move(fragment), seq, [this](Response r) { on_poll_fragment(std::move(r)); });
}

void Impl::on_poll_fragment(Response r) {
    const bool fin = r.control.fin;
    const bool con = r.control.con;
    const std::uint8_t seq = r.control.seq;
    std::uint64_t events = 0;
    for (const auto& p : r.points)
        if (is_event(p.kind)) ++events;
    poll_events += events;
    update_stats([&](SessionStats& s) {
        s.points += r.points.size();
        s.events += events;
    });

    if (!r.points.empty() && on_data) {
        DataBatch batch;
        batch.outstation = options.id;
        batch.task = task_name(*current);
        batch.received_us = response_received_us;
        batch.iin = r.iin;
        batch.points = std::move(r.points);
        batch.needs_confirm = con;
        batch.event_overflow = r.iin.has(Iin::event_buffer_overflow);
        const std::uint64_t token = ++done_token;
        if (con) {
            // Nothing is read while the handler stores: the outstation waits for the confirm.
            awaiting_done = true;
            confirm_seq = seq;
            confirm_fin = fin;
            arm_wait(options.confirm_wait, [this] { withhold_confirm("readings not stored within confirm_wait"); });
        }
        std::weak_ptr<Impl> weak = shared_from_this();
        auto done = [weak, ex = executor, g = gen, token](bool stored) {
            asio::post(ex, [weak, g, token, stored] {
                if (const auto self = weak.lock()) self->on_done(g, token, stored);
            });
        };
        on_data(std::move(batch), std::move(done));
        // Without CON the handler's answer only matters to the handler: the next fragment
        // (already on its way) is read at once.
        if (con) return;
    } else if (con) {
        return send_confirm(seq, fin);
    }
    if (fin) return finish(Outcome::ok);
    await_fragment(following(seq), [this](Response next) { on_poll_fragment(std::move(next)); });
}

void Impl::on_done(std::uint64_t g, std::uint64_t token, bool stored) {
    if (abandoned || g != gen || !awaiting_done || token != done_token) return;  // late: the wait ended
    awaiting_done = false;
    cancel_wait();
    if (stored) return send_confirm(confirm_seq, confirm_fin);
    withhold_confirm("readings not stored");
}

void Impl::withhold_confirm(const std::string& why) {
    awaiting_done = false;
    update_stats([](SessionStats& s) { ++s.confirms_withheld; });
    // The outstation keeps the events and sends them again in a later poll.
    finish(Outcome::soft_failure, "confirm withheld: " + why);
}

void Impl::send_confirm(std::uint8_t seq, bool fin) {
    send_fragment(encode_confirm(seq), {}, [this, seq, fin] {
        update_stats([](SessionStats& s) { ++s.confirms_sent; });
        if (fin) return finish(Outcome::ok);
        await_fragment(following(seq), [this](Response next) { on_poll_fragment(std::move(next)); });
    });
}

// ------------------------------------------------------------------ DEVICE_RESTART

void Impl::run_clear_restart() {
    const std::uint8_t seq = next_seq();
    request(encode_clear_restart(request_control(seq)), seq, [this](Response r) {
        if (r.iin.has(Iin::device_restart) || (r.iin.bits & iin2_errors) != 0) {
            // Not retried: only a new restart (the bit rising again) asks for another clear.
            logger.warn("dnp3",
                        options.id + ": outstation did not clear DEVICE_RESTART (IIN " + r.iin.describe() + ")");
        }
        confirm_if_asked(r, [this] { finish(Outcome::ok); });
    });
}

}  // namespace gridgate::dnp3::detail
