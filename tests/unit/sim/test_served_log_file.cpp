#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/asio/io_context.hpp>

#include "gridgate/sim/served_log.hpp"

using namespace gridgate::sim;

namespace {

struct TempPath {
    std::string path = "/tmp/gg_served_log_test_" + std::to_string(::getpid()) + ".jsonl";
    ~TempPath() { std::remove(path.c_str()); }
    std::string contents() const {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("served log: lines are buffered and written out on close", "[sim][served-log]") {
    TempPath tmp;
    boost::asio::io_context io;
    ServedLogFile log(io.get_executor(), tmp.path);
    log.record("jem1", 1, ServedRead{3, 0, 2, {1, 2}});
    log.record("jem2", 1, ServedRead{4, 5, 1, {7}});
    CHECK(tmp.contents().empty());
    log.close();
    const std::string text = tmp.contents();
    CHECK(lines(text) == 2);
    CHECK(text.find("\"meter\":\"jem2\",\"unit\":1,\"fc\":4,\"addr\":5,\"count\":1,\"values\":[7]}") != std::string::npos);
}

TEST_CASE("served log: the periodic flush writes without closing", "[sim][served-log]") {
    TempPath tmp;
    boost::asio::io_context io;
    ServedLogFile log(io.get_executor(), tmp.path, std::chrono::milliseconds(1));
    log.record("jem1", 1, ServedRead{3, 0, 2, {1, 2}});
    CHECK(io.run_one() == 1);  // the flush timer's handler
    CHECK(lines(tmp.contents()) == 1);
}

TEST_CASE("served log: an unwritable path is a setup error", "[sim][served-log]") {
    boost::asio::io_context io;
    CHECK_THROWS_WITH(ServedLogFile(io.get_executor(), "/nonexistent-dir/x.jsonl"),
                      "cannot open served log '/nonexistent-dir/x.jsonl'");
}
