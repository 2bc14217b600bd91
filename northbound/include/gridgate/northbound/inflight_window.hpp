#pragma once
// Bookkeeping for the batches published but not yet acknowledged (pure, no I/O).
// Acknowledgements may be observed in any order; the sink's cursor may only move over
// the contiguous acknowledged prefix, so a batch acked early waits for the ones before
// it, and nothing is ever skipped.
#include <cstddef>
#include <cstdint>
#include <deque>

namespace gridgate::northbound {

class InflightWindow {
public:
    struct Batch {
        std::uint64_t id = 0;         // unique per publish, never reused
        std::uint64_t first_seq = 0;
        std::uint64_t last_seq = 0;
        std::size_t readings = 0;
        bool acked = false;
        std::size_t bytes = 0;        // encoded message size (for drain-rate statistics)
    };
    // What pop_acked_prefix() released.
    struct Released {
        std::size_t batches = 0;
        std::size_t readings = 0;
        std::uint64_t last_seq = 0;   // the new cursor; meaningful when batches > 0
        std::size_t bytes = 0;
    };

    // Appends a batch; batches must be pushed in seq order.
    void push(const Batch& batch);
    // Marks a batch acknowledged; returns it, or null if the id is not in the window
    // (a late ack from a connection already given up, or a duplicate).
    const Batch* mark_acked(std::uint64_t id);
    bool contains(std::uint64_t id) const;
    // Removes the leading run of acknowledged batches.
    Released pop_acked_prefix();
    // Forgets everything (connection lost: the batches will be re-read from the cursor).
    void clear() { batches_.clear(); }

    std::size_t size() const { return batches_.size(); }
    bool empty() const { return batches_.empty(); }

private:
    Batch* find(std::uint64_t id);

    std::deque<Batch> batches_;
};

}  // namespace gridgate::northbound
