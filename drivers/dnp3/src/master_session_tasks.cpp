// MasterSession tasks: class polls and reads (data to the handler, confirms only once it
// is stored), clearing DEVICE_RESTART, and the time: offset checks and the LAN and
// non-LAN time-set procedures of IEEE 1815.
#include <boost/asio/post.hpp>
#include <cmath>
#include <cstdlib>

#include "master_session_impl.hpp"

namespace gridgate::dnp3::detail {

namespace asio = boost::asio;

namespace {

constexpr std::uint16_t iin2_errors = Iin::no_func_code_support | Iin::object_unknown | Iin::parameter_error;

std::uint8_t following(std::uint8_t seq) { return static_cast<std::uint8_t>((seq + 1) & 0x0f); }

std::string json_number_or_null(const std::optional<std::int64_t>& v) {
    return v ? std::to_string(*v) : std::string("null");
}

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

// ------------------------------------------------------------------ time

void Impl::read_time(std::function<void(std::optional<std::int64_t>)> then) {
    const std::uint8_t seq = next_seq();
    ReadItem item;
    item.group = 50;
    item.variation = 1;
    item.qualifier = Qualifier::count_8;
    item.count = 1;
    const std::vector<ReadItem> items{item};
    request(encode_read(request_control(seq), items), seq, [this, then = std::move(then)](Response r) {
        std::optional<std::int64_t> offset;
        if (r.time) {
            // The meter read its clock somewhere between our request leaving and its answer
            // arriving: compare with the midpoint.
            const TimestampUs midpoint = request_sent_us + (response_received_us - request_sent_us) / 2;
            offset = std::llround(static_cast<double>(*r.time) - static_cast<double>(midpoint) / 1000.0);
            const TimestampUs at = response_received_us;
            update_stats([&](SessionStats& s) {
                s.last_offset_ms = offset;
                s.last_offset_at_us = at;
            });
        } else {
            logger.warn("dnp3", options.id + ": no time in the answer to a time read (IIN " + r.iin.describe() + ")");
        }
        confirm_if_asked(r, [then, offset] { then(offset); });
    });
}

void Impl::run_time_check() {
    read_time([this](std::optional<std::int64_t> offset) {
        if (offset) {
            const auto tolerance_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(options.time_tolerance).count();
            const bool beyond = std::llabs(*offset) > tolerance_ms;
            emit("dnp3_time_checked", "{\"offset_ms\":" + std::to_string(*offset) +
                                          ",\"tolerance_ms\":" + std::to_string(tolerance_ms) +
                                          ",\"beyond_tolerance\":" + (beyond ? "true" : "false") + "}");
            if (beyond && options.time_sync != TimeSyncMode::none && !time_set_reason) time_set_reason = "tolerance";
        }
        finish(Outcome::ok);
    });
}

void Impl::run_time_set() {
    const std::string reason = time_set_reason.value_or("tolerance");
    if (options.time_sync == TimeSyncMode::none) return finish(Outcome::ok);
    read_time([this, reason](std::optional<std::int64_t> before) {
        offset_before = before;
        auto after_set = [this, reason](bool accepted) {
            if (!accepted) return conclude_time_set(reason, "rejected", std::nullopt);
            read_time([this, reason](std::optional<std::int64_t> after) { conclude_time_set(reason, "ok", after); });
        };
        if (options.time_sync == TimeSyncMode::lan) set_time_lan(std::move(after_set));
        else set_time_non_lan(std::move(after_set));
    });
}

// LAN procedure (IEEE 1815): the outstation notes its clock when RECORD_CURRENT_TIME
// arrives, we note ours when it leaves; WRITE g50v3 then tells it what its clock should
// have read at that instant. Network delay on a LAN is negligible.
void Impl::set_time_lan(std::function<void(bool accepted)> then) {
    const std::uint8_t seq = next_seq();
    request(encode_function_only(request_control(seq), FunctionCode::record_current_time), seq,
            [this, then = std::move(then)](Response r) {
                if ((r.iin.bits & iin2_errors) != 0) return then(false);
                const auto recorded = static_cast<DnpTime>(request_sent_us / 1000);
                const std::uint8_t write_seq = next_seq();
                request(encode_write_last_recorded_time(request_control(write_seq), recorded), write_seq,
                        [then](Response w) { then((w.iin.bits & iin2_errors) == 0); });
            });
}

// Non-LAN procedure: DELAY_MEASURE's round trip less the outstation's processing time
// (g52v2) is twice the one-way delay; the time written is ours plus that delay, the
// moment the write reaches the outstation.
void Impl::set_time_non_lan(std::function<void(bool accepted)> then) {
    const std::uint8_t seq = next_seq();
    request(encode_function_only(request_control(seq), FunctionCode::delay_measure), seq,
            [this, then = std::move(then)](Response r) {
                if ((r.iin.bits & iin2_errors) != 0) return then(false);
                const TimestampUs round_trip = response_received_us - request_sent_us;
                const TimestampUs processing = static_cast<TimestampUs>(r.delay_ms.value_or(0)) * 1000;
                const TimestampUs one_way = std::max<TimestampUs>(0, (round_trip - processing) / 2);
                const auto time = static_cast<DnpTime>((clock.now_utc_us() + one_way) / 1000);
                const std::uint8_t write_seq = next_seq();
                request(encode_write_time(request_control(write_seq), time), write_seq,
                        [then](Response w) { then((w.iin.bits & iin2_errors) == 0); });
            });
}

void Impl::conclude_time_set(const std::string& reason, const char* result, std::optional<std::int64_t> after) {
    const bool ok = std::string(result) == "ok";
    const TimestampUs now_us = clock.now_utc_us();
    // An outstation that keeps asking (NEED_TIME) right after a set, e.g. because it
    // refuses the write, is not set again before this.
    need_time_holdoff = SteadyClock::now() + options.retry_max;
    if (ok)
        update_stats([&](SessionStats& s) {
            ++s.time_sets;
            s.last_time_set_us = now_us;
        });
    const std::string detail = std::string("{\"procedure\":\"") + to_string(options.time_sync) +
                               "\",\"offset_before_ms\":" + json_number_or_null(offset_before) +
                               ",\"offset_after_ms\":" + json_number_or_null(after) + ",\"reason\":\"" + reason +
                               "\",\"result\":\"" + result + "\"}";
    if (ok) logger.info("dnp3", options.id + ": clock set " + detail);
    else logger.warn("dnp3", options.id + ": clock set refused " + detail);
    emit("dnp3_time_set", detail);
    finish(Outcome::ok);
}

}  // namespace gridgate::dnp3::detail
