// Profile reads: the buffer by range from the read pointer, chunk after chunk, each chunk
// one durable batch; the pointer moves only once a chunk is stored. Gaps are refilled from
// the meter's buffer, and what the meter no longer holds is counted as lost.
#include <algorithm>
#include <limits>
#include <boost/asio/post.hpp>

#include "client_impl.hpp"

namespace gridgate::dlms::detail {

namespace {

constexpr std::uint16_t profile_class = 7;

std::uint64_t count_of(const Got& g) {
    if (!g.result.data) return 0;
    const auto v = g.result.data->as_int();
    return v && *v > 0 ? static_cast<std::uint64_t>(*v) : 0;
}

std::string columns_text(const std::vector<CaptureObject>& columns) {
    std::string s = "[";
    for (const auto& c : columns) {
        if (s.size() > 1) s += ",";
        s += json_quote(std::to_string(c.class_id) + "/" + c.logical_name.to_string() + "/" +
                         std::to_string(c.attribute));
    }
    return s + "]";
}

}  // namespace

std::optional<TimestampUs> Impl::profile_due(std::size_t index) const {
    const ProfileState& p = profiles[index];
    if (p.requested) return std::numeric_limits<TimestampUs>::min();
    return p.due_us;
}

void Impl::run_profile(std::size_t index) {
    poll = ProfilePoll{};
    poll.index = index;
    poll.started_us = clock.now_utc_us();
    profile_attributes([this] {
        auto read = [this] {
            profile_counters([this] {
                ProfileState& p = profile();
                if (!p.pointer) {
                    // Nothing stored yet: the first read goes back `history`.
                    p.pointer = floor_to(clock.now_utc_us() - profile_options().history.count(), p.period);
                    p.pointer_stored = false;
                }
                poll.scan_from = *p.pointer;
                read_chunk();
            });
        };
        // The range bounds are the meter's local time: learn its deviation first.
        if (!clock_read) return read_clock([read](const std::optional<ClockReading>&) { read(); });
        read();
    });
}

void Impl::profile_attributes(std::function<void()> then) {
    if (profile().attributes_read) return then();
    const Obis obis = profile_options().obis;
    get_many({GetItem{{profile_class, obis, 3}, std::nullopt}, GetItem{{profile_class, obis, 4}, std::nullopt}},
             [this, then = std::move(then)](std::vector<Got> got) {
                 const ProfileOptions& po = profile_options();
                 ProfileState& p = profile();
                 if (got.size() != 2 || !got[0].result.data || !got[1].result.data) {
                     const AccessResult r = got.size() == 2 && got[0].result.data ? got[1].result.result
                                                                                  : got.at(0).result.result;
                     report_access_error("profile " + po.name + " capture objects / period", r);
                     return profile_failed("capture objects or period not readable");
                 }
                 const auto columns = parse_capture_objects(*got[0].result.data);
                 const auto seconds = got[1].result.data->as_int();
                 if (!columns || !seconds || *seconds <= 0) {
                     if (once("profile-shape:" + po.name))
                         logger.warn("dlms", options.id + ": profile " + po.name +
                                                 ": capture objects or period unusable (an event log?)");
                     return profile_failed("capture objects or period unusable");
                 }
                 const Duration period = std::chrono::seconds(*seconds);
                 const bool known = !p.columns.empty() || p.period.count() > 0;
                 if (known && (p.columns != *columns.value || p.period != period)) {
                     logger.warn("dlms", options.id + ": profile " + po.name + " changed its columns or period");
                     emit("dlms_profile_changed",
                          "{\"profile\":" + json_quote(po.name) + ",\"period_before_s\":" +
                              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(p.period).count()) +
                              ",\"period_s\":" + std::to_string(*seconds) + ",\"columns_before\":" +
                              columns_text(p.columns) + ",\"columns\":" + columns_text(*columns.value) + "}");
                     p.missing_reported.clear();
                 }
                 p.columns = *columns.value;
                 p.period = period;
                 p.layout = find_layout(p.columns, po.status_obis);
                 if (!p.layout.clock_column) {
                     if (once("profile-clock:" + po.name))
                         logger.warn("dlms", options.id + ": profile " + po.name + " has no clock column");
                     return profile_failed("no clock column");
                 }
                 p.channel_columns.assign(po.channels.size(), std::nullopt);
                 for (std::size_t c = 0; c < po.channels.size(); ++c) {
                     for (std::size_t k = 0; k < p.columns.size(); ++k)
                         if (p.columns[k].logical_name == po.channels[c].obis &&
                             p.columns[k].attribute == po.channels[c].attribute)
                             p.channel_columns[c] = k;
                     if (p.channel_columns[c] || !p.missing_reported.insert(c).second) continue;
                     logger.warn("dlms", options.id + ": profile " + po.name + " does not capture " +
                                             po.channels[c].obis.to_string() + " (" + po.channels[c].point + ")");
                     emit("dlms_profile_channel_missing", "{\"profile\":" + json_quote(po.name) + ",\"obis\":" +
                                                              json_quote(po.channels[c].obis.to_string()) + "}");
                 }
                 p.attributes_read = true;
                 update_stats([&](ClientStats& s) { s.profiles[poll.index].capture_period = period; });
                 then();
             });
}

void Impl::profile_counters(std::function<void()> then) {
    const Obis obis = profile_options().obis;
    get_many({GetItem{{profile_class, obis, 7}, std::nullopt}, GetItem{{profile_class, obis, 8}, std::nullopt}},
             [this, then = std::move(then)](std::vector<Got> got) {
                 if (got.size() == 2) {
                     poll.entries_in_use = count_of(got[0]);
                     poll.profile_entries = count_of(got[1]);
                 }
                 update_stats([&](ClientStats& s) {
                     s.profiles[poll.index].entries_in_use = poll.entries_in_use;
                     s.profiles[poll.index].profile_entries = poll.profile_entries;
                 });
                 then();
             });
}

void Impl::read_chunk() {
    const ProfileState& p = profile();
    const TimestampUs period = p.period.count();
    const auto n = static_cast<TimestampUs>(std::max<std::size_t>(1, profile_options().max_entries_per_read));
    const TimestampUs from = poll.scan_from + 1'000'000;  // the pointer's own interval is stored
    const TimestampUs present = clock.now_utc_us() + period;
    const TimestampUs limit = poll.scan_from + n * period;
    const TimestampUs to = std::min(limit, present);
    const bool reached_present = limit >= present;
    if (from > to) return finish_profile_poll();
    GetItem item{{profile_class, profile_options().obis, 2},
                 range_descriptor(meter_time_at(from, meter_time, options.time),
                                  meter_time_at(to, meter_time, options.time))};
    get(item, [this, to, reached_present](Got got) { on_chunk(std::move(got), to, reached_present); });
}

void Impl::on_chunk(Got got, TimestampUs to, bool reached_present) {
    const ProfileOptions& po = profile_options();
    const ProfileState& p = profile();
    if (!got.result.data) {
        report_access_error("profile " + po.name + " buffer", got.result.result);
        return profile_failed(std::string("buffer: ") + to_string(got.result.result));
    }
    // Entries in local time are placed in order after the pointer (the fall-back hour).
    auto decoded =
        decode_profile_buffer(*got.result.data, p.columns.size(), p.layout, p.period, options.time, p.pointer);
    if (!decoded.error.empty()) {
        if (once("profile-buffer:" + po.name))
            logger.warn("dlms", options.id + ": profile " + po.name + " buffer unusable: " + decoded.error);
        return profile_failed("buffer unusable: " + decoded.error);
    }
    if (decoded.skipped > 0 && once("profile-skipped:" + po.name))
        logger.warn("dlms", options.id + ": profile " + po.name + ": " + std::to_string(decoded.skipped) +
                                " entries without a usable shape or time skipped");
    // Never deliver an interval twice: only what ends after the pointer, in the meter's order.
    std::vector<ProfileEntry> entries;
    for (auto& e : decoded.entries)
        if (!p.pointer || e.end_us > *p.pointer) entries.push_back(std::move(e));
    // The interval after the pointer has ended but is not there: still in the meter further
    // on, or beyond its retention?
    const TimestampUs next_end = *p.pointer + p.period.count();
    if (p.pointer_stored && !poll.oldest_checked && next_end < got.at_us &&
        (entries.empty() || entries.front().end_us > next_end))
        return check_oldest(std::move(entries), to, reached_present, got.at_us);
    deliver_chunk(std::move(entries), to, reached_present, got.at_us);
}

void Impl::check_oldest(std::vector<ProfileEntry> entries, TimestampUs to, bool reached_present, TimestampUs at_us) {
    poll.oldest_checked = true;
    GetItem item{{profile_class, profile_options().obis, 2}, entry_descriptor(1, 1)};
    auto shared = std::make_shared<std::vector<ProfileEntry>>(std::move(entries));
    get(item, [this, shared, to, reached_present, at_us](Got got) {
        const ProfileOptions& po = profile_options();
        ProfileState& p = profile();
        std::optional<TimestampUs> oldest;
        if (got.result.data) {
            const auto d = decode_profile_buffer(*got.result.data, p.columns.size(), p.layout, p.period, options.time);
            if (!d.entries.empty()) oldest = d.entries.front().end_us;
        } else {
            report_access_error("profile " + po.name + " oldest entry", got.result.result);
        }
        const TimestampUs period = p.period.count();
        if (oldest && *oldest > *p.pointer + period) {
            const TimestampUs pointer = *p.pointer;
            const auto lost = static_cast<std::uint64_t>(std::max<TimestampUs>(0, (*oldest - pointer) / period - 1));
            if (lost > 0) {
                poll.lost += lost;
                update_stats([&](ClientStats& s) { s.profiles[poll.index].lost += lost; });
                logger.warn("dlms", options.id + ": profile " + po.name + ": " + std::to_string(lost) +
                                        " intervals after " + iso(pointer) + " are beyond the meter's retention");
                emit("dlms_profile_lost", "{\"profile\":" + json_quote(po.name) + ",\"from\":" +
                                              json_quote(iso(pointer + period)) + ",\"to\":" +
                                              json_quote(iso(*oldest - period)) +
                                              ",\"intervals\":" + std::to_string(lost) + "}");
            }
            // Move on: what the meter still holds starts at its oldest entry.
            p.pointer = *oldest - period;
            if (shared->empty() && !reached_present && *oldest - period > poll.scan_from) {
                poll.scan_from = *oldest - period;
                return read_chunk();
            }
        }
        deliver_chunk(std::move(*shared), to, reached_present, at_us);
    });
}

void Impl::deliver_chunk(std::vector<ProfileEntry> entries, TimestampUs to, bool reached_present, TimestampUs at_us) {
    if (entries.empty()) {
        if (reached_present) return finish_profile_poll();
        poll.scan_from = to;  // a hole in the meter's records: look further
        return read_chunk();
    }
    const ProfileOptions& po = profile_options();
    const ProfileState& p = profile();
    const TimestampUs period = p.period.count();
    ReadBatch batch;
    batch.meter = options.id;
    batch.task = "profile:" + po.name;
    batch.durable = true;
    poll.chunk_max_end = entries.front().end_us;
    poll.chunk_refilled = 0;
    const TimestampUs meter_now = at_us + meter_offset_ms.value_or(0) * 1000;
    for (const auto& e : entries) {
        std::uint32_t q = e.status ? interval_status_quality(*e.status) : quality::good;
        if (e.time_suspect) q |= quality::meter_clock_suspect;  // see ProfileEntry::time_suspect
        // Read later than one period after its end: its regular poll was missed. Measured
        // on the meter's clock (it closes intervals by it), so a meter a little slow is
        // not mistaken for a missed poll.
        if (meter_now > e.end_us + period) {
            q |= quality::refilled;
            if (poll.chunk_refilled++ == 0) poll.chunk_refill_from = e.end_us;
            poll.chunk_refill_to = e.end_us;
        }
        poll.chunk_max_end = std::max(poll.chunk_max_end, e.end_us);
        const auto add = [&](const std::string& point, std::optional<double> v, const std::string& unit) {
            batch.readings.push_back(Reading{options.id, point, e.end_us, v.value_or(0.0), unit,
                                             v ? q : (q | quality::invalid), Source::dlms});
        };
        for (std::size_t c = 0; c < po.channels.size(); ++c) {
            const auto& column = p.channel_columns[c];
            if (!column) continue;
            std::optional<double> v = *column < e.values.size() ? e.values[*column] : std::nullopt;
            if (v) *v *= po.channels[c].scale;
            add(po.channels[c].point, v, po.channels[c].unit);
        }
        if (!po.status_point.empty() && e.status) add(po.status_point, static_cast<double>(*e.status), "");
    }
    poll.chunk_intervals = entries.size();
    poll.chunk_readings = batch.readings.size();
    const std::uint64_t token = ++poll.done_token;
    poll.awaiting_done = true;
    if (batch.readings.empty() || !on_readings) return on_chunk_stored(gen, token, true, to, reached_present);
    std::weak_ptr<Impl> weak = shared_from_this();
    auto done = [weak, ex = executor, g = gen, token, to, reached_present](bool stored) {
        boost::asio::post(ex, [weak, g, token, stored, to, reached_present] {
            if (const auto self = weak.lock()) self->on_chunk_stored(g, token, stored, to, reached_present);
        });
    };
    on_readings(std::move(batch), std::move(done));
}

void Impl::on_chunk_stored(std::uint64_t g, std::uint64_t token, bool stored, TimestampUs to, bool reached_present) {
    if (abandoned || g != gen || !poll.awaiting_done || token != poll.done_token) return;
    poll.awaiting_done = false;
    if (!stored) return profile_failed("readings not stored; the pointer stays");
    ProfileState& p = profile();
    const TimestampUs before = p.pointer.value_or(0);
    p.pointer = std::max(before, poll.chunk_max_end);
    p.pointer_stored = true;
    if (poll.chunk_refilled > 0) {
        if (poll.refilled == 0) poll.refill_from = poll.chunk_refill_from;
        poll.refill_to = poll.chunk_refill_to;
        poll.refilled += poll.chunk_refilled;
    }
    update_stats([&](ClientStats& s) {
        auto& ps = s.profiles[poll.index];
        ps.intervals += poll.chunk_intervals;
        ps.refilled += poll.chunk_refilled;
        ps.last_end_us = p.pointer;
        s.readings += poll.chunk_readings;
    });
    if (reached_present) return finish_profile_poll();
    // Next range from the pointer; past this range when the pointer did not move beyond it.
    poll.scan_from = *p.pointer > poll.scan_from ? *p.pointer : to;
    read_chunk();
}

void Impl::report_refills() {
    if (poll.refilled == 0 && poll.lost == 0) return;
    const ProfileOptions& po = profile_options();
    const bool any = poll.refilled > 0;
    logger.info("dlms", options.id + ": profile " + po.name + ": " + std::to_string(poll.refilled) +
                            " intervals refilled, " + std::to_string(poll.lost) + " lost");
    emit("dlms_profile_refilled",
         "{\"profile\":" + json_quote(po.name) + ",\"from\":" + (any ? json_quote(iso(poll.refill_from)) : "null") +
             ",\"to\":" + (any ? json_quote(iso(poll.refill_to)) : "null") +
             ",\"intervals\":" + std::to_string(poll.refilled) + ",\"lost\":" + std::to_string(poll.lost) +
             ",\"entries_in_use\":" + std::to_string(poll.entries_in_use) +
             ",\"profile_entries\":" + std::to_string(poll.profile_entries) + "}");
    poll.refilled = 0;
    poll.lost = 0;
}

void Impl::profile_failed(const std::string& why) {
    report_refills();  // what was stored before the failure
    ProfileState& p = profile();
    ++p.failures;
    Duration delay = options.retry_min;
    for (unsigned i = 1; i < p.failures && delay < options.retry_max; ++i) delay *= 2;
    p.retry_at = SteadyClock::now() + std::min(delay, options.retry_max);
    logger.warn("dlms", options.id + ": profile " + profile_options().name + ": " + why);
    end_task(Outcome::ok);  // the meter answered: communication is fine
}

void Impl::finish_profile_poll() {
    report_refills();
    ProfileState& p = profile();
    p.requested = false;
    p.failures = 0;
    p.retry_at = {};
    // From when the poll started: a boundary passed while it ran is read at once. The
    // boundaries are the meter's (it closes an interval by its own clock): with its last
    // measured offset, a meter running slow is read when its interval has ended, not
    // before.
    const TimestampUs offset_us = meter_offset_ms.value_or(0) * 1000;
    p.due_us = next_after_boundary(poll.started_us + offset_us, p.period, profile_options().poll_delay) - offset_us;
    end_task(Outcome::ok);
}

}  // namespace gridgate::dlms::detail
