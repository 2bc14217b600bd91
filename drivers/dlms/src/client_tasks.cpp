// ClientSession tasks: identification (a swapped meter) and registers (value and
// scaler_unit). The clock: client_clock.cpp.
#include <cmath>

#include "client_impl.hpp"

namespace gridgate::dlms::detail {

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
                logger.warn("dlms", options.id + ": identity " + id.name + " is " + json_quote(*text) +
                                        ", expected " + json_quote(id.expected) +
                                        (options.identity_blocks ? "; other tasks stop" : ""));
                emit("dlms_identity_mismatch",
                     "{\"object\":" + json_quote(id.name) + ",\"obis\":" + json_quote(id.obis.to_string()) +
                         ",\"expected\":" + json_quote(id.expected) + ",\"actual\":" + json_quote(*text) + "}");
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

}  // namespace gridgate::dlms::detail
