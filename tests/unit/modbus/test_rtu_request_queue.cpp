// The order reads get the line: priority, then round robin, then FIFO.
#include <catch2/catch.hpp>

#include "gridgate/modbus/rtu_request_queue.hpp"

using namespace gridgate::modbus;

namespace {

QueuedRead read_for(std::uint8_t unit, std::uint16_t address, Priority priority = Priority::normal) {
    QueuedRead r;
    r.call.unit_id = unit;
    r.call.request = ReadRequest{FunctionCode::read_holding_registers, address, 1};
    r.call.priority = priority;
    return r;
}

const auto any_unit = [](std::uint8_t) { return true; };

// (unit, address) of everything popped, in order.
std::vector<std::pair<int, int>> drain(RtuRequestQueue& q) {
    std::vector<std::pair<int, int>> out;
    while (auto r = q.pop_next(any_unit)) out.emplace_back(r->call.unit_id, r->call.request.address);
    return out;
}

}  // namespace

TEST_CASE("higher priority goes first, whatever the arrival order") {
    RtuRequestQueue q;
    q.push(read_for(1, 10, Priority::low));
    q.push(read_for(2, 20, Priority::normal));
    q.push(read_for(3, 30, Priority::high));
    q.push(read_for(4, 40, Priority::normal));
    // Within normal, the turn passes on from the address served last (3): 4, then 2.
    const std::vector<std::pair<int, int>> expected{{3, 30}, {4, 40}, {2, 20}, {1, 10}};
    CHECK(drain(q) == expected);
    CHECK(q.empty());
}

TEST_CASE("slaves take turns, and each slave's reads keep their order") {
    RtuRequestQueue q;
    for (std::uint16_t i = 0; i < 3; ++i) q.push(read_for(7, i));
    for (std::uint16_t i = 0; i < 3; ++i) q.push(read_for(2, 100 + i));
    q.push(read_for(5, 50));
    const std::vector<std::pair<int, int>> expected{{2, 100}, {5, 50}, {7, 0}, {2, 101}, {7, 1}, {2, 102}, {7, 2}};
    CHECK(drain(q) == expected);
}

TEST_CASE("round robin resumes after the slave served last, across pops") {
    RtuRequestQueue q;
    q.push(read_for(1, 0));
    q.push(read_for(2, 0));
    CHECK(q.pop_next(any_unit)->call.unit_id == 1);
    // Slave 1 queues again at once (its next block): slave 2 still comes first.
    q.push(read_for(1, 1));
    CHECK(q.pop_next(any_unit)->call.unit_id == 2);
    CHECK(q.pop_next(any_unit)->call.unit_id == 1);
}

TEST_CASE("ineligible slaves are passed over without losing their reads") {
    RtuRequestQueue q;
    q.push(read_for(1, 0));
    q.push(read_for(2, 0));
    auto not_one = [](std::uint8_t unit) { return unit != 1; };
    CHECK(q.pop_next(not_one)->call.unit_id == 2);
    CHECK_FALSE(q.pop_next(not_one));
    CHECK(q.size() == 1);
    CHECK(q.pop_next(any_unit)->call.unit_id == 1);
}

TEST_CASE("a slave's reads can be taken out all at once") {
    RtuRequestQueue q;
    q.push(read_for(1, 0, Priority::high));
    q.push(read_for(1, 1, Priority::low));
    q.push(read_for(2, 0));
    CHECK(q.units() == std::vector<std::uint8_t>{1, 2});
    const auto taken = q.take_unit(1);
    CHECK(taken.size() == 2);
    CHECK(q.size() == 1);
    CHECK(q.units() == std::vector<std::uint8_t>{2});
    CHECK(q.take_all().size() == 1);
    CHECK(q.empty());
}
