// The scripted RTU slave's thread: read a request, act, repeat.
#include "scripted_rtu_slave.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "gridgate/modbus/pdu.hpp"
#include "gridgate/modbus/rtu_frame.hpp"

namespace gridgate::rtu_test {

using namespace gridgate::modbus;

const char* to_string(SlaveAction a) {
    switch (a) {
        case SlaveAction::answer: return "answer";
        case SlaveAction::silent: return "silent";
        case SlaveAction::garbage: return "garbage";
        case SlaveAction::wrong_address: return "wrong_address";
        case SlaveAction::bad_crc: return "bad_crc";
        case SlaveAction::late: return "late";
        case SlaveAction::noise_then_answer: return "noise_then_answer";
        case SlaveAction::truncated: return "truncated";
    }
    return "?";
}

ScriptedRtuSlave::ScriptedRtuSlave(const std::string& device, std::vector<std::uint8_t> units, Script script,
                                   Duration late_by)
    : units_(std::move(units)), script_(std::move(script)), late_by_(late_by) {
    fd_ = ::open(device.c_str(), O_RDWR | O_NOCTTY);
    if (fd_ < 0) throw std::runtime_error("scripted slave: cannot open " + device);
    termios tio{};
    ::tcgetattr(fd_, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(fd_, TCSANOW, &tio);
    if (::pipe(stop_pipe_) != 0) throw std::runtime_error("scripted slave: pipe failed");
    thread_ = std::thread([this] { run(); });
}

ScriptedRtuSlave::~ScriptedRtuSlave() {
    [[maybe_unused]] auto n = ::write(stop_pipe_[1], "x", 1);
    thread_.join();
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    ::close(fd_);
}

std::map<SlaveAction, std::uint64_t> ScriptedRtuSlave::actions() const {
    std::lock_guard lock(mutex_);
    return actions_;
}

void ScriptedRtuSlave::run() {
    std::vector<std::byte> buffer;
    while (true) {
        pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        // A partial request older than 50 ms is dropped (the master's next one resyncs).
        const int ready = ::poll(fds, 2, buffer.empty() ? -1 : 50);
        if (ready < 0) return;
        if (fds[1].revents) return;
        if (ready == 0) {
            buffer.clear();
            continue;
        }
        std::byte chunk[256];
        const ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n <= 0) return;
        buffer.insert(buffer.end(), chunk, chunk + n);
        while (true) {
            const std::size_t length = expected_request_adu_length(buffer);
            if (length == 0 || buffer.size() < length) break;
            const std::vector<std::byte> request(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
            buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
            serve(request);
        }
    }
}

void ScriptedRtuSlave::serve(const std::vector<std::byte>& request) {
    const auto decoded = decode_rtu_adu(request);
    const auto* frame = std::get_if<RtuFrame>(&decoded);
    if (!frame || std::find(units_.begin(), units_.end(), frame->address) == units_.end()) return;
    const auto parsed = decode_request(frame->pdu);
    const auto* req = std::get_if<Request>(&parsed);
    const auto* read = req ? std::get_if<ReadRequest>(req) : nullptr;
    if (!read || !is_register_read(read->function)) return;

    const SlaveAction action = script_(served_++, frame->address);
    {
        std::lock_guard lock(mutex_);
        ++actions_[action];
    }
    std::vector<std::uint16_t> right, wrong;
    for (std::uint16_t i = 0; i < read->count; ++i) {
        right.push_back(right_value(frame->address, static_cast<std::uint16_t>(read->address + i)));
        wrong.push_back(static_cast<std::uint16_t>(0xBAD0 + i));
    }
    const auto good = encode_rtu_adu(frame->address, encode_register_response(read->function, right));
    const auto bad_values = encode_rtu_adu(frame->address, encode_register_response(read->function, wrong));

    switch (action) {
        case SlaveAction::answer: return send(good);
        case SlaveAction::silent: return;
        case SlaveAction::garbage: {
            std::vector<std::byte> junk(5 + served_ % 20);
            for (auto& b : junk) {
                random_ = random_ * 1664525u + 1013904223u;
                b = static_cast<std::byte>(random_ >> 24);
            }
            return send(junk);
        }
        case SlaveAction::wrong_address: {
            const auto other = static_cast<std::uint8_t>(frame->address + 1);
            return send(encode_rtu_adu(other, encode_register_response(read->function, wrong)));
        }
        case SlaveAction::bad_crc: {
            auto corrupt = bad_values;
            corrupt.back() ^= std::byte{0x5A};
            return send(corrupt);
        }
        case SlaveAction::late:
            std::this_thread::sleep_for(late_by_);
            return send(bad_values);
        case SlaveAction::noise_then_answer: {
            auto noisy = std::vector<std::byte>{std::byte{0x00}, std::byte{0xFF}};
            noisy.insert(noisy.end(), good.begin(), good.end());
            return send(noisy);
        }
        case SlaveAction::truncated: {
            const std::vector<std::byte> half(bad_values.begin(), bad_values.begin() + static_cast<std::ptrdiff_t>(bad_values.size() / 2));
            return send(half);
        }
    }
}

void ScriptedRtuSlave::send(const std::vector<std::byte>& bytes) {
    [[maybe_unused]] auto n = ::write(fd_, bytes.data(), bytes.size());
}

}  // namespace gridgate::rtu_test
