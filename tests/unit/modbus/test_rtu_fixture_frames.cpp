// Replays tests/fixtures/frames/modbus_rtu_replies.txt through the reply scanner: frames
// from the specs and the manual, and corruptions of them, each with the verdict a master
// must reach. The same file can seed a fuzzer's corpus.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "frames.hpp"
#include "gridgate/modbus/rtu_reply.hpp"

using namespace gridgate::modbus;
using gridgate::modbus::test::hex;

namespace {

struct Case {
    std::string line;
    bool reply = false;
    std::uint8_t unit = 0;
    ReadRequest request;
    std::vector<std::byte> bytes;
};

std::vector<Case> load() {
    std::ifstream in(std::string(GG_FIXTURES_DIR) + "/frames/modbus_rtu_replies.txt");
    REQUIRE(in);
    std::vector<Case> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto colon = line.find(':');
        std::istringstream head(line.substr(0, colon));
        std::string outcome;
        unsigned unit = 0, fc = 0, address = 0, count = 0;
        head >> outcome >> unit >> fc >> address >> count;
        Case c;
        c.line = line;
        c.reply = outcome == "reply";
        c.unit = static_cast<std::uint8_t>(unit);
        c.request = ReadRequest{static_cast<FunctionCode>(fc), static_cast<std::uint16_t>(address),
                                static_cast<std::uint16_t>(count)};
        c.bytes = hex(line.substr(colon + 1));
        out.push_back(std::move(c));
    }
    return out;
}

// The master's loop over a burst that ended in silence: is any reply found?
bool finds_reply(const Case& c) {
    std::size_t offset = 0;
    while (offset < c.bytes.size()) {
        const auto r = scan_reply(c.unit, c.request, std::span<const std::byte>(c.bytes).subspan(offset), true);
        if (r.kind == ReplyScanKind::reply) return true;
        if (r.kind == ReplyScanKind::need_more) return false;
        offset += r.consumed;
    }
    return false;
}

}  // namespace

TEST_CASE("every fixture frame gets the verdict the file gives it") {
    const auto cases = load();
    REQUIRE(cases.size() >= 10);
    for (const auto& c : cases) {
        INFO(c.line);
        CHECK(finds_reply(c) == c.reply);
    }
}
