// RtuBus: the RtuMaster on a strand, fed by a ByteChannel and one steady timer.
#include "gridgate/modbus/rtu_bus.hpp"

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <random>

#include "gridgate/core/backoff.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/modbus/rtu_master.hpp"
#include "gridgate/transport/lease_channel.hpp"
#include "gridgate/transport/serial_port.hpp"

namespace gridgate::modbus {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

RtuMasterOptions master_options(const RtuBusOptions& o) {
    RtuMasterOptions m;
    m.name = o.name;
    m.timing = rtu_timing(o.baud, o.bits_per_character);
    m.silence = o.silence;
    m.frame_gap = o.frame_gap;
    m.strict_frame_gap = o.strict_frame_gap;
    m.turnaround_delay = o.turnaround_delay;
    m.health = o.health;
    m.late_reply_guard = o.late_reply_guard;
    m.backoff_seed = std::random_device{}();  // spread the probes of different gateways
    return m;
}

}  // namespace

// Everything runs on `strand`; `mutex` only guards the master against stats() from
// other threads.
struct RtuBus::Impl final : RtuMasterIo, std::enable_shared_from_this<RtuBus::Impl> {
    Impl(const asio::any_io_executor& ex, RtuBusOptions o, Logger& l)
        : strand(asio::make_strand(ex)),
          options(std::move(o)),
          logger(l),
          master(master_options(options), clock, *this, l),
          timer(strand),
          reopen_timer(strand),
          reopen_backoff(options.reopen_min, options.reopen_max) {}

    // --- RtuMasterIo
    void transmit(std::span<const std::byte> adu) override;
    void complete(ReadHandler handler, TransactionResult result) override;
    void answer_line(transport::LineGrantHandler handler, transport::LineError error) override;

    void on_lease_released(std::uint64_t id, bool line_failed);
    void open();
    void on_opened(std::uint64_t gen, const error_code& ec);
    void start_read(std::uint64_t gen);
    void on_read(std::uint64_t gen, const error_code& ec, std::size_t n);
    void lose_line(const std::string& why, const error_code& ec = asio::error::not_connected);
    void schedule_reopen();
    void after_event();  // re-arms the timer, finishes a stop
    void finish_stop_if_idle();
    void abandon();
    template <class F>
    void with_master(F&& f) {
        {
            std::lock_guard lock(mutex);
            f(master);
        }
        after_event();
    }

    asio::strand<asio::any_io_executor> strand;
    RtuBusOptions options;
    Logger& logger;
    SystemClock clock;
    RtuMaster master;
    mutable std::mutex mutex;
    std::unique_ptr<transport::ByteChannel> channel;

    asio::steady_timer timer;
    std::optional<SteadyTime> armed;
    asio::steady_timer reopen_timer;
    Backoff reopen_backoff;
    std::uint64_t generation = 0;  // per open; completions of an older open are stale
    std::array<std::byte, 512> rx{};
    std::vector<std::byte> tx;

    // The line lent to another master: bytes read meanwhile go to its channel.
    std::shared_ptr<transport::LeaseChannel> lease;
    std::uint64_t lease_id = 0;
    std::uint64_t lease_generation = 0;  // the open it was lent on

    bool stopped = false;
    std::vector<std::function<void()>> stop_handlers;
    std::atomic<bool> abandoned{false};
};

void RtuBus::Impl::open() {
    if (stopped || master.stopping()) return;
    with_master([](RtuMaster& m) { m.set_link(LinkState::opening); });
    const std::uint64_t gen = ++generation;
    channel->async_open([self = shared_from_this(), gen](const error_code& ec) { self->on_opened(gen, ec); });
}

void RtuBus::Impl::on_opened(std::uint64_t gen, const error_code& ec) {
    if (gen != generation || abandoned) return;
    if (ec) {
        with_master([](RtuMaster& m) { m.set_link(LinkState::failed); });
        return schedule_reopen();
    }
    if (master.stopping()) {
        channel->close();
        return finish_stop_if_idle();
    }
    reopen_backoff.reset();
    start_read(gen);
    with_master([](RtuMaster& m) { m.set_link(LinkState::up); });
}

void RtuBus::Impl::start_read(std::uint64_t gen) {
    channel->async_read_some(rx, [self = shared_from_this(), gen](const error_code& ec, std::size_t n) {
        self->on_read(gen, ec, n);
    });
}

void RtuBus::Impl::on_read(std::uint64_t gen, const error_code& ec, std::size_t n) {
    if (gen != generation || abandoned || stopped) return;
    if (ec) return lose_line("read failed: " + ec.message(), ec);
    const auto bytes = std::span<const std::byte>(rx.data(), n);
    if (lease) {
        if (!lease->ended()) lease->deliver(bytes);  // the holder's exchange, not ours
    } else {
        with_master([&](RtuMaster& m) { m.on_received(bytes); });
    }
    if (gen == generation && !stopped) start_read(gen);
}

void RtuBus::Impl::lose_line(const std::string& why, const error_code& ec) {
    logger.warn("modbus-rtu", options.name + ": line lost (" + why + "), re-opening");
    ++generation;
    if (lease) lease->fail(ec);
    channel->close();
    with_master([](RtuMaster& m) { m.set_link(LinkState::opening); });
    if (master.stopping()) return finish_stop_if_idle();
    schedule_reopen();
}

void RtuBus::Impl::schedule_reopen() {
    if (stopped || master.stopping()) return finish_stop_if_idle();
    reopen_timer.expires_after(reopen_backoff.next());
    reopen_timer.async_wait([self = shared_from_this()](const error_code& ec) {
        if (!ec && !self->abandoned) self->open();
    });
}

void RtuBus::Impl::transmit(std::span<const std::byte> adu) {
    // Called from inside the master (under the lock): drop stale input now, send from a
    // fresh handler, so any read completion already queued runs first (and is judged
    // stale by the master, which is flushing until `started`).
    tx.assign(adu.begin(), adu.end());
    channel->discard_input();
    const std::uint64_t gen = generation;
    asio::post(strand, [self = shared_from_this(), gen] {
        if (gen != self->generation || self->abandoned) return;
        self->channel->async_transmit(
            self->tx,
            [self, gen] {
                if (gen == self->generation) self->with_master([](RtuMaster& m) { m.on_transmit_started(); });
            },
            [self, gen](const error_code& ec) {
                if (gen != self->generation || self->abandoned || self->stopped) return;
                if (ec) return self->lose_line("write failed: " + ec.message(), ec);
                self->with_master([](RtuMaster& m) { m.on_transmitted(); });
            });
    });
}

void RtuBus::Impl::complete(ReadHandler handler, TransactionResult result) {
    asio::post(strand, [self = shared_from_this(), h = std::move(handler), r = std::move(result)]() mutable {
        if (!self->abandoned) h(std::move(r));
    });
}

void RtuBus::Impl::answer_line(transport::LineGrantHandler handler, transport::LineError error) {
    // Called from inside the master (under the lock): the handler runs from a fresh one.
    if (error != transport::LineError::none) {
        asio::post(strand, [self = shared_from_this(), h = std::move(handler), error] {
            if (!self->abandoned) h(error, nullptr);
        });
        return;
    }
    const std::uint64_t id = ++lease_id;
    lease = std::make_shared<transport::LeaseChannel>(*channel, strand);
    lease_generation = generation;
    asio::post(strand, [self = shared_from_this(), h = std::move(handler), id, granted = lease] {
        if (self->abandoned) return;
        granted->discard_input();  // stale input is not the holder's (a no-op if the line was lost meanwhile)
        auto on_release = [self, id](bool line_failed) {
            asio::post(self->strand, [self, id, line_failed] { self->on_lease_released(id, line_failed); });
        };
        h(transport::LineError::none, std::make_unique<transport::ChannelLease>(granted, std::move(on_release)));
    });
}

void RtuBus::Impl::on_lease_released(std::uint64_t id, bool line_failed) {
    if (abandoned || !lease || id != lease_id || lease->ended()) return;
    auto ended = lease;
    // After a transmission of the holder still on the wire, if any.
    ended->end([self = shared_from_this(), ended, line_failed] {
        if (self->abandoned || self->lease != ended) return;
        self->lease.reset();
        if ((line_failed || ended->closed_by_user()) && self->lease_generation == self->generation)
            self->lose_line("reported failed by the line's other master");
        self->with_master([](RtuMaster& m) { m.on_line_released(); });
    });
}

void RtuBus::Impl::after_event() {
    std::optional<SteadyTime> deadline;
    {
        std::lock_guard lock(mutex);
        deadline = master.next_deadline();
    }
    if (deadline != armed) {
        armed = deadline;
        timer.cancel();
        if (deadline) {
            timer.expires_at(*deadline);
            timer.async_wait([self = shared_from_this(), at = *deadline](const error_code& ec) {
                if (ec || self->abandoned || self->armed != at) return;
                self->armed.reset();
                self->with_master([](RtuMaster& m) { m.on_timer(); });
            });
        }
    }
    finish_stop_if_idle();
}

void RtuBus::Impl::finish_stop_if_idle() {
    if (!stopped) {
        if (!master.stopping() || !master.idle()) return;
        stopped = true;
        ++generation;
        timer.cancel();
        reopen_timer.cancel();
        channel->close();
    }
    for (auto& done : stop_handlers) asio::post(strand, [self = shared_from_this(), d = std::move(done)] {
        if (!self->abandoned) d();
    });
    stop_handlers.clear();
}

void RtuBus::Impl::abandon() {
    {
        std::lock_guard lock(mutex);
        master.stop();
    }
    stopped = true;
    ++generation;
    timer.cancel();
    reopen_timer.cancel();
    if (lease) lease->fail(asio::error::operation_aborted);
    lease.reset();
    channel->close();
    stop_handlers.clear();
}

RtuBus::RtuBus(asio::any_io_executor executor, const ChannelFactory& make_channel, RtuBusOptions options,
               Logger& logger)
    : impl_(std::make_shared<Impl>(executor, std::move(options), logger)) {
    impl_->channel = make_channel(impl_->strand);
    asio::post(impl_->strand, [impl = impl_] { impl->open(); });
}

RtuBus::~RtuBus() {
    impl_->abandoned = true;
    asio::post(impl_->strand, [impl = impl_] { impl->abandon(); });
}

void RtuBus::submit(ReadCall call, ReadHandler handler) {
    asio::post(impl_->strand, [impl = impl_, c = std::move(call), h = std::move(handler)]() mutable {
        impl->with_master([&](RtuMaster& m) { m.submit(std::move(c), std::move(h)); });
    });
}

void RtuBus::stop(std::function<void()> done) {
    asio::post(impl_->strand, [impl = impl_, d = std::move(done)]() mutable {
        if (d) impl->stop_handlers.push_back(std::move(d));
        impl->with_master([](RtuMaster& m) { m.stop(); });  // ends in finish_stop_if_idle
    });
}

asio::any_io_executor RtuBus::executor() const { return impl_->strand; }

void RtuBus::acquire(transport::LineRequest request, transport::LineGrantHandler handler) {
    asio::post(impl_->strand, [impl = impl_, r = std::move(request), h = std::move(handler)]() mutable {
        impl->with_master([&](RtuMaster& m) { m.acquire_line(std::move(r), std::move(h)); });
    });
}

std::string RtuBus::line_description() const {
    return impl_->options.name + " (" + impl_->channel->description() + ")";
}

RtuBusStats RtuBus::stats() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->master.stats();
}

const RtuBusOptions& RtuBus::options() const { return impl_->options; }

std::string RtuBus::description() const { return impl_->channel->description(); }

std::unique_ptr<RtuBus> make_serial_rtu_bus(const asio::any_io_executor& executor,
                                            const transport::SerialPortOptions& serial, RtuBusOptions options,
                                            Logger& logger) {
    transport::validate(serial);
    options.baud = serial.baud;
    options.bits_per_character = transport::bits_per_character(serial);
    if (options.name.empty() || options.name == RtuBusOptions{}.name) options.name = serial.path;
    return std::make_unique<RtuBus>(
        executor,
        [&](const asio::any_io_executor& strand) {
            return std::make_unique<transport::SerialPort>(strand, serial, logger);
        },
        std::move(options), logger);
}

std::unique_ptr<RtuBus> make_tcp_rtu_bus(const asio::any_io_executor& executor, const transport::TcpChannelOptions& tcp,
                                         RtuBusOptions options, Logger& logger) {
    if (options.name.empty() || options.name == RtuBusOptions{}.name)
        options.name = tcp.host + ":" + std::to_string(tcp.port);
    return std::make_unique<RtuBus>(
        executor,
        [&](const asio::any_io_executor& strand) {
            return std::make_unique<transport::TcpByteChannel>(strand, tcp, logger);
        },
        std::move(options), logger);
}

}  // namespace gridgate::modbus
