#pragma once
// A ClientSession against the fake meter over a MemoryLine. Everything runs on one
// io_context the test drives; timeouts are tens of milliseconds (real asio timers), wall
// time is a FakeClock the test (or the meter's answer_delay) moves.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fake_meter.hpp"
#include "gridgate/dlms/client.hpp"
#include "gridgate/testing/memory_line.hpp"
#include "gridgate/testing/recording_logger.hpp"

namespace gridgate::dlms::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// 2026-03-02T10:00:00Z, a Monday, far from any DST change.
inline constexpr TimestampUs t0 = 1'772'445'600'000'000;
inline constexpr TimestampUs minute_us = 60'000'000;

struct Harness {
    explicit Harness(bool hdlc = true) : clock(t0), line(io), meter(line.channel, clock, hdlc) {
        line.on_close = [this] { meter.connection_closed(); };
    }
    ~Harness() {
        session.reset();
        io.restart();
        for (int i = 0; i < 100 && io.poll() > 0; ++i) io.restart();
    }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    // Nothing scheduled but what a test asks for: no identity, registers, clock or profile.
    ClientOptions fast_options() const {
        ClientOptions o;
        o.id = "m1";
        o.transport = meter.hdlc ? TransportKind::hdlc : TransportKind::tcp_wrapper;
        o.client_sap = 16;
        o.response_timeout = 60ms;
        o.idle_release = 10s;
        o.retry_min = 40ms;
        o.retry_max = 160ms;
        o.register_period = Duration{0};
        o.clock_check_period = Duration{0};
        o.wall_clock_recheck = 5ms;
        return o;
    }

    void start(ClientOptions o) {
        session = std::make_unique<ClientSession>(
            line, clock, std::move(o),
            [this](ReadBatch batch, std::function<void(bool)> done) {
                batches.push_back(batch);
                dones.push_back(done);
                if (auto_store) done(store_result);
            },
            [this](ClientEvent e) { events.push_back(std::move(e)); }, logger);
        session->start();
    }

    template <class Pred>
    bool run_until(Pred pred, std::chrono::milliseconds guard = 5s) {
        const auto deadline = SteadyClock::now() + guard;
        while (!pred()) {
            if (SteadyClock::now() > deadline) return false;
            io.run_one_for(5ms);
            if (io.stopped()) io.restart();
        }
        return true;
    }
    void run_for(std::chrono::milliseconds d) {
        const auto until = SteadyClock::now() + d;
        while (SteadyClock::now() < until) {
            io.run_one_for(std::chrono::duration_cast<std::chrono::milliseconds>(until - SteadyClock::now()) + 1ms);
            if (io.stopped()) io.restart();
        }
    }
    bool stop() {
        bool done = false;
        session->stop([&] { done = true; });
        return run_until([&] { return done; });
    }

    std::size_t count_events(const std::string& kind) const {
        std::size_t n = 0;
        for (const auto& e : events)
            if (e.kind == kind) ++n;
        return n;
    }
    const ClientEvent* last_event(const std::string& kind) const {
        for (auto it = events.rbegin(); it != events.rend(); ++it)
            if (it->kind == kind) return &*it;
        return nullptr;
    }
    std::vector<Reading> readings(const std::string& task, const std::string& point = {}) const {
        std::vector<Reading> out;
        for (const auto& b : batches)
            if (b.task == task)
                for (const auto& r : b.readings)
                    if (point.empty() || r.point == point) out.push_back(r);
        return out;
    }
    ClientStats stats() const { return session->stats(); }

    asio::io_context io;
    FakeClock clock;
    gridgate::testing::RecordingLogger logger{LogLevel::warn, false};
    gridgate::testing::MemoryLine line;
    FakeMeter meter;
    bool auto_store = true;
    bool store_result = true;
    std::vector<ReadBatch> batches;
    std::vector<std::function<void(bool)>> dones;
    std::vector<ClientEvent> events;
    std::unique_ptr<ClientSession> session;
};

}  // namespace gridgate::dlms::testing
