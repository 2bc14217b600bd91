#pragma once
// A MasterSession against a scripted outstation over an in-memory line, for the session
// tests. Everything runs on one io_context the test drives; timeouts are tens of
// milliseconds.
//
// MemoryLine: a test-only LineAccess over a MemoryChannel. One lease at a time; like the
// real lines' lease channels it ends a read the holder left pending when the lease is
// released (here by closing the memory channel, re-opened at the next grant).
//
// FakeOutstation: decodes what the master transmits with the codec (link frames, transport
// reassembly, requests) and answers with ResponseBuilder fragments in link frames. It
// keeps a journal of what it received, in order, so tests can check sequences.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/core/time_zone.hpp"
#include "gridgate/dnp3/app.hpp"
#include "gridgate/dnp3/link.hpp"
#include "gridgate/dnp3/master.hpp"
#include "gridgate/dnp3/transport.hpp"
#include "gridgate/transport/line_access.hpp"
#include "gridgate/transport/memory_channel.hpp"

namespace gridgate::dnp3::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// ------------------------------------------------------------------ the line

class MemoryLine final : public transport::LineAccess {
public:
    explicit MemoryLine(asio::io_context& io) : io_(io), channel(io.get_executor()), view_(*this) {}

    void acquire(transport::LineRequest request, transport::LineGrantHandler handler) override {
        owners.push_back(request.owner);
        asio::post(io_, [this, h = std::move(handler)]() mutable {
            queue_.push_back(std::move(h));
            grant_next();
        });
    }
    boost::asio::any_io_executor executor() const override { return io_.get_executor(); }
    std::string line_description() const override { return "memory line"; }

private:
    asio::io_context& io_;

public:
    transport::MemoryChannel channel;
    bool down = false;  // requests are answered with line_down
    std::vector<std::string> owners;
    std::size_t grants = 0;
    std::size_t releases = 0;
    std::size_t failed_releases = 0;
    std::size_t aborted_reads = 0;
    bool held() const { return held_; }

private:
    // The channel the holder sees: the memory channel, with its one read tracked.
    class View final : public transport::ByteChannel {
    public:
        explicit View(MemoryLine& line) : line_(line) {}
        void async_open(transport::ChannelHandler handler) override { line_.channel.async_open(std::move(handler)); }
        bool is_open() const override { return line_.channel.is_open(); }
        void async_read_some(std::span<std::byte> buffer, transport::ReadSomeHandler handler) override {
            ++reads_pending;
            line_.channel.async_read_some(buffer, [this, h = std::move(handler)](const boost::system::error_code& ec,
                                                                                 std::size_t n) {
                --reads_pending;
                h(ec, n);
            });
        }
        void async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                            transport::ChannelHandler handler) override {
            line_.channel.async_transmit(frame, std::move(started), std::move(handler));
        }
        void discard_input() override { line_.channel.discard_input(); }
        void close() override { line_.channel.close(); }
        std::string description() const override { return "memory line lease"; }
        int reads_pending = 0;

    private:
        MemoryLine& line_;
    };

    class Lease final : public transport::LineLease {
    public:
        explicit Lease(MemoryLine& line) : line_(line) {}
        ~Lease() override { release(false); }
        transport::ByteChannel& channel() override { return line_.view_; }
        void release(bool line_failed) override {
            if (released_) return;
            released_ = true;
            line_.on_release(line_failed);
        }

    private:
        MemoryLine& line_;
        bool released_ = false;
    };

    void grant_next() {
        if (held_ || queue_.empty()) return;
        auto handler = std::move(queue_.front());
        queue_.pop_front();
        if (down) {
            handler(transport::LineError::line_down, nullptr);
            return grant_next();
        }
        held_ = true;
        auto grant = [this, handler] {
            channel.discard_input();
            ++grants;
            handler(transport::LineError::none, std::make_unique<Lease>(*this));
        };
        if (channel.is_open()) grant();
        else channel.async_open([grant](const boost::system::error_code&) { grant(); });
    }

    void on_release(bool line_failed) {
        ++releases;
        if (line_failed) ++failed_releases;
        if (view_.reads_pending > 0) ++aborted_reads;
        if (line_failed || view_.reads_pending > 0) channel.close();
        held_ = false;
        asio::post(io_, [this] { grant_next(); });
    }

    View view_;
    std::deque<transport::LineGrantHandler> queue_;
    bool held_ = false;
};

// ------------------------------------------------------------------ the outstation

inline AppControl control(std::uint8_t seq, bool fir = true, bool fin = true, bool con = false) {
    AppControl c;
    c.fir = fir;
    c.fin = fin;
    c.con = con;
    c.uns = false;
    c.seq = seq;
    return c;
}

inline PointValue counter(std::uint32_t index, double value, std::uint8_t group = 20, std::uint8_t variation = 5) {
    PointValue p;
    p.kind = group == 21 ? PointKind::frozen_counter : PointKind::counter;
    p.group = group;
    p.variation = variation;
    p.index = index;
    p.value = value;
    return p;
}

inline PointValue frozen_event(std::uint32_t index, double value, DnpTime time) {
    PointValue p;
    p.kind = PointKind::frozen_counter_event;
    p.group = 23;
    p.variation = 5;
    p.index = index;
    p.value = value;
    p.flags = flags::online;
    p.has_flags = true;
    p.time = time;
    return p;
}

struct Received {
    std::string what;  // "READ g60v2 g60v3 g60v4 g60v1", "CONFIRM 3", "WRITE g50v3", "DELAY_MEASURE", ...
    Request request;
    SteadyClock::time_point at;
    TimestampUs gateway_time_us = 0;  // the FakeClock when it arrived
};

class FakeOutstation {
public:
    FakeOutstation(transport::MemoryChannel& channel, FakeClock& clock, std::uint16_t outstation_address = 10,
                   std::uint16_t master_address = 1)
        : address(outstation_address), master(master_address), channel_(channel), clock_(clock) {
        channel_.on_transmit([this](std::span<const std::byte> bytes) { on_bytes(bytes); });
    }

    // --- behaviour the tests set
    std::uint16_t address;
    std::uint16_t master;
    Iin iin;                                   // sent in every response
    std::int64_t meter_offset_ms = 0;          // meter clock minus gateway clock
    std::uint16_t processing_delay_ms = 0;     // g52v2 in the DELAY_MEASURE answer
    Duration delay_measure_round_trip{0};      // the FakeClock advances this much before that answer
    unsigned ignore_requests = 0;              // requests (not confirms) answered with silence
    unsigned drop_link_frames = 0;             // confirmed user data frames neither ACKed nor read
    unsigned nack_link_frames = 0;             // confirmed user data frames NACKed
    bool confirmed_responses = false;          // responses as CONFIRMED_USER_DATA
    bool clears_restart = true;                // honours WRITE g80v1
    std::optional<TimeZone> zone;              // the clock runs in this zone's local time (g50 local)
    // Answers a request (after the defaults below were not wanted); return true if handled.
    std::function<bool(const Request&)> on_request;

    // --- what happened
    std::vector<Received> journal;
    std::vector<LinkFrame> master_frames;  // every frame the master sent
    std::vector<LinkFrame> master_acks;    // secondary frames the master sent

    std::vector<std::string> whats() const {
        std::vector<std::string> out;
        for (const auto& r : journal) out.push_back(r.what);
        return out;
    }
    std::size_t count(const std::string& prefix) const {
        std::size_t n = 0;
        for (const auto& r : journal)
            if (r.what.rfind(prefix, 0) == 0) ++n;
        return n;
    }

    DnpTime meter_now_ms() const {
        const TimestampUs utc_us = clock_.now_utc_us() + meter_offset_ms * 1000;
        if (!zone) return static_cast<DnpTime>(utc_us / 1000);
        const LocalTime local = zone->to_local(utc_us);
        return static_cast<DnpTime>(local.seconds * 1000 + local.micros / 1000);
    }
    // The UTC ms a g50 time written to this outstation stands for.
    std::int64_t written_utc_ms(DnpTime t) const {
        if (!zone) return static_cast<std::int64_t>(t);
        const auto ms = static_cast<std::int64_t>(t);
        const LocalTime local{ms / 1000, static_cast<std::int32_t>((ms % 1000) * 1000)};
        return zone->to_utc(local).utc_us / 1000;
    }

    // Sends a response fragment now (segmented, in link frames).
    void send(const std::vector<std::uint8_t>& fragment) {
        for (const auto& segment : segment_fragment(fragment, transport_seq_)) {
            LinkHeader h;
            if (confirmed_responses) {
                h = primary_header(PrimaryFunction::confirmed_user_data, master, address, false, fcb_, true);
                fcb_ = !fcb_;
            } else {
                h = primary_header(PrimaryFunction::unconfirmed_user_data, master, address, false);
            }
            send_frame(h, segment);
        }
    }
    void send_frame(const LinkHeader& h, const std::vector<std::uint8_t>& user_data) {
        const auto bytes = encode_link_frame(h, user_data);
        channel_.deliver(std::as_bytes(std::span<const std::uint8_t>(bytes)));
    }
    // Fragments to send one by one, each after the master confirms the previous one.
    void send_after_confirms(std::vector<std::vector<std::uint8_t>> fragments) {
        for (auto& f : fragments) after_confirm_.push_back(std::move(f));
    }

    // A null response (no objects) with the outstation's IIN.
    std::vector<std::uint8_t> null_response(std::uint8_t seq) const {
        ResponseBuilder b;
        b.begin(control(seq), iin);
        return b.fragment();
    }

private:
    void on_bytes(std::span<const std::byte> bytes) {
        std::vector<LinkFrame> frames;
        parser_.feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                     frames);
        for (const auto& f : frames) on_frame(f);
    }

    void on_frame(const LinkFrame& f) {
        master_frames.push_back(f);
        const LinkHeader& h = f.header;
        if (h.destination != address) return;
        if (!h.prm) {
            master_acks.push_back(f);
            return;
        }
        switch (static_cast<PrimaryFunction>(h.function)) {
            case PrimaryFunction::reset_link_states:
                expected_fcb_ = true;
                return send_frame(secondary_header(SecondaryFunction::ack, master, address, false), {});
            case PrimaryFunction::confirmed_user_data:
                if (drop_link_frames > 0) {
                    --drop_link_frames;
                    return;
                }
                if (nack_link_frames > 0) {
                    --nack_link_frames;
                    return send_frame(secondary_header(SecondaryFunction::nack, master, address, false), {});
                }
                send_frame(secondary_header(SecondaryFunction::ack, master, address, false), {});
                if (h.fcb != expected_fcb_) return;  // a repeat of a frame already taken
                expected_fcb_ = !expected_fcb_;
                return on_segment(f.user_data);
            case PrimaryFunction::unconfirmed_user_data: return on_segment(f.user_data);
            default: return;
        }
    }

    void on_segment(const std::vector<std::uint8_t>& segment) {
        if (reassembler_.push(segment) != Reassembler::Result::complete) return;
        const auto fragment = reassembler_.take();
        auto parsed = parse_request(fragment);
        if (!std::holds_alternative<Request>(parsed)) {
            journal.push_back({"UNPARSEABLE " + std::get<ParseError>(parsed).message, {}, SteadyClock::now(),
                               clock_.now_utc_us()});
            return;
        }
        on_request_fragment(std::get<Request>(parsed));
    }

    static std::string describe_request(const Request& r) {
        std::string s;
        switch (r.function) {
            case FunctionCode::confirm: s = "CONFIRM " + std::to_string(r.control.seq); break;
            case FunctionCode::read: s = "READ"; break;
            case FunctionCode::write: s = "WRITE"; break;
            case FunctionCode::delay_measure: s = "DELAY_MEASURE"; break;
            case FunctionCode::record_current_time: s = "RECORD_CURRENT_TIME"; break;
            default: s = to_string(r.function); break;
        }
        for (const auto& o : r.objects)
            s += " g" + std::to_string(o.header.group) + "v" + std::to_string(o.header.variation);
        return s;
    }

    void on_request_fragment(const Request& r) {
        journal.push_back({describe_request(r), r, SteadyClock::now(), clock_.now_utc_us()});
        if (r.function == FunctionCode::confirm) {
            if (!after_confirm_.empty()) {
                auto next = std::move(after_confirm_.front());
                after_confirm_.pop_front();
                send(next);
            }
            return;
        }
        if (ignore_requests > 0) {
            --ignore_requests;
            return;
        }
        if (on_request && on_request(r)) return;
        answer_default(r);
    }

    void answer_default(const Request& r) {
        const std::uint8_t seq = r.control.seq;
        ResponseBuilder b;
        switch (r.function) {
            case FunctionCode::read:
                b.begin(control(seq), iin);
                for (const auto& o : r.objects)
                    if (o.header.group == 50) b.add_time(meter_now_ms());
                return send(b.fragment());
            case FunctionCode::write:
                for (const auto& o : r.objects) {
                    if (o.header.group == 50 && o.header.variation == 1 && o.time)
                        meter_offset_ms = written_utc_ms(*o.time) - clock_.now_utc_us() / 1000;
                    if (o.header.group == 50 && o.header.variation == 3 && o.time && recorded_)
                        // The clock should have read *o.time when it read recorded_meter_.
                        meter_offset_ms += static_cast<std::int64_t>(*o.time) - static_cast<std::int64_t>(*recorded_);
                    if (o.header.group == 80 && clears_restart)
                        iin.bits &= static_cast<std::uint16_t>(~Iin::device_restart);
                }
                if (clears_need_time_on_write(r)) iin.bits &= static_cast<std::uint16_t>(~Iin::need_time);
                return send(null_response(seq));
            case FunctionCode::record_current_time:
                recorded_ = meter_now_ms();
                return send(null_response(seq));
            case FunctionCode::delay_measure:
                clock_.advance(delay_measure_round_trip);
                b.begin(control(seq), iin);
                b.add_delay_fine(processing_delay_ms);
                return send(b.fragment());
            default: return send(null_response(seq));
        }
    }

    static bool clears_need_time_on_write(const Request& r) {
        for (const auto& o : r.objects)
            if (o.header.group == 50) return true;
        return false;
    }

    transport::MemoryChannel& channel_;
    FakeClock& clock_;
    LinkParser parser_;
    Reassembler reassembler_;
    std::uint8_t transport_seq_ = 0;
    bool fcb_ = true;
    bool expected_fcb_ = true;
    std::optional<DnpTime> recorded_;
    std::deque<std::vector<std::uint8_t>> after_confirm_;
};

// ------------------------------------------------------------------ the session under test

struct Harness {
    Harness() : line(io), outstation(line.channel, clock) {}
    // The session's last handlers (its abandon, a lease release) run while the line and
    // the io_context still exist.
    ~Harness() {
        session.reset();
        io.restart();
        for (int i = 0; i < 100 && io.poll() > 0; ++i) io.restart();
    }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    static SessionOptions fast_options() {
        SessionOptions o;
        o.id = "m1";
        o.address = 10;
        o.master_address = 1;
        o.response_timeout = 150ms;
        o.confirm_wait = 150ms;
        o.link_timeout = 60ms;
        o.retry_min = 30ms;
        o.retry_max = 240ms;
        o.class1_period = Duration{0};
        return o;
    }

    void start(SessionOptions o = fast_options()) {
        session = std::make_unique<MasterSession>(
            line, clock, std::move(o),
            [this](DataBatch batch, std::function<void(bool)> done) {
                batches.push_back(batch);
                dones.push_back(done);
                if (auto_store) done(true);
            },
            [this](SessionEvent e) { events.push_back(std::move(e)); }, logger);
        session->start();
    }

    // Runs the io_context until `pred` holds; the guard only stops a broken test hanging.
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
    const SessionEvent* last_event(const std::string& kind) const {
        for (auto it = events.rbegin(); it != events.rend(); ++it)
            if (it->kind == kind) return &*it;
        return nullptr;
    }

    asio::io_context io;
    FakeClock clock;
    Logger logger{LogLevel::warn};
    MemoryLine line;
    FakeOutstation outstation;
    bool auto_store = true;
    std::vector<DataBatch> batches;
    std::vector<std::function<void(bool)>> dones;
    std::vector<SessionEvent> events;
    std::unique_ptr<MasterSession> session;
};

inline const char* integrity_read = "READ g60v2 g60v3 g60v4 g60v1";

}  // namespace gridgate::dnp3::testing
