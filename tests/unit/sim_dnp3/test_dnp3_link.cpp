// The data link layer: RESET_LINK_STATES / TEST_LINK_STATES / REQUEST_LINK_STATUS,
// CONFIRMED_USER_DATA with FCB checking, and our own confirmed sending with retries.
#include "dnp3_harness.hpp"

using namespace dnp3_test;
using PF = d::PrimaryFunction;
using SF = d::SecondaryFunction;

namespace {

d::LinkHeader from_master(PF f, bool fcb = false, bool fcv = false) {
    return d::primary_header(f, 1, master_address, true, fcb, fcv);
}

bool is_secondary(const d::LinkFrame& f, SF function) {
    return !f.header.prm && f.header.function == static_cast<std::uint8_t>(function) && !f.header.dir &&
           f.header.destination == master_address && f.header.source == 1;
}

bool is_primary(const d::LinkFrame& f, PF function) {
    return f.header.prm && f.header.function == static_cast<std::uint8_t>(function) && !f.header.dir;
}

std::vector<std::uint8_t> class0_segment(std::uint8_t seq) {
    std::uint8_t tseq = seq;
    const auto request =
        d::encode_class_read(d::AppControl{true, true, false, false, seq}, d::ClassSet{true, false, false, false});
    return d::segment_fragment(request, tseq).front();
}

}  // namespace

TEST_CASE("dnp3 link: status, reset, and confirmed user data with the frame count bit", "[sim][dnp3][link]") {
    Harness h;
    const Decoded status = h.frame(from_master(PF::request_link_status));
    REQUIRE(status.frames.size() == 1);
    CHECK(is_secondary(status.frames[0], SF::link_status));

    // Before a reset, confirmed frames are ignored.
    CHECK(h.frame(from_master(PF::confirmed_user_data, true, true), class0_segment(0)).frames.empty());
    CHECK(h.frame(from_master(PF::test_link_states, true, true)).frames.empty());
    CHECK(h.o->stats().link.not_reset == 2);

    const Decoded reset = h.frame(from_master(PF::reset_link_states));
    REQUIRE(reset.frames.size() == 1);
    CHECK(is_secondary(reset.frames[0], SF::ack));

    // FCB expected 1 after a reset; a test frame with it toggles the expectation.
    const Decoded test = h.frame(from_master(PF::test_link_states, true, true));
    REQUIRE(test.frames.size() == 1);
    CHECK(is_secondary(test.frames[0], SF::ack));

    const Decoded first = h.frame(from_master(PF::confirmed_user_data, false, true), class0_segment(1));
    REQUIRE(first.frames.size() == 2);
    CHECK(is_secondary(first.frames[0], SF::ack));  // the ACK comes before the response
    CHECK(first.responses.size() == 1);

    // The same FCB again is a repetition (our ACK was lost): ACK, but no second execution.
    const Decoded repeated = h.frame(from_master(PF::confirmed_user_data, false, true), class0_segment(1));
    REQUIRE(repeated.frames.size() == 1);
    CHECK(is_secondary(repeated.frames[0], SF::ack));
    CHECK(h.o->stats().link.repeated_fcb == 1);
    CHECK(h.o->stats().requests == 1);

    const Decoded next = h.frame(from_master(PF::confirmed_user_data, true, true), class0_segment(2));
    CHECK(next.responses.size() == 1);
    CHECK(h.o->stats().requests == 2);

    // An unknown link function is answered NOT_SUPPORTED.
    d::LinkHeader odd = from_master(PF::reset_link_states);
    odd.function = 14;
    const Decoded unsupported = h.frame(odd);
    REQUIRE(unsupported.frames.size() == 1);
    CHECK(is_secondary(unsupported.frames[0], SF::not_supported));
    // Frames for another address are not ours to answer.
    d::LinkHeader other = from_master(PF::request_link_status);
    other.destination = 7;
    CHECK(h.frame(other).frames.empty());
}

TEST_CASE("dnp3 link: with confirm mode always, responses go confirmed after our own link reset, with retries",
          "[sim][dnp3][link]") {
    Dnp3Options options;
    options.link_confirm = LinkConfirmMode::always;
    options.link_retries = 2;
    options.link_timeout = std::chrono::milliseconds(500);
    Harness h(options);
    const auto ack = [&] { return h.frame(d::secondary_header(SF::ack, 1, master_address, true)); };

    const Decoded asked = h.send(d::encode_class_read(h.next_control(), d::ClassSet{true, false, false, false}));
    REQUIRE(asked.frames.size() == 1);
    CHECK(is_primary(asked.frames[0], PF::reset_link_states));
    CHECK(asked.responses.empty());

    const Decoded data = ack();
    REQUIRE(data.frames.size() == 1);
    CHECK(is_primary(data.frames[0], PF::confirmed_user_data));
    CHECK(data.frames[0].header.fcb);
    CHECK(data.frames[0].header.fcv);
    CHECK(data.responses.size() == 1);

    // No ACK: sent again after the timeout, twice, then given up.
    h.advance(std::chrono::milliseconds(499));
    CHECK(h.timer().frames.empty());
    h.advance(std::chrono::milliseconds(1));
    const Decoded retry = h.timer();
    REQUIRE(retry.frames.size() == 1);
    CHECK(retry.frames[0] == data.frames[0]);
    h.advance(std::chrono::milliseconds(500));
    CHECK(h.timer().frames.size() == 1);
    h.advance(std::chrono::milliseconds(500));
    CHECK(h.timer().frames.empty());
    CHECK(h.o->stats().link.retries == 2);
    CHECK(h.o->stats().link.failures == 1);

    // The link is reset again before the next response; then the FCB starts at 1 again
    // and alternates.
    const Decoded again = h.send(
        d::encode_read(h.next_control(), std::vector<d::ReadItem>{d::ReadItem{20, 5, d::Qualifier::all, 0, 0, 0, {}}}));
    REQUIRE(again.frames.size() == 1);
    CHECK(is_primary(again.frames[0], PF::reset_link_states));
    const Decoded d1 = ack();
    REQUIRE(d1.frames.size() == 1);
    CHECK(d1.frames[0].header.fcb);
    CHECK(ack().frames.empty());
    const Decoded d2 = h.send(
        d::encode_read(h.next_control(), std::vector<d::ReadItem>{d::ReadItem{20, 5, d::Qualifier::all, 0, 0, 0, {}}}));
    REQUIRE(d2.frames.size() == 1);  // the link is reset: the data goes at once
    CHECK(is_primary(d2.frames[0], PF::confirmed_user_data));
    CHECK_FALSE(d2.frames[0].header.fcb);
    CHECK(ack().frames.empty());
    CHECK(h.o->stats().link.failures == 1);
}

TEST_CASE("dnp3 link: with confirm mode multi, only fragments of several frames are confirmed", "[sim][dnp3][link]") {
    Dnp3Options options;
    options.link_confirm = LinkConfirmMode::multi;
    options.counters = 300;
    Harness h(options);
    const auto ack = [&] { return h.frame(d::secondary_header(SF::ack, 1, master_address, true)); };

    const Decoded small = h.send(d::encode_read(
        h.next_control(), std::vector<d::ReadItem>{d::ReadItem{20, 5, d::Qualifier::count_8, 0, 0, 2, {}}}));
    REQUIRE(small.frames.size() == 1);
    CHECK(is_primary(small.frames[0], PF::unconfirmed_user_data));

    const Decoded big = h.send(
        d::encode_read(h.next_control(), std::vector<d::ReadItem>{d::ReadItem{20, 5, d::Qualifier::all, 0, 0, 0, {}}}));
    REQUIRE(big.frames.size() == 1);
    CHECK(is_primary(big.frames[0], PF::reset_link_states));
    std::size_t data_frames = 0;
    std::size_t responses = 0;
    for (int i = 0; i < 20; ++i) {
        const Decoded next = ack();
        if (next.frames.empty()) break;
        REQUIRE(next.frames.size() == 1);
        CHECK(is_primary(next.frames[0], PF::confirmed_user_data));
        CHECK(next.frames[0].header.fcb == (data_frames % 2 == 0));
        ++data_frames;
        responses += next.responses.size();
    }
    CHECK(data_frames == 5);  // 4 + 7 + 300 x 4 = 1211 octets in 249-octet segments
    CHECK(responses == 1);
}
