#pragma once
// Loader internals: reading the points of a template or a meter.
#include <string>
#include <vector>

#include "config_yaml.hpp"

namespace gridgate::gateway::config_detail {

// A point as read, with the line of its name for duplicate-name messages.
struct PointRead {
    PointConfig point;
    int name_line = 0;
};

// Reads a list of points. Every element yields a point, even one with refused values,
// so that later checks (duplicate names) still see it; the issues keep the config from
// being returned anyway.
std::vector<PointRead> read_points(const Located& list, Issues& issues);

// Reports point names used twice. points[0, inherited) came from template `template_id`;
// the rest were read from `own_list_path` ("meters[0].points") in order.
void check_point_names(const std::vector<PointRead>& points, std::size_t inherited, const std::string& template_id,
                       const std::string& own_list_path, Issues& issues);

}  // namespace gridgate::gateway::config_detail
