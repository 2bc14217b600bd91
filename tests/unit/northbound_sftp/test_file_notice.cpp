#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sftp_notice.hpp"

using namespace gridgate;
using namespace gridgate::northbound;
using nlohmann::json;

namespace {

SpooledFile pq_file() {
    SpooledFile f;
    f.id = 42;
    f.meter = "jem1";
    f.name = "142300003_1454408745_133724_07.pqd";
    f.local_path = "/var/lib/gridgate/spool/42.pqd";
    f.size = 51234;
    f.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    f.received_us = 1'454'408'800'000'000;  // 2016-02-02T10:26:40Z
    f.details_json = R"({"source":"pull","type_bits":7,"pqdif":{"well_formed":true,"observations":2}})";
    return f;
}

const FileNoticeFacts facts{"gw-17", "sftp.headend", "/in/gw-17/jem1/142300003_1454408745_133724_07.pqd",
                            1'454'409'000'123'456};

}  // namespace

TEST_CASE("the files notice carries the documented fields", "[sftp][notice]") {
    const json n = json::parse(make_file_notice(pq_file(), facts));
    CHECK(n.at("gateway") == "gw-17");
    CHECK(n.at("meter") == "jem1");
    CHECK(n.at("name") == "142300003_1454408745_133724_07.pqd");
    CHECK(n.at("size") == 51234);
    CHECK(n.at("sha256") == pq_file().sha256);
    CHECK(n.at("remote_path") == "/in/gw-17/jem1/142300003_1454408745_133724_07.pqd");
    CHECK(n.at("sink") == "sftp.headend");
    CHECK(n.at("received") == "2016-02-02T10:26:40.000000Z");
    CHECK(n.at("forwarded") == "2016-02-02T10:30:00.123456Z");
    CHECK(n.at("details").at("source") == "pull");
    CHECK(n.at("details").at("pqdif").at("observations") == 2);
    CHECK(n.size() == 10);
}

TEST_CASE("the notice's fields come in the documented order", "[sftp][notice]") {
    const std::string text = make_file_notice(pq_file(), facts);
    CHECK(text.rfind(R"({"gateway":"gw-17","meter":"jem1","name":)", 0) == 0);
    CHECK(text.find(R"("forwarded":)") < text.find(R"("details":)"));
}

TEST_CASE("details that are empty or not an object are still a JSON object", "[sftp][notice]") {
    SpooledFile f = pq_file();
    f.details_json = "";
    CHECK(json::parse(make_file_notice(f, facts)).at("details") == json::object());
    f.details_json = "not json {";
    CHECK(json::parse(make_file_notice(f, facts)).at("details") == json{{"unparsed", "not json {"}});
    f.details_json = "[1,2]";
    CHECK(json::parse(make_file_notice(f, facts)).at("details").at("unparsed") == "[1,2]");
}

TEST_CASE("bytes that are not UTF-8 in a name do not break the notice", "[sftp][notice]") {
    SpooledFile f = pq_file();
    f.name = "bad\xff\xfename.pqd";
    f.meter = "";
    const json n = json::parse(make_file_notice(f, facts));
    CHECK(n.at("name") == "bad\xEF\xBF\xBD\xEF\xBF\xBDname.pqd");
    CHECK(n.at("meter") == "");
}
