#pragma once
// MemoryLine: a test-only transport::LineAccess over a MemoryChannel, for protocol session
// tests (header-only; the test links gg_transport). One lease at a time, granted in
// request order. Like the real lines' lease channels it ends a read the holder left
// pending when the lease is released (here by closing the memory channel, opened again at
// the next grant), and a release with line_failed closes the channel too.
//
// The test plays the far end on `channel` (on_transmit / deliver). `on_close` runs when
// the line closes the channel (a TCP peer would see the connection end).
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gridgate/transport/line_access.hpp"
#include "gridgate/transport/memory_channel.hpp"

namespace gridgate::testing {

class MemoryLine final : public transport::LineAccess {
public:
    explicit MemoryLine(boost::asio::io_context& io) : channel(io.get_executor()), io_(io), view_(*this) {}

    void acquire(transport::LineRequest request, transport::LineGrantHandler handler) override {
        owners.push_back(request.owner);
        boost::asio::post(io_, [this, h = std::move(handler)]() mutable {
            queue_.push_back(std::move(h));
            grant_next();
        });
    }
    boost::asio::any_io_executor executor() const override { return io_.get_executor(); }
    std::string line_description() const override { return "memory line"; }

    transport::MemoryChannel channel;
    bool down = false;  // requests are answered with line_down
    std::function<void()> on_close;
    std::vector<std::string> owners;
    std::size_t grants = 0;
    std::size_t releases = 0;
    std::size_t failed_releases = 0;
    std::size_t aborted_reads = 0;
    std::size_t closes = 0;
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
        void close() override { line_.close_channel(); }
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

    void close_channel() {
        if (!channel.is_open()) return;
        ++closes;
        channel.close();
        if (on_close) on_close();
    }

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
        if (line_failed || view_.reads_pending > 0) close_channel();
        held_ = false;
        boost::asio::post(io_, [this] { grant_next(); });
    }

    boost::asio::io_context& io_;
    View view_;
    std::deque<transport::LineGrantHandler> queue_;
    bool held_ = false;
};

}  // namespace gridgate::testing
