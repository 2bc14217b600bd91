// ClientSession tasks: identification (a swapped meter), registers (value and scaler_unit),
// and the clock: offset checks and sets outside the capture-boundary guard.
#include <cmath>
#include <cstdlib>

#include "client_impl.hpp"

namespace gridgate::dlms::detail {

namespace {

std::string number_or_null(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "null"; }

std::int64_t ms(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

}  // namespace

void Impl::report_access_error(const std::string& what, AccessResult result) {
    update_stats([](ClientStats& s) { ++s.access_errors; });
    if (once("access:" + what))
        logger.warn("dlms", options.id + ": " + what + ": " + to_string(result) + " (reported once per association)");
}

// ------------------------------------------------------------------ identification

void Impl::run_identity() {
    std::vector<GetItem> items;
    for (const auto& id : options.identity) items.push_back(GetItem{{id.class_id, id.obis, 2}, std::nullopt});
    get_many(std::move(items), [this](std::vector<Got> got) {
        bool mismatch = false;
        for (std::size_t i = 0; i < got.size() && i < options.identity.size(); ++i) {
            const IdentityOptions& id = options.identity[i];
            if (!got[i].result.data) {
                report_access_error("identity " + id.name + " " + id.obis.to_string(), got[i].result.result);
                continue;
            }
            const auto text = identity_text(*got[i].result.data);
            if (!text) {
                if (once("identity-type:" + id.name))
                    logger.warn("dlms", options.id + ": identity " + id.name + " is not text or a number: " +
                                            describe(*got[i].result.data));
                continue;
            }
            update_stats([&](ClientStats& s) { s.identity[id.name] = *text; });
            if (id.expected.empty() || *text == id.expected) continue;
            mismatch = true;
            if (once("identity:" + id.name)) {
                logger.warn("dlms", options.id + ": identity " + id.name + " is " + json_escape(*text) +
                                        ", expected " + json_escape(id.expected) +
                                        (options.identity_blocks ? "; other tasks stop" : ""));
                emit("dlms_identity_mismatch",
                     "{\"object\":" + json_escape(id.name) + ",\"obis\":" + json_escape(id.obis.to_string()) +
                         ",\"expected\":" + json_escape(id.expected) + ",\"actual\":" + json_escape(*text) + "}");
            }
        }
        identity_blocked = options.identity_blocks && mismatch;
        end_task(Outcome::ok);
    });
}

// ------------------------------------------------------------------ registers

void Impl::run_registers() {
    // scaler_unit once per association, for class-3 registers whose scale or unit is not
    // configured.
    auto need = std::make_shared<std::vector<std::size_t>>();
    std::vector<GetItem> items;
    for (std::size_t i = 0; i < options.registers.size(); ++i) {
        const RegisterOptions& r = options.registers[i];
        if (r.class_id != 3 || (r.scale && !r.unit.empty()) || scalers.count(i) != 0) continue;
        need->push_back(i);
        items.push_back(GetItem{{r.class_id, r.obis, 3}, std::nullopt});
    }
    if (items.empty()) return read_register_values();
    get_many(std::move(items), [this, need](std::vector<Got> got) {
        for (std::size_t k = 0; k < got.size() && k < need->size(); ++k) {
            const RegisterOptions& r = options.registers[(*need)[k]];
            if (!got[k].result.data) {
                report_access_error("register " + r.point + " scaler_unit", got[k].result.result);
                continue;
            }
            if (const auto su = parse_scaler_unit(*got[k].result.data)) scalers[(*need)[k]] = *su;
            else if (once("scaler:" + r.point))
                logger.warn("dlms", options.id + ": register " + r.point + ": scaler_unit is not {scaler, unit}: " +
                                        describe(*got[k].result.data));
        }
        read_register_values();
    });
}

void Impl::read_register_values() {
    // A class-3 register whose scaler could not be read is not stored: a value off by a
    // power of ten is worse than none.
    std::vector<std::size_t> which;
    std::vector<GetItem> items;
    for (std::size_t i = 0; i < options.registers.size(); ++i) {
        const RegisterOptions& r = options.registers[i];
        const bool needs = r.class_id == 3 && !(r.scale && !r.unit.empty());
        if (needs && scalers.count(i) == 0) continue;
        which.push_back(i);
        items.push_back(GetItem{{r.class_id, r.obis, 2}, std::nullopt});
    }
    if (items.empty()) return end_task(Outcome::ok);
    get_many(std::move(items), [this, which](std::vector<Got> got) {
        ReadBatch batch;
        batch.meter = options.id;
        batch.task = "registers";
        for (std::size_t k = 0; k < got.size() && k < which.size(); ++k) {
            const std::size_t i = which[k];
            const RegisterOptions& r = options.registers[i];
            if (!got[k].result.data) {
                report_access_error("register " + r.point + " " + r.obis.to_string(), got[k].result.result);
                continue;
            }
            const auto raw = got[k].result.data->as_double();
            if (!raw) {
                if (once("value:" + r.point))
                    logger.warn("dlms", options.id + ": register " + r.point + " is not a number: " +
                                            describe(*got[k].result.data));
                continue;
            }
            const auto su = scalers.find(i);
            Reading reading;
            reading.meter = options.id;
            reading.point = r.point;
            reading.ts_us = got[k].at_us;
            if (r.scale) reading.value = *raw * *r.scale;
            else if (su != scalers.end()) reading.value = *raw * std::pow(10.0, su->second.scaler);
            else reading.value = *raw;
            if (!r.unit.empty()) reading.unit = r.unit;
            else if (su != scalers.end()) reading.unit = unit_name(su->second.unit);
            reading.source = Source::dlms;
            batch.readings.push_back(std::move(reading));
        }
        const std::size_t n = batch.readings.size();
        update_stats([n](ClientStats& s) { s.readings += n; });
        if (n > 0 && on_readings) on_readings(std::move(batch), [](bool) {});
        end_task(Outcome::ok);
    });
}

// ------------------------------------------------------------------ clock

void Impl::read_clock(std::function<void(std::optional<std::int64_t>)> then) {
    get(GetItem{{8, obis::clock, 2}, std::nullopt}, [this, then = std::move(then)](Got got) {
        if (!got.result.data) {
            report_access_error("clock time", got.result.result);
            return then(std::nullopt);
        }
        const auto t = as_date_time(*got.result.data);
        const auto utc = t ? to_utc_us(*t, options.time) : std::nullopt;
        if (!utc) {
            if (once("clock-value"))
                logger.warn("dlms", options.id + ": the meter's clock is not a complete date-time: " +
                                        describe(*got.result.data));
            return then(std::nullopt);
        }
        meter_time = MeterTimeBasis{t->deviation, t->status, true};
        clock_read = true;
        // The meter read its clock between our request leaving and its answer arriving.
        one_way_us = std::max<TimestampUs>(0, (got.at_us - got.sent_us) / 2);
        const TimestampUs midpoint = got.sent_us + one_way_us;
        const std::int64_t offset = std::llround(static_cast<double>(*utc - midpoint) / 1000.0);
        meter_offset_ms = offset;
        update_stats([offset](ClientStats& s) { s.last_offset_ms = offset; });
        then(offset);
    });
}

bool Impl::clock_set_allowed() const { return options.clock_set && !time_set_refused && !identity_blocked; }

TimestampUs Impl::clock_set_not_before() const {
    std::vector<Duration> periods;
    for (const auto& p : profiles)
        if (p.period.count() > 0) periods.push_back(p.period);
    return guard_clear_at(clock.now_utc_us(), periods, options.clock_guard, meter_offset_ms.value_or(0) * 1000);
}

void Impl::run_clock_check() {
    read_clock([this](std::optional<std::int64_t> offset) {
        if (offset) {
            const std::int64_t tolerance = ms(options.clock_tolerance);
            const bool beyond = std::llabs(*offset) > tolerance;
            emit("dlms_time_checked", "{\"offset_ms\":" + std::to_string(*offset) + ",\"tolerance_ms\":" +
                                          std::to_string(tolerance) + ",\"beyond_tolerance\":" +
                                          (beyond ? "true" : "false") + "}");
            if (beyond && clock_set_allowed() && !clock_set_reason) clock_set_reason = "tolerance";
        }
        end_task(Outcome::ok);
    });
}

void Impl::run_clock_set() {
    const std::string reason = clock_set_reason.value_or("tolerance");
    if (!options.clock_set || (reason == "tolerance" && !clock_set_allowed())) return end_task(Outcome::ok);
    if (!granted(conformance::set)) {
        time_set_refused = true;
        emit("dlms_time_set_failed", "{\"offset_ms\":" + number_or_null(meter_offset_ms) +
                                         ",\"result\":\"set-not-granted\",\"reason\":" + json_escape(reason) + "}");
        return end_task(Outcome::ok);
    }
    read_clock([this, reason](std::optional<std::int64_t> before) {
        offset_before = before;
        if (reason == "tolerance" && before && std::llabs(*before) <= ms(options.clock_tolerance))
            return end_task(Outcome::ok);  // back in tolerance since the check
        set(
            AttributeDescriptor{8, obis::clock, 2},
            [this] {
                // Our time as the SET arrives, the way the meter's clock shows time.
                const CosemDateTime t = meter_time_at(clock.now_utc_us() + one_way_us, meter_time, options.time);
                const auto octets = encode_date_time(t);
                return Data::octet_string(std::vector<std::uint8_t>(octets.begin(), octets.end()));
            },
            [this, reason](AccessResult result) {
                if (result != AccessResult::success) {
                    time_set_refused = true;  // no further automatic set this association
                    update_stats([](ClientStats& s) { ++s.access_errors; });
                    logger.warn("dlms", options.id + ": clock set refused: " + to_string(result));
                    emit("dlms_time_set_failed", "{\"offset_ms\":" + number_or_null(offset_before) +
                                                     ",\"result\":" + json_escape(to_string(result)) +
                                                     ",\"reason\":" + json_escape(reason) + "}");
                    return end_task(Outcome::ok);
                }
                read_clock([this, reason](std::optional<std::int64_t> after) {
                    update_stats([](ClientStats& s) { ++s.time_sets; });
                    const std::string detail = "{\"offset_before_ms\":" + number_or_null(offset_before) +
                                               ",\"offset_after_ms\":" + number_or_null(after) +
                                               ",\"reason\":" + json_escape(reason) + "}";
                    logger.info("dlms", options.id + ": clock set " + detail);
                    emit("dlms_time_set", detail);
                    end_task(Outcome::ok);
                });
            });
    });
}

}  // namespace gridgate::dlms::detail
