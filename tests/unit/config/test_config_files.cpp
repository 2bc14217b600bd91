// Whole-file problems: unreadable files, bytes that are not YAML text, YAML syntax errors.
// None of them may throw out of the loader.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate::gateway;
using namespace gridgate::gateway::test;
using Issues = std::vector<std::string>;

TEST_CASE("non-YAML bytes") {
    CHECK(issues_of(std::string("\x00\xff\xfe", 3)) ==
          Issues{"site.yaml:1: not a text file: control byte 0x00 at column 1 (a configuration file must be UTF-8 text)"});
    CHECK(issues_of("gateway:\n  id: caf\xe9\n") ==
          Issues{"site.yaml:2: not UTF-8 text: invalid byte 0xe9 at column 10 (a configuration file must be UTF-8 text)"});
    CHECK(issues_of("gateway:\n  id: caf\xc3\xa9\n").size() == 2);  // valid UTF-8: now it is only a bad id and no meters
}

TEST_CASE("YAML syntax errors give yaml-cpp's line") {
    CHECK(issues_of("key: [unclosed") ==
          Issues{"site.yaml:1: not valid YAML at column 1: end of sequence flow not found"});
    CHECK(issues_of("gateway:\n  id: [a,\n") ==
          Issues{"site.yaml:2: not valid YAML at the end of the file: end of sequence flow not found"});
    CHECK(issues_of("gateway:\n  id: a\n id: b\n") ==
          Issues{"site.yaml:3: not valid YAML at column 2: end of map not found"});
}

TEST_CASE("a stray comma is an error, not an endless loop in yaml-cpp") {
    // yaml-cpp 0.7's LoadAll loops, allocating without end, on these (its issue #1040).
    CHECK(issues_of(",") == Issues{"site.yaml:1: not valid YAML at column 1: unexpected ','"});
    CHECK(issues_of("[a],\n") == Issues{"site.yaml:1: not valid YAML at column 4: unexpected ','"});
}

TEST_CASE("deep nesting is refused") {
    CHECK(issues_of(std::string(600, '[')) == Issues{"site.yaml:1: not valid YAML at column 1: nested more than 500 levels deep"});
}

TEST_CASE("a tab in indentation is named as such") {
    CHECK(issues_of("gateway:\n\tid: site-01\n") ==
          Issues{"site.yaml:2: tab character in indentation (YAML indents with spaces only)"});
}

TEST_CASE("an empty file") {
    CHECK(issues_of("") == Issues{"site.yaml: the file is empty (it needs at least the gateway and meters sections)"});
    CHECK(issues_of("# nothing yet\n\n") ==
          Issues{"site.yaml: the file is empty (it needs at least the gateway and meters sections)"});
}

TEST_CASE("a document that is not a map of sections") {
    CHECK(issues_of("- gateway\n- meters\n") ==
          Issues{"site.yaml:1: must be a map of sections (gateway, mqtt, store, time, templates, connections, buses, meters, files), got a "
                 "list"});
}

TEST_CASE("more than one YAML document") {
    CHECK(issues_of(minimal_config + "---\ngateway: {id: other}\n") ==
          Issues{"site.yaml:8: more than one YAML document (---); a configuration is a single document"});
}

TEST_CASE("a key given twice") {
    CHECK(issues_of("gateway:\n  id: a\n  id: b\n" + minimal_config.substr(minimal_config.find("meters"))) ==
          Issues{"site.yaml:3: gateway.id: duplicate key (first given at line 2)"});
}

TEST_CASE("merge keys are refused with a pointer to templates") {
    CHECK(issues_of(minimal_config + "    <<: {unit_id: 3}\n") ==
          Issues{"site.yaml:8: meters[0].<<: merge keys (<<) are not supported; share points with a template, or "
                 "repeat the keys"});
}

TEST_CASE("a file that does not exist") {
    const ConfigResult result = load_config("/nonexistent/site.yaml");
    CHECK_FALSE(result.config);
    REQUIRE(result.issues.size() == 1);
    CHECK(result.issues[0].to_string() == "/nonexistent/site.yaml: cannot read the file: No such file or directory");
}

TEST_CASE("a directory is not a configuration file") {
    const ConfigResult result = load_config(fixture("good"));
    CHECK_FALSE(result.config);
    REQUIRE(result.issues.size() == 1);
    CHECK(result.issues[0].to_string() == fixture("good") + ": cannot read the file: is a directory, not a file");
}

TEST_CASE("load_config names the file and resolves relative paths against its directory") {
    const std::string path = fixture("good/full.yaml");
    const ConfigResult result = load_config(path);
    for (const auto& issue : result.issues) UNSCOPED_INFO(issue.to_string());
    REQUIRE(result.config);
    const GatewayConfig& c = *result.config;
    CHECK(c.source_file == path);
    CHECK(c.mqtt.password_file == fixture("good/secrets/mqtt.pass"));
    CHECK(c.mqtt.tls.ca_file == fixture("good/secrets/ca.pem"));
    CHECK(c.mqtt.tls.cert_file == fixture("good/secrets/client.pem"));
    CHECK(c.mqtt.tls.key_file == fixture("good/secrets/client.key"));
    CHECK(c.data_dir == fixture("good/data"));
    CHECK(c.control_socket == fixture("good/data/gridgated.sock"));
}

TEST_CASE("issues print as file:line: key.path: message") {
    CHECK(ConfigIssue{"site.yaml", 14, "meters[1].unit_id", "must be ..."}.to_string() ==
          "site.yaml:14: meters[1].unit_id: must be ...");
    CHECK(ConfigIssue{"site.yaml", 0, "", "the file is empty"}.to_string() == "site.yaml: the file is empty");
}
