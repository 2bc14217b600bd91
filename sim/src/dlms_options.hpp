#pragma once
// The DLMS part of metersim's command line (private to sim_options.cpp): the options'
// descriptions and their checks.
#include <set>
#include <string>

#include <boost/program_options.hpp>

#include "gridgate/sim/sim_options.hpp"

namespace gridgate::sim {

// Options that arrive as text or wider integers and are checked after parsing.
struct DlmsRawOptions {
    unsigned base_port = default_dlms_base_port;
    std::string physical_ids = "100";
    std::string capture_period = "15m";
    std::string history = "7d";
    unsigned max_pdu = 512;
    unsigned hdlc_info = 128;
    unsigned hdlc_window = 1;
    std::string inactivity_timeout = "60s";
    std::string hdlc_inactivity = "120s";
    std::string interframe_timeout = "1000ms";
    std::string clock_offset = "0";
    int utc_offset = 0;
    std::string dst = "none";
    std::string deviation = "blue_book";
    bool no_public = false;
};

void describe_dlms(boost::program_options::options_description& d, SimOptions& o, DlmsRawOptions& raw);

// Checked and copied into `o`; empty when all is well, else why not.
std::string check_dlms(SimOptions& o, const DlmsRawOptions& raw, const boost::program_options::variables_map& vm);

// The DLMS meters' ids: unique, and none of a Modbus meter (`ids`) or DNP3 outstation.
std::string check_dlms_ids(const SimOptions& o, const std::set<std::string>& ids,
                           const std::set<std::string>& dnp3_ids);

}  // namespace gridgate::sim
