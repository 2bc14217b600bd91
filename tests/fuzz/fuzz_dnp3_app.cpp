// Fuzz target for the DNP3 application layer: responses (what a meter sends the
// gateway), requests (what metersim's outstation parses) and the trace text. Parsers must
// return a value or a ParseError for any input; what parses must survive a round trip:
// a request re-encodes to the same octets when it is in a form the master encodes, and the
// points of a response, written again by ResponseBuilder, parse back to the same values.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gridgate/dnp3/app.hpp"

using namespace gridgate::dnp3;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

bool same_bytes(const std::vector<std::uint8_t>& a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

void request_round_trip(const Request& req, std::span<const std::uint8_t> bytes) {
    switch (req.function) {
        case FunctionCode::read: {
            std::vector<ReadItem> items;
            for (const auto& o : req.objects)
                items.push_back(ReadItem{o.header.group, o.header.variation, o.header.qualifier, o.header.start,
                                         o.header.stop, o.header.count, o.indices});
            check(same_bytes(encode_read(req.control, items), bytes));
            return;
        }
        case FunctionCode::write: {
            if (req.objects.size() != 1) return;
            const auto& o = req.objects[0];
            if (o.time && o.header.qualifier == Qualifier::count_8) {
                const auto again = o.header.variation == 1 ? encode_write_time(req.control, *o.time)
                                                           : encode_write_last_recorded_time(req.control, *o.time);
                check(same_bytes(again, bytes));
            }
            if (o.header.group == 80 && o.header.qualifier == Qualifier::start_stop_8 && o.iin_bits.size() == 1 &&
                o.iin_bits[0] == std::pair<std::uint32_t, bool>{7, false} && bytes.back() == 0)
                check(same_bytes(encode_clear_restart(req.control), bytes));
            return;
        }
        case FunctionCode::confirm:
        case FunctionCode::cold_restart:
        case FunctionCode::warm_restart:
        case FunctionCode::delay_measure:
        case FunctionCode::record_current_time:
            check(req.objects.empty());
            check(same_bytes(encode_function_only(req.control, req.function), bytes));
            return;
        default: check(req.objects.empty()); return;
    }
}

bool same_value(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void response_round_trip(const Response& resp) {
    ResponseBuilder b(1u << 20);
    b.begin(resp.control, resp.iin, resp.function);
    for (const auto& p : resp.points) {
        const std::span<const PointValue> one(&p, 1);
        const std::size_t n = object_size(p.group, p.variation) == 0
                                  ? b.add_range(p.group, p.variation, p.index, one)
                                  : b.add_indexed(p.group, p.variation, Qualifier::index_16, one);
        check(n == 1);
    }
    const auto parsed = parse_response(b.fragment());
    check(std::holds_alternative<Response>(parsed));
    const auto& again = std::get<Response>(parsed);
    check(again.iin == resp.iin && again.control == resp.control);
    check(again.points.size() == resp.points.size());
    for (std::size_t i = 0; i < resp.points.size(); ++i) {
        const auto& x = resp.points[i];
        const auto& y = again.points[i];
        check(x.kind == y.kind && x.group == y.group && x.variation == y.variation && x.index == y.index);
        check(same_value(x.value, y.value) && x.flags == y.flags && x.has_flags == y.has_flags);
        check(x.time == y.time);
        check(!x.time || *x.time < (std::uint64_t{1} << 48));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);

    const auto resp = parse_response(bytes);
    if (const auto* r = std::get_if<Response>(&resp)) response_round_trip(*r);
    else check(std::get<ParseError>(resp).offset <= size);

    const auto req = parse_request(bytes);
    if (const auto* r = std::get_if<Request>(&req)) request_round_trip(*r, bytes);
    else check(std::get<ParseError>(req).offset <= size);

    (void)describe_fragment(bytes);
    return 0;
}
