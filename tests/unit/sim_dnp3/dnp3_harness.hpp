#pragma once
// A scripted DNP3 master for the pure outstation tests: it builds requests with the codec,
// hands the outstation link frames, and decodes what comes back (link frames, transport
// segments, response fragments). Time is explicit: advance() moves both clocks.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gridgate/dnp3/app.hpp"
#include "gridgate/dnp3/link.hpp"
#include "gridgate/dnp3/transport.hpp"
#include "gridgate/sim/dnp3_outstation.hpp"

namespace dnp3_test {

using namespace gridgate;
using namespace gridgate::sim;
namespace d = gridgate::dnp3;

inline const SteadyTime t0 = SteadyTime{} + std::chrono::hours(100);
// x.250 s past a whole minute: a 2 s freeze period's next boundary is 1.75 s away.
inline constexpr TimestampUs utc0 = 1'763'700'000'250'000;
inline constexpr std::uint16_t master_address = 100;

struct Decoded {
    std::vector<d::LinkFrame> frames;    // every frame the outstation sent
    std::vector<d::Response> responses;  // the application fragments they carried
};

// Points of one group in a response, in order.
inline std::vector<d::PointValue> points_of(const d::Response& r, std::uint8_t group) {
    std::vector<d::PointValue> out;
    for (const auto& p : r.points)
        if (p.group == group) out.push_back(p);
    return out;
}

inline const d::ObjectHeader* header_of(const d::Response& r, std::uint8_t group) {
    for (const auto& h : r.headers)
        if (h.group == group) return &h;
    return nullptr;
}

class Harness {
public:
    explicit Harness(Dnp3Options options = {}, std::uint64_t seed = 7, TimestampUs utc = utc0)
        : now{t0, utc}, options_(options) {
        o = std::make_unique<Dnp3Outstation>("dnp1", MeterModel(MapLayout{}, seed, t0), options, now, 99);
        o->set_log_sink([this](std::string_view line) { log.emplace_back(line); });
    }

    void advance(Duration d) {
        now.steady += d;
        now.utc_us += d.count();
    }

    // One link frame from the master; what the outstation sent back, decoded.
    Decoded frame(const d::LinkHeader& h, std::vector<std::uint8_t> user_data = {}) {
        std::vector<Dnp3Transmit> out;
        o->on_frame(channel, d::LinkFrame{h, std::move(user_data)}, now, out);
        return decode(out);
    }

    d::LinkHeader user_data_header(std::uint16_t destination = 0) const {
        return d::primary_header(d::PrimaryFunction::unconfirmed_user_data,
                                 destination == 0 ? options_.address : destination, master_address, true);
    }

    // A request fragment, segmented and sent as unconfirmed user data.
    Decoded send(const std::vector<std::uint8_t>& fragment, std::uint16_t destination = 0) {
        Decoded all;
        for (auto& segment : d::segment_fragment(fragment, tx_seq_)) {
            Decoded part = frame(user_data_header(destination), segment);
            append(all, part);
        }
        return all;
    }

    d::AppControl next_control() {
        return d::AppControl{true, true, false, false, static_cast<std::uint8_t>(app_seq_++ & 0x0F)};
    }

    // Requests expecting exactly one response fragment.
    d::Response request(const std::vector<std::uint8_t>& fragment) {
        Decoded got = send(fragment);
        REQUIRE(got.responses.size() == 1);
        return got.responses.front();
    }
    d::Response read(std::vector<d::ReadItem> items) { return request(d::encode_read(next_control(), items)); }
    d::Response read(std::uint8_t group, std::uint8_t variation, d::Qualifier q = d::Qualifier::all) {
        d::ReadItem item;
        item.group = group;
        item.variation = variation;
        item.qualifier = q;
        return read(std::vector<d::ReadItem>{item});
    }
    d::Response read_class0() {
        return request(d::encode_class_read(next_control(), d::ClassSet{true, false, false, false}));
    }
    d::Response read_class1() { return request(d::encode_class_read(next_control(), d::ClassSet::events())); }
    Decoded confirm(std::uint8_t seq) { return send(d::encode_confirm(seq)); }

    Decoded timer() {
        std::vector<Dnp3Transmit> out;
        o->on_timer(now, out);
        return decode(out);
    }

    // Link frames and application fragments in `out`.
    Decoded decode(const std::vector<Dnp3Transmit>& out) {
        Decoded got;
        for (const auto& t : out) {
            std::vector<d::LinkFrame> frames;
            parser_.feed(t.bytes, frames);
            for (auto& f : frames) {
                const bool data =
                    f.header.prm &&
                    (f.header.function == static_cast<std::uint8_t>(d::PrimaryFunction::unconfirmed_user_data) ||
                     f.header.function == static_cast<std::uint8_t>(d::PrimaryFunction::confirmed_user_data));
                if (data && reassembler_.push(f.user_data) == d::Reassembler::Result::complete) {
                    const std::vector<std::uint8_t> fragment = reassembler_.take();
                    auto parsed = d::parse_response(fragment);
                    if (const auto* error = std::get_if<d::ParseError>(&parsed))
                        FAIL("response does not parse: " << error->message);
                    got.responses.push_back(std::get<d::Response>(parsed));
                    fragment_sizes.push_back(fragment.size());
                }
                got.frames.push_back(std::move(f));
            }
        }
        return got;
    }

    const d::LinkParser& parser() const { return parser_; }

    Dnp3Now now;
    std::unique_ptr<Dnp3Outstation> o;
    std::vector<std::string> log;
    std::vector<std::size_t> fragment_sizes;
    Dnp3ChannelId channel = 1;

private:
    static void append(Decoded& all, Decoded& part) {
        for (auto& f : part.frames) all.frames.push_back(std::move(f));
        for (auto& r : part.responses) all.responses.push_back(std::move(r));
    }

    Dnp3Options options_;
    std::uint8_t app_seq_ = 0;
    std::uint8_t tx_seq_ = 0;
    d::LinkParser parser_;
    d::Reassembler reassembler_;
};

}  // namespace dnp3_test
