#pragma once
// A scripted DLMS/COSEM meter for the client session tests, made of the codec: it reads
// what the client transmits on a MemoryChannel (HDLC frames or wrapper PDUs), answers the
// way a meter does (UA with its parameters, I-frames with N(S)/N(R), segments waiting
// for RR, AARE, GET responses with data blocks when too large, SET responses, RLRE), and
// keeps a journal of the requests it saw. Knobs make it lose requests or answers, refuse
// a connection, answer for another station, deny access, or keep a profile buffer.
//
// fake_meter_link.cpp: the link (HDLC and wrapper); fake_meter_cosem.cpp: the objects.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/dlms/apdu.hpp"
#include "gridgate/dlms/hdlc.hpp"
#include "gridgate/dlms/profile.hpp"
#include "gridgate/dlms/wrapper.hpp"
#include "gridgate/transport/memory_channel.hpp"

namespace gridgate::dlms::testing {

using ObjectKey = std::tuple<std::uint16_t, Obis, std::int8_t>;  // class, logical name, attribute

struct MeterObject {
    Data value;
    AccessResult error = AccessResult::success;  // anything else: the GET answers this
};

struct Interval {
    TimestampUs end_us = 0;
    std::uint32_t status = interval_status::normal;
    std::vector<double> values;
};

inline const Obis status_obis{{0, 0, 96, 10, 1, 255}};
inline const Obis kwh_obis{{1, 0, 1, 29, 0, 255}};
inline const Obis kvarh_obis{{1, 0, 3, 29, 0, 255}};

class FakeMeter {
public:
    FakeMeter(transport::MemoryChannel& channel, FakeClock& clock, bool hdlc);

    // ------------------------------------------------ link behaviour
    bool hdlc;
    HdlcAddress address = HdlcAddress::server(1, 100, 4);
    std::uint16_t wport = 1;
    HdlcParameters params{};        // the meter's own: what it sends (tx) and takes (rx)
    bool refuse_connection = false; // SNRM answered with DM
    unsigned ignore_frames = 0;     // frames or PDUs that never reach the meter (the request is lost)
    unsigned lose_answers = 0;      // frames or PDUs the meter sends that never arrive (the answer is lost)
    unsigned busy_answers = 0;      // complete requests first answered with RNR (busy)
    std::function<void()> before_answer;  // runs before each answer (inject foreign frames)
    Duration answer_delay{0};       // the FakeClock advances this much before each answer

    // ------------------------------------------------ association
    std::map<std::uint16_t, std::string> passwords{{1, "ClientId1"}, {2, "ClientId2"}};
    std::set<std::uint16_t> clock_writers{1};
    std::uint32_t conformance = conformance::get | conformance::set | conformance::selective_access |
                                conformance::block_transfer_with_get | conformance::multiple_references;
    std::uint16_t max_pdu = 512;

    // ------------------------------------------------ objects
    std::map<ObjectKey, MeterObject> objects;
    void set_object(std::uint16_t class_id, const Obis& obis, std::int8_t attribute, Data value);
    void deny(std::uint16_t class_id, const Obis& obis, std::int8_t attribute, AccessResult result);
    void set_register(const Obis& obis, Data value, std::int8_t scaler, std::uint8_t unit);

    std::int64_t clock_offset_us = 0;  // the meter's clock minus the gateway's
    LocalZone zone{};                   // the meter's local time
    TimestampUs meter_now_us() const;

    // The profile generic at profile_obis: clock, status (class 1), then the channels.
    Obis profile_obis = obis::load_profile_1;
    std::vector<Obis> channels{kwh_obis, kvarh_obis};
    Duration period = std::chrono::minutes(15);
    std::size_t capacity = 10000;       // entries kept: the oldest go first
    std::deque<Interval> buffer;
    // Intervals ending every period from first_end to last_end, values (k, 10 k) for k = end / period.
    void record(TimestampUs first_end, TimestampUs last_end, std::uint32_t status = interval_status::normal);

    // ------------------------------------------------ what happened
    std::vector<std::string> journal;  // "SNRM", "AARQ 1", "GET 3/1.0.1.8.0.255/2", "GET-LIST 2", "GET-NEXT 1", ...
    std::vector<std::pair<TimestampUs, TimestampUs>> ranges;  // profile range requests (UTC from, to)
    std::vector<HdlcFrame> frames_in;                         // every frame for the meter
    std::vector<std::vector<std::uint8_t>> apdus_in;          // every complete request APDU
    std::size_t oversized_frames = 0;   // info fields over params.max_info_rx
    std::size_t llc_errors = 0;
    std::size_t rrs = 0;
    std::optional<CosemDateTime> last_set_time;  // what the last accepted clock SET carried
    std::size_t count(const std::string& prefix) const;
    bool associated() const { return associated_; }
    // TCP: the connection closed; the association goes with it.
    void connection_closed();
    // Sends a frame from another station on the bus (foreign to the client).
    void send_foreign_frame();

private:
    // fake_meter_link.cpp
    void on_bytes(std::span<const std::byte> bytes);
    void on_frame(const HdlcFrame& f);
    void on_i_frame(const HdlcFrame& f);
    void on_rr(const HdlcFrame& f);
    void on_pdu(const WrapperPdu& pdu);
    void answer_apdu(const std::vector<std::uint8_t>& apdu);
    void send_frame(HdlcFrame f, bool remember = true);
    void send_next_segment();
    void deliver_answer(const std::vector<std::uint8_t>& bytes);
    HdlcFrame frame_to_client(HdlcControl control) const;

    // fake_meter_cosem.cpp
    std::vector<std::uint8_t> process(const std::vector<std::uint8_t>& apdu);
    std::vector<std::uint8_t> on_aarq(const std::vector<std::uint8_t>& apdu);
    std::vector<std::uint8_t> on_get(const GetRequest& req);
    std::vector<std::uint8_t> on_set(const SetRequest& req);
    GetResult read(const GetItem& item);
    GetResult read_buffer(const GetItem& item);
    Data entry_data(const Interval& i) const;
    std::vector<std::uint8_t> respond(std::uint8_t invoke, std::vector<GetResult> results, bool list);

    transport::MemoryChannel& channel_;
    FakeClock& clock_;
    HdlcParser parser_;
    WrapperParser wrapper_parser_;
    // HDLC state
    bool connected_ = false;
    HdlcAddress client_{};
    std::uint16_t send_max_ = 128;
    std::uint8_t vs_ = 0;
    std::uint8_t vr_ = 0;
    std::vector<std::uint8_t> rx_;
    std::deque<std::vector<std::uint8_t>> tx_segments_;
    std::optional<HdlcFrame> last_sent_;
    std::optional<std::vector<std::uint8_t>> busy_request_;  // answered once the client polls
    std::uint16_t tcp_client_ = 0;
    // association
    bool associated_ = false;
    std::uint16_t client_sap_ = 0;
    std::uint16_t client_max_pdu_ = 0xFFFF;
    std::uint32_t granted_ = 0;
    std::deque<std::vector<std::uint8_t>> blocks_;  // GET-Response-With-Datablock APDUs still to send
    std::uint32_t last_block_ = 0;
};

}  // namespace gridgate::dlms::testing
