#pragma once
// The logical side of the check: what the container, data source and observation records
// say (compression, quantity types, start times), and whether it is consistent.
#include <cstddef>
#include <string>
#include <vector>

#include "gridgate/files/pqdif.hpp"
#include "pqdif_body.hpp"

namespace gridgate::files::pqdif {

// What earlier records established for the ones after them.
struct LogicalState {
    bool compressed = false;
    bool have_data_source = false;
    std::vector<std::size_t> series_per_channel;  // of the current data source's channel definitions
};

// Each returns the first problem, or an empty string.
std::string read_container(const Element& root, LogicalState& state);
std::string read_data_source(const Element& root, LogicalState& state, PqdifSummary& summary);
std::string read_monitor_settings(const Element& root, const LogicalState& state);
std::string read_observation(const Element& root, const LogicalState& state, PqdifSummary& summary);

// The summary's name of a tagQuantityTypeID value ("waveform", ..., "unknown").
std::string quantity_type_name(const Guid& id);

}  // namespace gridgate::files::pqdif
