#include <catch2/catch.hpp>

#include "gridgate/sim/request_handler.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using sim_test::hex;
using sim_test::pdu;
using sim_test::t0;

namespace {

struct Fixture {
    MeterModel model{MapLayout{}, 1, t0};
    HandlerOptions options;

    HandledRequest send(const std::vector<std::byte>& request) { return handle_request(model, options, request, t0); }
    std::string reply(const std::vector<std::byte>& request) { return hex(send(request).response); }
};

}  // namespace

TEST_CASE("function codes the meter does not support give exception 01", "[sim][handler]") {
    Fixture f;
    CHECK(f.reply(pdu(0x06, 0x16, 1)) == "86 01");
    CHECK(f.reply(hex("08 00 00 12 34")) == "88 01");
    CHECK(f.reply(hex("11")) == "91 01");
    CHECK(f.reply(hex("2b 0e 01 00")) == "ab 01");
    CHECK(f.send(pdu(0x17, 0, 1)).exception);
}

TEST_CASE("writes are illegal functions unless enabled", "[sim][handler]") {
    Fixture f;
    CHECK(f.reply(pdu(0x05, 0, 0xFF00)) == "85 01");
    CHECK(f.reply(hex("0f 00 00 00 02 01 03")) == "8f 01");
    CHECK(f.reply(hex("10 00 00 00 02 04 00 00 00 01")) == "90 01");
    // Even a malformed write is refused as disabled first.
    CHECK(f.reply(hex("10 00 00 00 00 00")) == "90 01");
}

TEST_CASE("quantity 0 or over the protocol limits gives exception 03", "[sim][handler]") {
    Fixture f;
    CHECK(f.reply(pdu(0x01, 0, 0)) == "81 03");
    CHECK(f.reply(pdu(0x02, 0, 0)) == "82 03");
    CHECK(f.reply(pdu(0x03, 0, 0)) == "83 03");
    CHECK(f.reply(pdu(0x04, 0, 0)) == "84 03");
    CHECK(f.reply(pdu(0x01, 0, 2001)) == "81 03");
    CHECK(f.reply(pdu(0x02, 0, 2001)) == "82 03");
    CHECK(f.reply(pdu(0x03, 0, 126)) == "83 03");
    CHECK(f.reply(pdu(0x04, 0, 126)) == "84 03");
    CHECK(f.reply(hex("03 00 00 00")) == "83 03");  // truncated request
}

TEST_CASE("addresses outside the configured map give exception 02", "[sim][handler]") {
    Fixture f;
    CHECK(f.reply(pdu(0x01, 13, 1)).starts_with("01 01"));
    CHECK(f.reply(pdu(0x01, 14, 1)) == "81 02");
    CHECK(f.reply(pdu(0x01, 0, 15)) == "81 02");
    CHECK(f.reply(pdu(0x02, 99, 1)).starts_with("02 01"));
    CHECK(f.reply(pdu(0x02, 100, 1)) == "82 02");
    CHECK(f.reply(pdu(0x02, 0, 101)) == "82 02");
    CHECK(f.reply(pdu(0x03, 298, 2)).starts_with("03 04"));
    CHECK(f.reply(pdu(0x03, 300, 2)) == "83 02");
    CHECK(f.reply(pdu(0x03, 296, 6)) == "83 02");
    CHECK(f.reply(pdu(0x04, 199, 1)).starts_with("04 02"));
    CHECK(f.reply(pdu(0x04, 200, 1)) == "84 02");
    CHECK(f.reply(pdu(0x04, 100, 101)) == "84 02");
    CHECK(f.reply(pdu(0x04, 0xFFFF, 2)) == "84 02");
}

TEST_CASE("the holding-register map follows the configured counter count", "[sim][handler]") {
    MapLayout layout;
    layout.counter_pairs = 10;
    MeterModel model(layout, 1, t0);
    CHECK(hex(handle_request(model, {}, pdu(0x03, 18, 2), t0).response).starts_with("03 04"));
    CHECK(hex(handle_request(model, {}, pdu(0x03, 20, 2), t0).response) == "83 02");
}

TEST_CASE("FC03 must not split a 32-bit counter", "[sim][handler]") {
    Fixture f;
    CHECK(f.reply(pdu(0x03, 1, 2)) == "83 02");   // starts on a low word
    CHECK(f.reply(pdu(0x03, 1, 1)) == "83 02");
    CHECK(f.reply(pdu(0x03, 299, 1)) == "83 02");
    CHECK(f.reply(pdu(0x03, 0, 1)) == "83 03");   // ends on a high word
    CHECK(f.reply(pdu(0x03, 2, 9)) == "83 03");
    CHECK(f.reply(pdu(0x03, 0, 125)) == "83 03");  // the largest odd count
    CHECK(f.send(pdu(0x03, 0, 124)).response.size() == 2 + 248);
}

TEST_CASE("FC03 serves the counters high word first", "[sim][handler]") {
    Fixture f;
    f.model.preset_counter(0, 123'456'789);  // 0x075BCD15
    f.model.preset_counter(1, 0x0001'0000);
    const HandledRequest r = f.send(pdu(0x03, 0, 6));
    CHECK(hex(r.response).starts_with("03 0c 07 5b cd 15 00 01 00 00"));
    REQUIRE(r.served);
    CHECK(r.served->function == 3);
    CHECK(r.served->address == 0);
    CHECK(r.served->count == 6);
    CHECK(r.served->values.size() == 6);
    CHECK(r.served->values[0] == 0x075B);
    CHECK(r.served->values[1] == 0xCD15);
    CHECK_FALSE(r.exception);
}

TEST_CASE("FC01/FC02 answer packed bits and the served record holds 0/1", "[sim][handler]") {
    Fixture f;
    const HandledRequest r = f.send(pdu(0x02, 0, 10));
    CHECK(hex(r.response) == "02 02 1d 00");  // di1 (sync pulse at t=0), trig1-3
    REQUIRE(r.served);
    CHECK(r.served->values == std::vector<std::uint16_t>{1, 0, 1, 1, 1, 0, 0, 0, 0, 0});
    CHECK(f.reply(pdu(0x01, 0, 14)) == "01 02 00 00");
}

TEST_CASE("the handler reads the model at the request's time", "[sim][handler]") {
    Fixture f;
    const auto before = f.model.counter(0);
    const HandledRequest r = handle_request(f.model, f.options, pdu(0x03, 0, 2), t0 + std::chrono::hours(2));
    REQUIRE(r.served);
    const std::uint32_t served = (std::uint32_t{r.served->values[0]} << 16) | r.served->values[1];
    CHECK(served > before);
    CHECK(served == f.model.counter(0));
}

TEST_CASE("coil writes when outputs are allowed", "[sim][handler]") {
    Fixture f;
    f.options.allow_outputs = true;
    CHECK(f.reply(pdu(0x05, 3, 0xFF00)) == "05 00 03 ff 00");
    CHECK(f.reply(pdu(0x05, 14, 0xFF00)) == "85 02");
    CHECK(f.reply(pdu(0x05, 0, 0x1234)) == "85 03");
    CHECK(f.reply(hex("0f 00 0c 00 02 01 03")) == "0f 00 0c 00 02");
    CHECK(f.reply(hex("0f 00 0d 00 02 01 03")) == "8f 02");
    CHECK(f.reply(pdu(0x01, 0, 14)) == "01 02 08 30");  // coils 3, 12, 13 on
}

TEST_CASE("FC16 presets when enabled: pairs only and at most 120 registers", "[sim][handler]") {
    Fixture f;
    f.options.allow_presets = true;
    CHECK(f.reply(hex("10 00 02 00 02 04 00 00 03 e8")) == "10 00 02 00 02");
    CHECK(f.model.counter(1) == 1000u);
    CHECK(f.reply(hex("10 00 03 00 02 04 00 00 03 e8")) == "90 02");  // low word
    CHECK(f.reply(hex("10 00 02 00 01 02 00 00")) == "90 03");        // half a pair
    CHECK(f.reply(hex("10 01 2c 00 02 04 00 00 00 01")) == "90 02");  // past register 299
    CHECK(f.reply(hex("10 00 00 00 02 04 3b 9a ca 00")) == "90 03");  // 1,000,000,000: 10 digits

    std::vector<std::byte> big = hex("10 00 00 00 7a f4");  // 122 registers
    big.resize(big.size() + 244, std::byte{0});
    CHECK(f.reply(big) == "90 03");
    std::vector<std::byte> max = hex("10 00 00 00 78 f0");  // 120 registers
    max.resize(max.size() + 240, std::byte{0});
    CHECK(f.reply(max) == "10 00 00 00 78");
    CHECK(f.model.counter(0) == 0u);
}
