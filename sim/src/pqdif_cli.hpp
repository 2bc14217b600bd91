#pragma once
// The PQDIF part of metersim's command line (private to sim_options.cpp): the options'
// descriptions and their checks.
#include <string>

#include <boost/program_options.hpp>

#include "gridgate/sim/sim_options.hpp"

namespace gridgate::sim {

// Options that arrive as text and are checked after parsing.
struct PqdifRawOptions {
    std::string every = "0";
    std::string capacity = "0";
    std::string compress = "on";
    std::string types;  // empty = the default cycle
    std::string write_time = "0";
    unsigned samples_per_cycle = 128;
};

void describe_pqdif(boost::program_options::options_description& d, SimOptions& o, PqdifRawOptions& raw);

// Checked and copied into `o.pqdif`; empty when all is well, else why not.
std::string check_pqdif_options(SimOptions& o, const PqdifRawOptions& raw,
                                const boost::program_options::variables_map& vm);

}  // namespace gridgate::sim
