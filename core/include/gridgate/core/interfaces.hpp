#pragma once
// The small interfaces that let components meet without linking to each other:
// drivers produce into a ReadingSink, the store implements it and Outbox, and
// northbound sinks consume an Outbox. Only the gateway wires them together.
// Likewise for acknowledged readings (DurableSink) and gateway events (EventSink in,
// EventOutbox out).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/reading.hpp"

namespace gridgate {

class ReadingSink {
public:
    virtual ~ReadingSink() = default;
    // Takes ownership of a batch. May block briefly for back-pressure; never drops
    // silently (see the store's quota policy).
    virtual void submit(std::vector<Reading> readings) = 0;
};

// A ReadingSink that can say when a batch is safe on disk: for protocols where the
// meter keeps data until the gateway confirms it (DNP3 application confirm of events,
// a DLMS profile read pointer), the confirm must wait for done(true) (design.md,
// "durability contract").
class DurableSink : public ReadingSink {
public:
    // Takes ownership of a batch and commits it as soon as possible (not waiting for the
    // usual grouping interval). done(true) once the transaction holding all of the
    // readings is durable on disk, fsynced even where ordinary commits are not;
    // done(false) when any of them was dropped instead (the bound on readings held in
    // memory while the disk refuses writes) or the sink stopped without committing them.
    // done is called exactly once, on the sink's own thread with no lock held (it may
    // submit again, and should only hand the result over, e.g. post it to a strand),
    // except in two cases where nothing needs waiting for and it is called before
    // submit_durable returns: an empty batch (done(true)) and a sink already stopped
    // (done(false)).
    virtual void submit_durable(std::vector<Reading> readings, std::function<void(bool stored)> done) = 0;
};

// Summary of what a sink has not yet had acknowledged.
struct BacklogInfo {
    std::uint64_t readings = 0;     // committed readings after the sink's cursor
    std::uint64_t cursor = 0;       // last acknowledged seq
    std::uint64_t last_seq = 0;     // last committed seq
    TimestampUs oldest_ts_us = 0;   // timestamp of the oldest unacknowledged reading (0 = none)
};

// The durable record a northbound sink reads from. All methods are thread-safe.
class Outbox {
public:
    virtual ~Outbox() = default;
    // Up to max_count committed readings with seq > after_seq, in seq order.
    virtual std::vector<StoredReading> read_after(std::uint64_t after_seq, std::size_t max_count) = 0;
    // Last seq the named sink has had acknowledged (0 if none).
    virtual std::uint64_t cursor(std::string_view sink) = 0;
    // Moves the sink's cursor forward to seq (never backward); durable on return.
    virtual void advance_cursor(std::string_view sink, std::uint64_t seq) = 0;
    // Highest committed seq (0 if empty).
    virtual std::uint64_t last_seq() = 0;
    virtual BacklogInfo backlog(std::string_view sink) = 0;
};

// One gateway event as the store keeps it (an audit log row): meter time sets, DNP3
// restarts and buffer overflows, the store's own disk-full and quota events.
struct GatewayEvent {
    std::uint64_t id = 0;     // increasing; unique per gateway, never reused
    TimestampUs ts_us = 0;    // UTC time it was recorded
    std::string kind;         // e.g. "dnp3_time_set", "quota_dropped" (docs/northbound.md lists them)
    std::string detail_json;  // a JSON object, kind-specific; "meter" names the meter when there is one
};

// Where drivers and the gateway record events. Thread-safe.
class EventSink {
public:
    virtual ~EventSink() = default;
    // Durable on return (the store writes it as one audit row). detail_json must be a
    // JSON object. Throws (a std::exception) when the event cannot be stored: a detail
    // that is not an object, a disk that refuses writes.
    virtual void record_event(std::string_view kind, std::string_view detail_json) = 0;
};

// The durable record of events a northbound sink publishes from. Each sink keeps a
// cursor of the last event id it had acknowledged, in the same cursor table as the
// reading cursors (e.g. "mqtt.events"), but never counted as a readings sink by the
// store's quota. All methods are thread-safe.
class EventOutbox {
public:
    virtual ~EventOutbox() = default;
    // Up to max_count events with id > after_id, in id order.
    virtual std::vector<GatewayEvent> read_events_after(std::uint64_t after_id, std::size_t max_count) = 0;
    // Last event id the named sink has had acknowledged (0 if none).
    virtual std::uint64_t event_cursor(std::string_view sink) = 0;
    // Moves the sink's event cursor forward to id (never backward; clamped to the newest
    // event id); durable on return.
    virtual void advance_event_cursor(std::string_view sink, std::uint64_t id) = 0;
};


// A file held in the gateway's spool (a PQDIF recording pulled from a meter, pushed by
// it into its inbox, or attached to an HTTPS notification), as a northbound file sink
// sees it.
struct SpooledFile {
    std::uint64_t id = 0;          // increasing; unique per gateway
    std::string meter;             // configured meter id ("" when no meter claimed it)
    std::string name;              // the file's original name
    std::string local_path;        // absolute path of the spooled copy
    std::uint64_t size = 0;
    std::string sha256;            // lowercase hex of the whole file
    TimestampUs received_us = 0;   // when the spool took it (UTC)
    std::string details_json;      // a JSON object: source, type bits, PQDIF check...
};

// The durable record of spooled files that northbound file sinks (SFTP) deliver, with a
// delivery record per sink. Thread-safe.
class FileOutbox {
public:
    virtual ~FileOutbox() = default;
    // The oldest file still in the spool with id > after_id that `sink` has not
    // delivered; nullopt when there is none.
    virtual std::optional<SpooledFile> next_undelivered(std::string_view sink, std::uint64_t after_id) = 0;
    // Records that `sink` delivered the file (the far side confirmed it: renamed into
    // place and its size checked), together with the `files` notice for it (a JSON
    // object), in one fsynced transaction: the notice becomes a gateway event of kind
    // "file_forwarded" that the MQTT forwarder publishes on the `files` topic. Calling it
    // again for the same (sink, id) changes nothing. Throws when the store refuses.
    virtual void mark_delivered(std::string_view sink, std::uint64_t id, std::string_view remote_path,
                                std::string_view notice_json) = 0;
};

}  // namespace gridgate
