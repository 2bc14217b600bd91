// MeterPoller: one poll = the meter's planned blocks, one after the other.
#include "gridgate/modbus/meter_poller.hpp"

#include <boost/asio/post.hpp>
#include <cmath>
#include <cstdio>
#include <memory>

namespace gridgate::modbus {

namespace {

std::string describe(const ReadRequest& r) {
    char text[48];
    std::snprintf(text, sizeof text, "block FC%02X @%u x%u", static_cast<unsigned>(r.function),
                  static_cast<unsigned>(r.address), static_cast<unsigned>(r.count));
    return text;
}

std::string describe(const ExceptionResponse& e) {
    char code[4];
    std::snprintf(code, sizeof code, "%02X", static_cast<unsigned>(e.code));
    return std::string("exception ") + code + " " + to_string(e.code);
}

// One poll in progress. Owned by the pending read's handler, so it lives exactly as
// long as the poll; it refers to the poller, which must outlive its polls.
class PollRun : public std::enable_shared_from_this<PollRun> {
public:
    PollRun(const MeterPoller& poller, ModbusClient& client, const Clock& clock,
            std::function<void(PollOutcome)> handler)
        : poller_(poller), client_(client), clock_(clock), handler_(std::move(handler)) {}

    void step() {
        const auto& plan = poller_.plan();
        if (next_ == plan.size()) {
            auto handler = std::move(handler_);
            return handler(std::move(outcome_));
        }
        const auto& options = poller_.options();
        client_.submit(ReadCall{options.unit_id, plan[next_].request, options.response_timeout, options.meter_id,
                                options.priority},
                       [self = shared_from_this()](TransactionResult result) {
                           self->on_result(std::move(result));
                           self->step();
                       });
    }

private:
    void on_result(TransactionResult result) {
        const BlockRead& block = poller_.plan()[next_++];
        if (const auto* response = std::get_if<ReadResponse>(&result)) return accept(block, *response);
        if (const auto* exception = std::get_if<ExceptionResponse>(&result)) return fail(block, describe(*exception));

        const auto error = std::get<TransactionError>(result);
        fail(block, to_string(error));
        if (error == TransactionError::connect_failed || error == TransactionError::backed_off ||
            error == TransactionError::rejected) {
            // The meter is unreachable (or skipped, or unaddressable): one attempt per
            // poll is enough.
            outcome_.blocks_failed += static_cast<unsigned>(poller_.plan().size() - next_);
            next_ = poller_.plan().size();
        }
    }

    void accept(const BlockRead& block, const ReadResponse& response) {
        const TimestampUs now = clock_.now_utc_us();
        const auto& options = poller_.options();
        ++outcome_.blocks_ok;
        for (const std::size_t index : block.points) {
            const PointDef& point = poller_.points()[index];
            const auto value = decode_point(point, block.request, response);
            if (!value) {
                outcome_.last_error = describe(block.request) + ": reply does not cover " + point.name;
                continue;
            }
            Reading r{options.meter_id, point.name, now, *value, point.unit, quality::good, options.source};
            // A float register can hold NaN or infinity; keep the sample but never pass
            // a non-number downstream (JSON has no NaN).
            if (!std::isfinite(r.value)) {
                r.value = 0.0;
                r.quality = quality::invalid;
            }
            outcome_.readings.push_back(std::move(r));
        }
    }

    void fail(const BlockRead& block, const std::string& why) {
        ++outcome_.blocks_failed;
        outcome_.last_error = describe(block.request) + ": " + why;
    }

    const MeterPoller& poller_;
    ModbusClient& client_;
    const Clock& clock_;
    std::function<void(PollOutcome)> handler_;
    std::size_t next_ = 0;
    PollOutcome outcome_;
};

}  // namespace

MeterPoller::MeterPoller(ModbusClient& client, const Clock& clock, MeterOptions options, std::vector<PointDef> points)
    : client_(client), clock_(clock), options_(std::move(options)), points_(std::move(points)),
      plan_(plan_reads(points_, options_.plan)) {}

void MeterPoller::poll(std::function<void(PollOutcome)> handler) {
    auto run = std::make_shared<PollRun>(*this, client_, clock_, std::move(handler));
    // Start on the strand so the handler never runs inline, even for an empty plan.
    boost::asio::post(client_.executor(), [run] { run->step(); });
}

}  // namespace gridgate::modbus
