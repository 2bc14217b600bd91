#include "gridgate/sim/dnp3_outstation.hpp"

#include <algorithm>
#include <variant>

#include "gridgate/sim/dnp3_points.hpp"
#include "json_text.hpp"

namespace gridgate::sim {

using dnp3::AppControl;
using dnp3::FunctionCode;
using dnp3::Iin;
using dnp3::PointKind;
using dnp3::PointValue;
using dnp3::Qualifier;

namespace {

// 0xFFFD..0xFFFF: broadcasts, executed by every outstation and never answered.
constexpr std::uint16_t first_broadcast_address = 0xFFFD;
// on_timer() is asked for at least this often, so a step of the system clock (which
// moves the meter's clock and its freeze schedule) is seen within a second.
constexpr auto max_timer_wait = std::chrono::seconds(1);

// Function codes with no response by definition (the _NR forms): never answered, not
// even with NO_FUNC_CODE_SUPPORT.
bool never_answered(std::uint8_t fc) { return fc == 6 || fc == 8 || fc == 10 || fc == 12; }

bool implemented(std::uint8_t fc) {
    switch (static_cast<FunctionCode>(fc)) {
        case FunctionCode::read:
        case FunctionCode::write:
        case FunctionCode::cold_restart:
        case FunctionCode::warm_restart:
        case FunctionCode::delay_measure:
        case FunctionCode::record_current_time: return true;
        default: return false;
    }
}

bool is_16_bit_counter(std::uint8_t group, std::uint8_t variation) {
    if (group == 21) return variation == 2 || variation == 6 || variation == 10;
    return variation == 2 || variation == 6;  // g20, g23
}

bool one_of(std::uint8_t v, std::initializer_list<std::uint8_t> allowed) {
    return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

std::size_t wire_size(const dnp3::LinkFrame& frame) {
    const std::size_t n = frame.user_data.size();
    return 10 + n + 2 * ((n + 15) / 16);
}

std::uint64_t duration_ms(Duration d) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(d.count(), 0)) / 1000;
}

}  // namespace

bool is_dnp3_fault(FaultKind kind) { return kind != FaultKind::exception; }

// Builds a response as a series of fragments no larger than the maximum, starting a new
// fragment whenever an object (or the rest of its values) does not fit.
class Dnp3Outstation::Writer {
public:
    explicit Writer(std::size_t max_size) : max_(max_size) { next_fragment(); }

    void add_range(std::uint8_t group, std::uint8_t variation, std::uint32_t start,
                   std::span<const PointValue> values) {
        while (!values.empty()) {
            const std::size_t n = current().builder.add_range(group, variation, start, values);
            if (!advance(n)) return;
            values = values.subspan(n);
            start += static_cast<std::uint32_t>(n);
            if (!values.empty()) next_fragment();
        }
    }

    void add_indexed(std::uint8_t group, std::uint8_t variation, Qualifier qualifier,
                     std::span<const PointValue> values, std::span<const std::uint64_t> event_ids) {
        while (!values.empty()) {
            const std::size_t n = current().builder.add_indexed(group, variation, qualifier, values);
            if (!advance(n)) return;
            if (!event_ids.empty()) {
                const auto taken = event_ids.first(n);
                current().events.insert(current().events.end(), taken.begin(), taken.end());
                event_ids = event_ids.subspan(n);
            }
            values = values.subspan(n);
            if (!values.empty()) next_fragment();
        }
    }

    template <typename Add>
    void add_single(Add add) {
        if (add(current().builder)) {
            fresh_ = false;
            return;
        }
        next_fragment();
        if (add(current().builder)) fresh_ = false;
    }

    std::vector<Fragment> take() { return std::move(fragments_); }

private:
    Fragment& current() { return fragments_.back(); }

    // After an add that took n values: false when nothing more can be done (an object
    // that does not fit even an empty fragment, which the 2048-octet limit never meets).
    bool advance(std::size_t n) {
        if (n != 0) {
            fresh_ = false;
            return true;
        }
        if (fresh_) return false;
        next_fragment();
        return true;
    }

    void next_fragment() {
        Fragment f{dnp3::ResponseBuilder(max_), {}};
        f.builder.begin(AppControl{}, Iin{});
        fragments_.push_back(std::move(f));
        fresh_ = true;
    }

    std::size_t max_;
    std::vector<Fragment> fragments_;
    bool fresh_ = true;
};

Dnp3Outstation::Dnp3Outstation(std::string id, MeterModel model, const Dnp3Options& options, const Dnp3Now& start,
                               std::uint64_t seed)
    : id_(std::move(id)),
      model_(std::move(model)),
      options_(options),
      clock_(start.utc_us, options.clock_offset, options.clock_drift_ppm),
      events_(options.event_buffer),
      random_(seed),
      last_now_(start),
      frozen_(options.counters, 0) {
    // The frozen counters hold the readings at start until the first freeze; the first
    // scheduled freeze is at the next boundary of the period.
    model_.advance_to(start.steady);
    for (std::size_t p = 0; p < frozen_.size(); ++p) frozen_[p] = dnp3_counter(model_, p);
    frozen_time_ms_ = clock_.read_ms(start.utc_us);
    const std::uint64_t period = std::max<std::uint64_t>(duration_ms(options_.freeze_period), 1);
    last_boundary_ms_ = frozen_time_ms_ / period * period;
}

bool Dnp3Outstation::accepts(std::uint16_t destination) const {
    return destination == options_.address || destination >= first_broadcast_address;
}

Dnp3Outstation::Channel& Dnp3Outstation::channel(Dnp3ChannelId id) {
    auto it = channels_.find(id);
    if (it == channels_.end()) {
        const Dnp3LinkChannel::Options link{options_.address, options_.link_confirm, options_.link_retries,
                                            options_.link_timeout};
        it = channels_.try_emplace(id, link, stats_.link).first;
    }
    return it->second;
}

void Dnp3Outstation::close_channel(Dnp3ChannelId id) {
    if (pending_ && pending_->channel == id) abandon_pending();
    channels_.erase(id);
}

void Dnp3Outstation::on_frame(Dnp3ChannelId ch, const dnp3::LinkFrame& frame, const Dnp3Now& now,
                              std::vector<Dnp3Transmit>& out) {
    // Only a master's frames (DIR set): on a shared line the other outstations' answers
    // go by too, addressed to the master, whose address may be one of ours.
    if (!frame.header.dir || !accepts(frame.header.destination)) return;
    last_now_ = now;
    ++stats_.frames_rx;
    stats_.rx_bytes += wire_size(frame);
    if (fault_.kind == FaultKind::off) {
        ++stats_.unanswered;
        return;
    }
    check_freeze(now);
    Channel& c = channel(ch);
    const bool broadcast = frame.header.destination >= first_broadcast_address;
    bool deliver = false;
    if (broadcast) {
        // Broadcasts go unconfirmed; the link layer never answers them.
        deliver = frame.header.prm &&
                  frame.header.function == static_cast<std::uint8_t>(dnp3::PrimaryFunction::unconfirmed_user_data);
    } else {
        std::vector<std::vector<std::uint8_t>> link_out;
        deliver = c.link.on_frame(frame, now.steady, link_out);
        emit(ch, std::move(link_out), out);
    }
    if (!deliver || frame.user_data.empty()) return;
    if (c.reassembler.push(frame.user_data) != dnp3::Reassembler::Result::complete) return;
    const std::vector<std::uint8_t> fragment = c.reassembler.take();
    on_fragment(ch, fragment, broadcast, now, out);
}

void Dnp3Outstation::on_fragment(Dnp3ChannelId ch, std::span<const std::uint8_t> fragment, bool broadcast,
                                 const Dnp3Now& now, std::vector<Dnp3Transmit>& out) {
    if (fragment.size() < 2) {
        ++stats_.bad_requests;
        return;
    }
    const AppControl control = AppControl::decode(fragment[0]);
    const std::uint8_t fc = fragment[1];
    if (fc == static_cast<std::uint8_t>(FunctionCode::confirm)) {
        on_confirm(ch, control, now, out);
        return;
    }
    ++stats_.requests;
    if (!control.fir || !control.fin) {  // a request is always a single fragment
        ++stats_.bad_requests;
        return;
    }
    if (broadcast) {
        ++stats_.broadcasts;
        broadcast_seen_ = true;
    }
    // A new request ends whatever response was waiting for its confirm (IEEE 1815 §4.4.1).
    abandon_pending();

    Writer writer(options_.max_fragment);
    std::uint16_t request_iin = 0;
    if (!implemented(fc)) {
        if (never_answered(fc)) return;
        request_iin = Iin::no_func_code_support;
    } else {
        const auto parsed = dnp3::parse_request(fragment);
        if (std::holds_alternative<dnp3::ParseError>(parsed)) {
            ++stats_.bad_requests;
            // A WRITE of an object we do not know is refused by the parser: say so.
            const bool unknown_write = fc == static_cast<std::uint8_t>(FunctionCode::write) && fragment.size() >= 4 &&
                                       !(fragment[2] == 50 && (fragment[3] == 1 || fragment[3] == 3)) &&
                                       !(fragment[2] == 80 && fragment[3] == 1);
            request_iin = unknown_write ? Iin::object_unknown : Iin::parameter_error;
        } else {
            request_iin = execute(std::get<dnp3::Request>(parsed), now, writer);
        }
    }
    if (broadcast) return;
    Pending p;
    p.channel = ch;
    p.fragments = writer.take();
    p.first_seq = control.seq;
    p.request_iin = request_iin;
    pending_ = std::move(p);
    send_next_fragment(now, out);
}

std::uint16_t Dnp3Outstation::execute(const dnp3::Request& request, const Dnp3Now& now, Writer& w) {
    std::uint16_t iin = 0;
    switch (request.function) {
        case FunctionCode::read:
            for (const auto& object : request.objects) iin |= execute_read(object, now, w);
            break;
        case FunctionCode::write:
            for (const auto& object : request.objects) iin |= execute_write(object, now);
            break;
        case FunctionCode::cold_restart:
        case FunctionCode::warm_restart:
            // NOTE 2: a cold restart is a warm one, the DNP process only; the master may
            // talk again at once.
            restart(now);
            w.add_single([](dnp3::ResponseBuilder& b) { return b.add_delay_fine(0); });
            break;
        case FunctionCode::delay_measure: {
            // Our processing time: nothing, unless the "slow" fault holds the answer back.
            const std::uint64_t ms = fault_.kind == FaultKind::slow ? duration_ms(fault_.delay) : 0;
            const auto fine = static_cast<std::uint16_t>(std::min<std::uint64_t>(ms, 0xFFFF));
            w.add_single([fine](dnp3::ResponseBuilder& b) { return b.add_delay_fine(fine); });
            break;
        }
        case FunctionCode::record_current_time: recorded_time_ms_ = clock_.read_ms(now.utc_us); break;
        default: iin |= Iin::no_func_code_support; break;
    }
    return iin;
}

std::uint16_t Dnp3Outstation::execute_read(const dnp3::RequestObject& object, const Dnp3Now& now, Writer& w) {
    const dnp3::ObjectHeader& h = object.header;
    const std::uint8_t v = h.variation;
    const bool limited = h.qualifier == Qualifier::count_8 || h.qualifier == Qualifier::count_16;
    const std::size_t event_limit = limited ? h.count : options_.event_buffer;
    switch (h.group) {
        case 1:
            if (!one_of(v, {0, 1, 2})) break;
            return read_static(h, object.indices, v == 0 ? 1 : v, dnp3_binary_inputs, now, w);
        case 2:
            // Binary input events are never generated: a valid read with nothing to report.
            if (!one_of(v, {0, 1, 2})) break;
            return 0;
        case 10:
            if (!one_of(v, {0, 1, 2})) break;
            return read_static(h, object.indices, v == 0 ? 2 : v, dnp3_binary_outputs, now, w);
        case 20:
            if (!one_of(v, {0, 1, 2, 5, 6})) break;
            return read_static(h, object.indices, v == 0 ? 5 : v, options_.counters, now, w);
        case 21:
            if (!one_of(v, {0, 1, 2, 5, 6, 9, 10})) break;
            return read_static(h, object.indices, v == 0 ? 9 : v, options_.counters, now, w);
        case 23:
            if (!one_of(v, {0, 1, 2, 5, 6})) break;
            read_events(v == 0 ? 5 : v, event_limit, w);
            return 0;
        case 30:
            if (!one_of(v, {0, 1, 2, 3, 4, 5})) break;
            return read_static(h, object.indices, v == 0 ? 3 : v, options_.analogs, now, w);
        case 50:
            if (!one_of(v, {0, 1})) break;
            w.add_single([t = clock_.read_ms(now.utc_us)](dnp3::ResponseBuilder& b) { return b.add_time(t); });
            return 0;
        case 60:
            if (v == 1) {
                if (h.qualifier != Qualifier::all) return Iin::parameter_error;
                read_class0(now, w);
                return 0;
            }
            if (v == 2) read_events(5, event_limit, w);
            if (v >= 2 && v <= 4) return 0;  // classes 2 and 3 hold nothing
            break;
        default: break;
    }
    return Iin::object_unknown;
}

std::uint16_t Dnp3Outstation::read_static(const dnp3::ObjectHeader& h, std::span<const std::uint32_t> indices,
                                          std::uint8_t variation, std::size_t points, const Dnp3Now& now, Writer& w) {
    model_.advance_to(now.steady);
    const std::uint32_t first = options_.index_base;
    const std::uint32_t last = first + static_cast<std::uint32_t>(points) - 1;
    std::uint16_t iin = 0;
    std::vector<PointValue> values;
    switch (h.qualifier) {
        case Qualifier::all:
            for (std::size_t p = 0; p < points; ++p) values.push_back(point_value(h.group, variation, p));
            break;
        case Qualifier::count_8:
        case Qualifier::count_16:
            for (std::size_t p = 0; p < std::min<std::size_t>(h.count, points); ++p)
                values.push_back(point_value(h.group, variation, p));
            break;
        case Qualifier::start_stop_8:
        case Qualifier::start_stop_16: {
            if (h.start < first || h.stop > last) iin |= Iin::parameter_error;
            const std::uint32_t lo = std::max(h.start, first);
            const std::uint32_t hi = std::min(h.stop, last);
            for (std::uint32_t i = lo; i <= hi && lo <= hi; ++i)
                values.push_back(point_value(h.group, variation, i - first));
            break;
        }
        case Qualifier::index_8:
        case Qualifier::index_16:
            for (const std::uint32_t i : indices) {
                if (i < first || i > last) {
                    iin |= Iin::parameter_error;
                    continue;
                }
                values.push_back(point_value(h.group, variation, i - first));
            }
            // NOTE 1: asked by index, answered by index, with the request's qualifier.
            w.add_indexed(h.group, variation, h.qualifier, values, {});
            return iin;
    }
    if (!values.empty()) w.add_range(h.group, variation, values.front().index, values);
    return iin;
}

PointValue Dnp3Outstation::point_value(std::uint8_t group, std::uint8_t variation, std::size_t point) const {
    PointValue v;
    v.group = group;
    v.variation = variation;
    v.index = wire_index(point);
    v.flags = dnp3::flags::online;
    switch (group) {
        case 1:
        case 10: {
            const bool on = group == 1 ? dnp3_binary_input(model_, point) : dnp3_binary_output(model_, point);
            v.kind = group == 1 ? PointKind::binary_input : PointKind::binary_output;
            v.value = on ? 1.0 : 0.0;
            v.has_flags = variation == 2;
            if (on) v.flags |= dnp3::flags::state;
            break;
        }
        case 20:
        case 21: {
            const std::uint32_t raw = group == 20 ? dnp3_counter(model_, point) : frozen_[point];
            v.kind = group == 20 ? PointKind::counter : PointKind::frozen_counter;
            v.value = static_cast<double>(is_16_bit_counter(group, variation) ? raw & 0xFFFFu : raw);
            v.has_flags = variation == 1 || variation == 2 || (group == 21 && (variation == 5 || variation == 6));
            if (group == 21 && (variation == 5 || variation == 6)) v.time = frozen_time_ms_;
            break;
        }
        case 30: {
            const Instant& in = model_.instant();
            v.kind = PointKind::analog_input;
            if (variation == 1 || variation == 3)
                v.value = dnp3_analog_32(in, point);
            else if (variation == 2 || variation == 4)
                v.value = dnp3_analog_16(in, point);
            else
                v.value = dnp3_analog_measurement(in, point);  // g30v5: engineering units
            v.has_flags = variation == 1 || variation == 2 || variation == 5;
            break;
        }
        default: break;
    }
    return v;
}

void Dnp3Outstation::read_events(std::uint8_t variation, std::size_t limit, Writer& w) {
    const std::vector<FrozenCounterEvent> pending = events_.unselected(limit);
    if (pending.empty()) return;
    std::vector<PointValue> values;
    std::vector<std::uint64_t> ids;
    for (const FrozenCounterEvent& e : pending) {
        PointValue v;
        v.kind = PointKind::frozen_counter_event;
        v.group = 23;
        v.variation = variation;
        v.index = e.index;
        v.value = static_cast<double>(is_16_bit_counter(23, variation) ? e.value & 0xFFFFu : e.value);
        v.flags = dnp3::flags::online;
        v.has_flags = true;
        if (variation == 5 || variation == 6) v.time = e.time_ms;
        values.push_back(v);
        ids.push_back(e.id);
    }
    // Events always go with index prefixes (NOTE 1); 16-bit ones fit every index.
    w.add_indexed(23, variation, Qualifier::index_16, values, ids);
    events_.select(ids);
    stats_.events_sent += ids.size();
}

void Dnp3Outstation::read_class0(const Dnp3Now& now, Writer& w) {
    model_.advance_to(now.steady);
    const auto all = [&](std::uint8_t group, std::uint8_t variation, std::size_t points) {
        std::vector<PointValue> values;
        for (std::size_t p = 0; p < points; ++p) values.push_back(point_value(group, variation, p));
        if (!values.empty()) w.add_range(group, variation, wire_index(0), values);
    };
    // Appendix C: running (g20) and frozen (g21) counters both checked, analogs in the
    // class-poll variation 3; the binaries are added as the implementation table allows.
    all(1, 1, dnp3_binary_inputs);
    all(10, 2, dnp3_binary_outputs);
    all(20, 5, options_.counters);
    all(21, 9, options_.counters);
    all(30, 3, options_.analogs);
}

std::uint16_t Dnp3Outstation::execute_write(const dnp3::RequestObject& object, const Dnp3Now& now) {
    const dnp3::ObjectHeader& h = object.header;
    if (h.group == 50 && (h.variation == 1 || h.variation == 3) && object.time) {
        if (!options_.global_time_set) {
            ++stats_.time_sets_ignored;
            return 0;
        }
        if (h.variation == 1) {
            set_clock(*object.time, "write", now);
            return 0;
        }
        // LAN procedure: the master's time at our RECORD_CURRENT_TIME, plus the time our
        // own clock has run since.
        if (!recorded_time_ms_) return Iin::parameter_error;
        const std::uint64_t meter_now = clock_.read_ms(now.utc_us);
        const std::uint64_t elapsed = meter_now >= *recorded_time_ms_ ? meter_now - *recorded_time_ms_ : 0;
        set_clock(*object.time + elapsed, "lan", now);
        recorded_time_ms_.reset();
        return 0;
    }
    if (h.group == 80 && h.variation == 1) {
        std::uint16_t iin = 0;
        for (const auto& [index, value] : object.iin_bits) {
            constexpr std::uint32_t device_restart_bit = 7;
            if (index == device_restart_bit && !value)
                restart_ = false;
            else
                iin |= Iin::parameter_error;  // only DEVICE_RESTART may be cleared
        }
        return iin;
    }
    return Iin::object_unknown;
}

void Dnp3Outstation::on_confirm(Dnp3ChannelId ch, const AppControl& control, const Dnp3Now& now,
                                std::vector<Dnp3Transmit>& out) {
    if (!pending_ || !pending_->waiting || pending_->channel != ch || control.uns ||
        control.seq != pending_->waiting_seq) {
        ++stats_.confirms_unexpected;
        return;
    }
    if (drop_confirms_) {
        ++stats_.confirms_dropped;
        return;
    }
    ++stats_.confirms;
    Pending& p = *pending_;
    p.waiting = false;
    const std::size_t removed = events_.confirm(p.fragments[p.next - 1].events);
    stats_.events_confirmed += removed;
    if (p.next < p.fragments.size())
        send_next_fragment(now, out);
    else
        pending_.reset();
}

void Dnp3Outstation::send_next_fragment(const Dnp3Now& now, std::vector<Dnp3Transmit>& out) {
    Pending& p = *pending_;
    Fragment& f = p.fragments[p.next];
    const bool fir = p.next == 0;
    const bool fin = p.next + 1 == p.fragments.size();
    // Non-final fragments always ask for a confirm, and so does any fragment with events.
    const bool con = !fin || !f.events.empty();
    const auto seq = static_cast<std::uint8_t>((p.first_seq + p.next) & 0x0F);
    f.builder.set_control(AppControl{fir, fin, con, false, seq});
    Iin bits = iin(now);
    bits.bits |= p.request_iin;
    f.builder.set_iin(bits);
    broadcast_seen_ = false;

    Channel& c = channel(p.channel);
    const std::vector<std::vector<std::uint8_t>> segments = dnp3::segment_fragment(f.builder.fragment(), c.tx_seq);
    std::vector<std::vector<std::uint8_t>> frames;
    c.link.send(segments, now.steady, frames);
    const Dnp3ChannelId ch = p.channel;
    ++p.next;
    ++stats_.responses;
    if (con) {
        p.waiting = true;
        p.waiting_seq = seq;
        const Duration held = fault_.kind == FaultKind::slow ? fault_.delay : Duration::zero();
        p.deadline = now.steady + held + options_.confirm_timeout;
    } else {
        pending_.reset();
    }
    emit(ch, std::move(frames), out);
}

void Dnp3Outstation::abandon_pending() {
    if (!pending_) return;
    events_.release_all();
    pending_.reset();
}

void Dnp3Outstation::on_timer(const Dnp3Now& now, std::vector<Dnp3Transmit>& out) {
    last_now_ = now;
    check_freeze(now);
    if (pending_ && pending_->waiting && now.steady >= pending_->deadline) {
        ++stats_.confirm_timeouts;
        abandon_pending();
    }
    for (auto& [id, c] : channels_) {
        std::vector<std::vector<std::uint8_t>> frames;
        c.link.on_timer(now.steady, frames);
        emit(id, std::move(frames), out);
    }
}

SteadyTime Dnp3Outstation::next_deadline() const {
    SteadyTime next = last_now_.steady + max_timer_wait;
    if (pending_ && pending_->waiting) next = std::min(next, pending_->deadline);
    for (const auto& [id, c] : channels_)
        if (const auto d = c.link.deadline()) next = std::min(next, *d);
    const std::uint64_t period = std::max<std::uint64_t>(duration_ms(options_.freeze_period), 1);
    const std::uint64_t now_ms = clock_.read_ms(last_now_.utc_us);
    const std::uint64_t boundary = std::max(last_boundary_ms_, now_ms / period * period) + period;
    const TimestampUs due_utc = clock_.system_time_when(static_cast<TimestampUs>(boundary) * 1000);
    next = std::min(next, last_now_.steady + Duration(std::max<TimestampUs>(due_utc - last_now_.utc_us, 0)));
    return next;
}

void Dnp3Outstation::check_freeze(const Dnp3Now& now) {
    const std::uint64_t period = std::max<std::uint64_t>(duration_ms(options_.freeze_period), 1);
    const std::uint64_t meter_ms = clock_.read_ms(now.utc_us);
    const std::uint64_t boundary = meter_ms / period * period;
    if (boundary > last_boundary_ms_) {
        // A clock that jumped over several boundaries freezes once, at the latest.
        last_boundary_ms_ = boundary;
        freeze(boundary, now);
    } else if (meter_ms + period < last_boundary_ms_) {
        // Set back by more than a period: follow the new time. (A smaller step back does
        // not freeze the same boundary twice.)
        last_boundary_ms_ = boundary;
    }
}

void Dnp3Outstation::freeze(std::uint64_t time_ms, const Dnp3Now& now) {
    model_.advance_to(now.steady);
    ++stats_.freezes;
    frozen_time_ms_ = time_ms;
    std::size_t lost = 0;
    for (std::size_t p = 0; p < frozen_.size(); ++p) {
        const std::uint32_t value = dnp3_counter(model_, p);
        frozen_[p] = value;
        if (!events_.add(wire_index(p), value, time_ms)) {
            ++lost;
            continue;
        }
        ++stats_.events_generated;
        std::string line = "{\"t\":";
        json::append_number(line, now.utc_us);
        line.append(",\"event\":\"dnp3_frozen_counter\",\"meter\":");
        json::append_string(line, id_);
        line.append(",\"address\":");
        json::append_number(line, unsigned{options_.address});
        line.append(",\"index\":");
        json::append_number(line, wire_index(p));
        line.append(",\"value\":");
        json::append_number(line, value);
        line.append(",\"time_ms\":");
        json::append_number(line, time_ms);
        line.append("}\n");
        log_line(line);
    }
    if (lost != 0) {
        stats_.events_lost += lost;
        std::string line = "{\"t\":";
        json::append_number(line, now.utc_us);
        line.append(",\"event\":\"dnp3_event_overflow\",\"meter\":");
        json::append_string(line, id_);
        line.append(",\"lost\":");
        json::append_number(line, lost);
        line.append(",\"time_ms\":");
        json::append_number(line, time_ms);
        line.append("}\n");
        log_line(line);
    }
}

void Dnp3Outstation::freeze_now(const Dnp3Now& now) {
    last_now_ = now;
    freeze(clock_.read_ms(now.utc_us), now);
}

void Dnp3Outstation::restart(const Dnp3Now& now) {
    last_now_ = now;
    ++stats_.restarts;
    restart_ = true;
    // The restarted DNP process has not been given the time yet.
    last_time_set_utc_.reset();
    recorded_time_ms_.reset();
    abandon_pending();
}

void Dnp3Outstation::set_clock(std::uint64_t meter_ms, const char* procedure, const Dnp3Now& now) {
    const TimestampUs before_us = clock_.read_us(now.utc_us);
    clock_.set(now.utc_us, static_cast<TimestampUs>(meter_ms) * 1000);
    last_time_set_utc_ = now.utc_us;
    ++stats_.time_sets;
    const auto before_ms = before_us / 1000;
    std::string line = "{\"t\":";
    json::append_number(line, now.utc_us);
    line.append(",\"event\":\"dnp3_time_set\",\"meter\":");
    json::append_string(line, id_);
    line.append(",\"procedure\":");
    json::append_string(line, procedure);
    line.append(",\"before_ms\":");
    json::append_number(line, before_ms);
    line.append(",\"after_ms\":");
    json::append_number(line, meter_ms);
    line.append(",\"step_ms\":");
    json::append_number(line, static_cast<std::int64_t>(meter_ms) - before_ms);
    line.append("}\n");
    log_line(line);
}

void Dnp3Outstation::set_clock_offset(Duration offset, const Dnp3Now& now) {
    last_now_ = now;
    clock_.set(now.utc_us, now.utc_us + offset.count());
    std::string line = "{\"t\":";
    json::append_number(line, now.utc_us);
    line.append(",\"event\":\"dnp3_clock_changed\",\"meter\":");
    json::append_string(line, id_);
    line.append(",\"offset_ms\":");
    json::append_number(line, offset.count() / 1000);
    line.append("}\n");
    log_line(line);
}

bool Dnp3Outstation::need_time(const Dnp3Now& now) const {
    if (options_.write_time_interval <= Duration::zero()) return false;
    return !last_time_set_utc_ || now.utc_us - *last_time_set_utc_ >= options_.write_time_interval.count();
}

Iin Dnp3Outstation::iin(const Dnp3Now& now) const {
    Iin out;
    if (restart_) out.bits |= Iin::device_restart;
    if (need_time(now)) out.bits |= Iin::need_time;
    if (events_.has_unselected()) out.bits |= Iin::class1_events;
    if (events_.overflow()) out.bits |= Iin::event_buffer_overflow;
    if (broadcast_seen_) out.bits |= Iin::broadcast;
    return out;
}

void Dnp3Outstation::emit(Dnp3ChannelId ch, std::vector<std::vector<std::uint8_t>> frames,
                          std::vector<Dnp3Transmit>& out) {
    if (frames.empty() || fault_.kind == FaultKind::off) return;
    const Duration delay = fault_.kind == FaultKind::slow ? fault_.delay : Duration::zero();
    for (auto& bytes : frames) {
        switch (fault_.kind) {
            case FaultKind::garbage: bytes = garbage(); break;
            case FaultKind::crc:
                bytes[8] ^= 0xFF;  // the header CRC: the master drops the frame
                break;
            case FaultKind::wrong_address: {
                // Another outstation's source address, with a correct header CRC.
                const auto other = static_cast<std::uint16_t>(options_.address + 1);
                bytes[6] = static_cast<std::uint8_t>(other & 0xFF);
                bytes[7] = static_cast<std::uint8_t>(other >> 8);
                const std::uint16_t crc = dnp3::crc16(std::span<const std::uint8_t>(bytes).first(8));
                bytes[8] = static_cast<std::uint8_t>(crc & 0xFF);
                bytes[9] = static_cast<std::uint8_t>(crc >> 8);
                break;
            }
            case FaultKind::noise: {
                std::vector<std::uint8_t> noisy = garbage();
                noisy.insert(noisy.end(), bytes.begin(), bytes.end());
                bytes = std::move(noisy);
                break;
            }
            default: break;
        }
        ++stats_.frames_tx;
        stats_.tx_bytes += bytes.size();
        out.push_back(Dnp3Transmit{ch, std::move(bytes), delay});
    }
}

std::vector<std::uint8_t> Dnp3Outstation::garbage() {
    std::uniform_int_distribution<int> length(8, 24);
    std::uniform_int_distribution<int> octet(0, 255);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(length(random_)));
    // No 0x05 at all, so the bytes never start a frame a master could take for ours.
    for (std::uint8_t& b : out) {
        b = static_cast<std::uint8_t>(octet(random_));
        if (b == 0x05) b = 0x06;
    }
    return out;
}

void Dnp3Outstation::log_line(const std::string& line) const {
    if (log_sink_) log_sink_(line);
}

Dnp3Outstation& Dnp3Fleet::add(std::unique_ptr<Dnp3Outstation> outstation) {
    outstations_.push_back(std::move(outstation));
    return *outstations_.back();
}

Dnp3Outstation* Dnp3Fleet::find(std::string_view id) {
    for (auto& o : outstations_)
        if (o->id() == id) return o.get();
    return nullptr;
}

}  // namespace gridgate::sim
