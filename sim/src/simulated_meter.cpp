#include "gridgate/sim/simulated_meter.hpp"

#include "gridgate/modbus/pdu.hpp"
#include "gridgate/sim/rtu_crc.hpp"

namespace gridgate::sim {

SimulatedMeter::SimulatedMeter(std::string id, std::uint8_t device_address, MeterModel model,
                               const HandlerOptions& options, std::uint64_t seed)
    : id_(std::move(id)), device_address_(device_address), model_(std::move(model)), options_(options), random_(seed) {}

Reply SimulatedMeter::on_request(std::uint8_t unit, std::span<const std::byte> pdu, SteadyTime now) {
    ++stats_.requests;
    Reply reply;
    if (!answers_unit(unit)) {
        ++stats_.ignored_unit;
        return reply;
    }
    switch (fault_.kind) {
        case FaultKind::off:
            ++stats_.unanswered;
            return reply;
        case FaultKind::garbage:
            ++stats_.answered;
            ++stats_.garbage;
            reply.kind = Reply::Kind::raw;
            reply.bytes = garbage_bytes();
            return reply;
        case FaultKind::exception: {
            const auto fc = pdu.empty() ? std::uint8_t{0} : static_cast<std::uint8_t>(pdu[0]);
            ++stats_.answered;
            ++stats_.exceptions;
            reply.kind = Reply::Kind::pdu;
            reply.bytes = modbus::encode_exception(static_cast<std::uint8_t>(fc & 0x7F),
                                                   static_cast<modbus::ExceptionCode>(fault_.exception_code));
            return reply;
        }
        case FaultKind::slow: reply.delay = fault_.delay; break;
        case FaultKind::crc: reply.framing = Reply::Framing::bad_crc; break;
        case FaultKind::wrong_address: reply.framing = Reply::Framing::wrong_address; break;
        case FaultKind::noise:
            reply.framing = Reply::Framing::noise_before;
            reply.noise = garbage_bytes();
            break;
        case FaultKind::none: break;
    }

    HandledRequest handled = handle_request(model_, options_, pdu, now);
    if (handled.response.empty()) return reply;
    ++stats_.answered;
    if (handled.exception) ++stats_.exceptions;
    reply.kind = Reply::Kind::pdu;
    reply.bytes = std::move(handled.response);
    // A reply a correct master must reject (bad CRC, another slave's address) did not
    // serve its values to anyone.
    const bool rejectable = reply.framing == Reply::Framing::bad_crc || reply.framing == Reply::Framing::wrong_address;
    if (!rejectable) reply.served = std::move(handled.served);
    return reply;
}

void SimulatedMeter::on_broadcast(std::span<const std::byte> pdu, SteadyTime now) {
    if (fault_.kind == FaultKind::off) return;
    ++stats_.broadcasts;
    handle_request(model_, options_, pdu, now);
}

std::vector<std::byte> SimulatedMeter::garbage_bytes() {
    std::uniform_int_distribution<int> length(8, 24);
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<std::byte> out(static_cast<std::size_t>(length(random_)));
    for (std::byte& b : out) b = static_cast<std::byte>(byte(random_));
    out[2] = static_cast<std::byte>(std::uniform_int_distribution<int>(1, 255)(random_));
    if (rtu_crc_ok(out)) out.back() ^= std::byte{0xFF};
    return out;
}

SimulatedMeter& MeterFleet::add(std::unique_ptr<SimulatedMeter> meter) {
    meters_.push_back(std::move(meter));
    return *meters_.back();
}

SimulatedMeter* MeterFleet::find(std::string_view id) {
    for (auto& meter : meters_)
        if (meter->id() == id) return meter.get();
    return nullptr;
}

BusInfo& MeterFleet::add_bus(BusInfo bus) {
    buses_.push_back(std::make_unique<BusInfo>(std::move(bus)));
    return *buses_.back();
}

}  // namespace gridgate::sim
