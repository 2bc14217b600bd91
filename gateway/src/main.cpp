// gridgated: the gateway daemon.
#include <boost/program_options.hpp>
#include <iostream>

#include "gridgate/core/log.hpp"
#include "gridgate/gateway/config.hpp"
#include "gridgate/gateway/gateway.hpp"

namespace po = boost::program_options;
using namespace gridgate;

namespace {
constexpr const char* default_config = "/etc/gridgate/gridgate.yaml";

int check_config(const std::string& path) {
    const auto result = gateway::load_config(path);
    for (const auto& issue : result.issues) std::cerr << issue.to_string() << '\n';
    if (!result.config) {
        std::cerr << path << ": " << result.issues.size() << " problem(s); configuration refused\n";
        return 1;
    }
    const auto& c = *result.config;
    std::size_t points = 0;
    for (const auto& m : c.meters) {
        points += m.points.size() + m.dnp3_points.size() + m.dlms_registers.size();
        for (const auto& p : m.dlms_profiles) points += p.channels.size() + (p.status_point.empty() ? 0 : 1);
    }
    std::cout << path << ": OK: gateway " << c.id << ", " << c.meters.size() << " meter(s), " << c.connections.size()
              << " connection(s), " << points << " point(s)\n";
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    po::options_description opts("gridgated: polls meters, buffers every reading, forwards them northbound.\nOptions");
    std::string config_path = default_config;
    std::string check_path;
    std::string level;
    opts.add_options()("help,h", "show this help")("version", "print the version")(
        "config,c", po::value(&config_path), "configuration file (default /etc/gridgate/gridgate.yaml)")(
        "check-config", po::value(&check_path), "validate FILE, print any problems, exit 0 (valid) or 1")(
        "log-level", po::value(&level), "override gateway.log_level: trace|debug|info|warn|error|off");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "gridgated: " << e.what() << "\n" << opts << '\n';
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts << '\n';
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "gridgated " GRIDGATE_VERSION "\n";
        return 0;
    }
    if (vm.count("check-config")) return check_config(check_path);

    auto result = gateway::load_config(config_path);
    if (!result.config) {
        for (const auto& issue : result.issues) std::cerr << issue.to_string() << '\n';
        std::cerr << "gridgated: configuration refused, not starting\n";
        return 1;
    }
    Logger logger(result.config->log_level);
    if (!level.empty()) {
        LogLevel l{};
        if (!parse_log_level(level, l)) {
            std::cerr << "gridgated: unknown log level '" << level << "'\n";
            return 2;
        }
        logger.set_level(l);
    }
    logger.info("gateway", "gridgated " GRIDGATE_VERSION " starting with " + config_path);
    gateway::Gateway gw(std::move(*result.config), logger);
    return gw.run();
}
