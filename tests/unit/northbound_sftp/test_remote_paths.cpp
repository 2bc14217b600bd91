#include <catch2/catch.hpp>

#include "gridgate/northbound/sftp_forwarder.hpp"

using namespace gridgate;
using namespace gridgate::northbound;

namespace {

SftpSinkOptions sink(std::string root) {
    SftpSinkOptions o;
    o.sink_name = "sftp.headend";
    o.gateway_id = "gw-17";
    o.remote_root = std::move(root);
    return o;
}

SpooledFile file(std::string meter, std::string name) {
    SpooledFile f;
    f.meter = std::move(meter);
    f.name = std::move(name);
    return f;
}

}  // namespace

TEST_CASE("remote paths are root/gateway/meter/name with a hidden .part sibling", "[sftp][paths]") {
    const SpooledFile f = file("jem1", "142300003_1454408745_133724_07.pqd");
    CHECK(SftpForwarder::remote_path(sink("/srv/pq"), f) == "/srv/pq/gw-17/jem1/142300003_1454408745_133724_07.pqd");
    CHECK(SftpForwarder::remote_temp_path(sink("/srv/pq"), f) ==
          "/srv/pq/gw-17/jem1/.142300003_1454408745_133724_07.pqd.part");
    CHECK(SftpForwarder::remote_path(sink("/srv/pq/"), f) == "/srv/pq/gw-17/jem1/142300003_1454408745_133724_07.pqd");
    CHECK(SftpForwarder::remote_path(sink("incoming"), f) == "incoming/gw-17/jem1/142300003_1454408745_133724_07.pqd");
}

TEST_CASE("the login folder as root gives relative paths and the filesystem root absolute ones", "[sftp][paths]") {
    const SpooledFile f = file("m", "a.pqd");
    CHECK(SftpForwarder::remote_path(sink("."), f) == "gw-17/m/a.pqd");
    CHECK(SftpForwarder::remote_path(sink(""), f) == "gw-17/m/a.pqd");
    CHECK(SftpForwarder::remote_path(sink("/"), f) == "/gw-17/m/a.pqd");
    CHECK(SftpForwarder::remote_temp_path(sink("."), f) == "gw-17/m/.a.pqd.part");
}

TEST_CASE("a file no meter claimed goes to _unassigned", "[sftp][paths]") {
    CHECK(SftpForwarder::remote_path(sink("/in"), file("", "x.pqd")) == "/in/gw-17/_unassigned/x.pqd");
}

TEST_CASE("names from meters cannot leave their folder", "[sftp][paths]") {
    CHECK(SftpForwarder::remote_path(sink("/in"), file("m", "../../etc/passwd")) == "/in/gw-17/m/.._.._etc_passwd");
    CHECK(SftpForwarder::remote_path(sink("/in"), file("m", "..")) == "/in/gw-17/m/__");
    CHECK(SftpForwarder::remote_path(sink("/in"), file("a/b", "f")) == "/in/gw-17/a_b/f");
    CHECK(SftpForwarder::remote_path(sink("/in"), file(".", "f")) == "/in/gw-17/_/f");
    CHECK(SftpForwarder::remote_path(sink("/in"), file("m", "")) == "/in/gw-17/m/_");
}
