#pragma once
// Loader internals: the DNP3 parts of templates and meters (points, object-range reads,
// the dnp3: session settings).
#include <string>
#include <vector>

#include "config_yaml.hpp"

namespace gridgate::gateway::config_detail {

struct Dnp3PointRead {
    Dnp3PointConfig point;
    int name_line = 0;
};

std::vector<Dnp3PointRead> read_dnp3_points(const Located& list, Issues& issues);
// Point names used twice, and two points on the same object type and index; as
// check_point_names.
void check_dnp3_points(const std::vector<Dnp3PointRead>& points, std::size_t inherited, const std::string& template_id,
                       const std::string& own_list_path, Issues& issues);
// Returns the line of the address key (0 when absent), for messages about address clashes.
int read_dnp3_settings(const Located& where, Dnp3Config& out, Issues& issues);
std::vector<Dnp3ReadConfig> read_dnp3_reads(const Located& list, Issues& issues);

}  // namespace gridgate::gateway::config_detail
