#pragma once
// What a meter poller needs from a Modbus master, whatever carries the frames: the TCP
// client (one strand per endpoint) and the RTU bus master (one strand per serial line
// or serial device server) both implement it.
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "gridgate/core/time.hpp"
#include "gridgate/modbus/pdu.hpp"

namespace gridgate::modbus {

enum class TransactionError : std::uint8_t {
    timeout,          // no matching reply within the request's timeout
    connect_failed,   // could not (re)connect / (re)open the line
    disconnected,     // connection lost while the request was outstanding
    bad_response,     // reply with this transaction id could not be decoded for the request
    cancelled,        // client stopped
    backed_off,       // RTU: the slave missed too many replies and is skipped for a while
    rejected,         // the request cannot be sent (e.g. RTU broadcast address 0)
};
const char* to_string(TransactionError e);

using TransactionResult = std::variant<ReadResponse, ExceptionResponse, TransactionError>;
using ReadHandler = std::function<void(TransactionResult)>;

// Order of service on a shared line: a bus serves every queued high read before any
// normal one, and normal before low (e.g. billing counters high, instantaneous values
// normal). The TCP client, with a connection per transaction, ignores it.
enum class Priority : std::uint8_t { low = 0, normal = 1, high = 2 };
const char* to_string(Priority p);                            // "low", "normal", "high"
std::optional<Priority> parse_priority(std::string_view text);  // the same words

// One read as handed to a client.
struct ReadCall {
    std::uint8_t unit_id = 1;
    ReadRequest request;
    Duration timeout = std::chrono::seconds(1);
    std::string trace_id;  // names the meter for per-meter hex traces (Logger::trace_frame)
    Priority priority = Priority::normal;
};

class ModbusClient {
public:
    virtual ~ModbusClient() = default;

    // Queues a read. The handler runs exactly once, on executor().
    virtual void submit(ReadCall call, ReadHandler handler) = 0;

    // Same, at normal priority.
    void read(std::uint8_t unit_id, const ReadRequest& request, Duration timeout, std::string trace_id,
              ReadHandler handler) {
        submit(ReadCall{unit_id, request, timeout, std::move(trace_id), Priority::normal}, std::move(handler));
    }

    // Cancels queued requests (handlers get `cancelled`) once the transaction in flight
    // has finished or timed out, releases the line, then calls done. Later reads are
    // answered with `cancelled`.
    virtual void stop(std::function<void()> done) = 0;

    // The strand every handler runs on.
    virtual boost::asio::any_io_executor executor() const = 0;
};

}  // namespace gridgate::modbus
