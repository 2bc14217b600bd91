// Power-quality files in the configuration: the files section (spool, alarms receiver,
// SFTP sinks), meters' pqdif pulls, inboxes and notification ids, SSH secrets.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace gridgate::gateway::test;

namespace {
const MeterConfig& meter(const GatewayConfig& c, const std::string& id) {
    for (const auto& m : c.meters)
        if (m.id == id) return m;
    FAIL("no meter " << id);
    return c.meters.front();
}
}  // namespace

TEST_CASE("the PQ files fixture loads", "[config][files]") {
    const auto r = load_config(fixture("good/pqfiles.yaml"));
    INFO((r.issues.empty() ? std::string() : r.issues.front().to_string()));
    REQUIRE(r.config);
    const auto& c = *r.config;

    const auto& pq7 = meter(c, "pq7");
    CHECK(pq7.pqdif.enabled);
    CHECK(pq7.pqdif.ssh.host == "10.0.0.17");  // the meter's own host by default
    CHECK(pq7.pqdif.ssh.port == 22);
    CHECK(pq7.pqdif.ssh.user == "pquser");
    CHECK(pq7.pqdif.ssh.auth == "password");
    CHECK(pq7.pqdif.ssh.password_key == "pq7");
    CHECK(pq7.pqdif.ssh.password == "meter-sftp-secret");
    REQUIRE(pq7.pqdif.ssh.host_key_fingerprints.size() == 1);
    CHECK(pq7.pqdif.ssh.known_hosts_file == "/var/lib/gridgate/known_hosts");
    CHECK(pq7.pqdif.directory == "/pqdif");
    CHECK(pq7.pqdif.interval == std::chrono::hours(1));
    CHECK(pq7.pqdif.delete_after_forward);
    CHECK(pq7.pqdif.capacity_bytes == 64'000'000);
    CHECK(pq7.notification_ids == std::vector<std::string>{"142300003", "MV90-17"});
    CHECK_FALSE(pq7.inbox.enabled);

    const auto& pq8 = meter(c, "pq8");
    CHECK(pq8.inbox.enabled);
    CHECK(pq8.inbox.directory == "/var/lib/gridgate/inbox/pq8/incoming");
    CHECK_FALSE(pq8.pqdif.enabled);
    CHECK(pq8.pqdif.ssh.host == "10.0.1.18");
    CHECK(pq8.pqdif.ssh.port == 2222);
    CHECK(pq8.pqdif.ssh.auth == "key");
    CHECK(pq8.pqdif.ssh.private_key_file == source_dir() + "/tests/fixtures/config/good/secrets/client.key");
    CHECK(pq8.pqdif.ssh.trust_on_first_use);

    CHECK(c.files.spool.directory == "/var/lib/gridgate/spool");
    CHECK(c.files.spool.quota_bytes == 2'000'000'000);
    CHECK(c.files.spool.quota_policy == "stop_intake");
    CHECK(c.files.inbox_root == "/var/lib/gridgate/inbox");
    CHECK(c.files.alarms.enabled);
    CHECK(c.files.alarms.listen == "0.0.0.0");
    CHECK(c.files.alarms.port == 8443);
    CHECK(c.files.alarms.require_client_cert);
    CHECK(c.files.alarms.max_body_bytes == 2u * 1024 * 1024);
    CHECK(c.files.alarms.path == "/");
    REQUIRE(c.files.sinks.size() == 2);
    const auto& headend = c.files.sinks[0];
    CHECK(headend.id == "headend");
    CHECK(headend.ssh.host == "files.example.net");
    CHECK(headend.ssh.password == "headend-secret");
    CHECK(headend.remote_root == "/incoming/pq");
    CHECK(headend.max_bytes_per_s == 1'000'000);
    REQUIRE(headend.windows.size() == 2);
    CHECK(headend.windows[0] == std::make_pair(22 * 60, 6 * 60));
    CHECK(headend.windows[1] == std::make_pair(12 * 60, 13 * 60));
    CHECK(c.files.sinks[1].ssh.auth == "key");
    CHECK(c.files.sinks[1].ssh.password.empty());
}

TEST_CASE("files defaults: nothing enabled, spool and inbox under data_dir", "[config][files]") {
    const auto r = parse_config(minimal_config, "site.yaml");
    REQUIRE(r.config);
    CHECK(r.config->files.spool.directory == "/var/lib/gridgate/spool");
    CHECK(r.config->files.spool.quota_bytes == 0);
    CHECK(r.config->files.spool.quota_policy == "drop_oldest");
    CHECK_FALSE(r.config->files.alarms.enabled);
    CHECK(r.config->files.sinks.empty());
    CHECK_FALSE(r.config->meters[0].pqdif.enabled);
    CHECK_FALSE(r.config->meters[0].inbox.enabled);
}

TEST_CASE("files: cross-checks name the problem", "[config][files]") {
    const std::string ssh_key = "      ssh: {user: pq, auth: key, private_key_file: /etc/hostname, trust_on_first_use: true}\n";
    SECTION("delete_after_forward needs a sink") {
        const auto issues = issues_of(minimal_config + "    pqdif:\n" + ssh_key + "      delete_after_forward: true\n");
        REQUIRE(issues.size() == 1);
        CHECK(issues[0].find("meters[0].pqdif.delete_after_forward: needs at least one files.sinks entry") !=
              std::string::npos);
    }
    SECTION("a serial meter's pull needs a host") {
        const std::string cfg = "gateway: {id: g}\nbuses: [{id: b1, device: /dev/ttyS0}]\nmeters:\n"
                                "  - id: m1\n    bus: b1\n    points: [{name: x, ref: 40001}]\n"
                                "    pqdif:\n" + ssh_key;
        const auto issues = issues_of(cfg);
        REQUIRE(issues.size() == 1);
        CHECK(issues[0].find("meters[0].pqdif.ssh.host: required key is missing") != std::string::npos);
    }
    SECTION("a password needs the secrets file") {
        const auto issues = issues_of(minimal_config +
                                      "    pqdif:\n      ssh: {user: pq, trust_on_first_use: true}\n");
        REQUIRE(issues.size() == 1);
        CHECK(issues[0].find("gateway.secrets_file is not set") != std::string::npos);
    }
    SECTION("two meters cannot claim one notification id") {
        const auto issues = issues_of(minimal_config + "    notification_ids: [A1]\n" +
                                      "  - id: jem2\n    host: 10.0.0.12\n    points: [{name: x, ref: 40001}]\n"
                                      "    notification_ids: [A1]\n");
        REQUIRE(issues.size() == 1);
        CHECK(issues[0].find("notification id A1 is already meter jem1's") != std::string::npos);
    }
    SECTION("client certificates need a CA") {
        const auto issues = issues_of(minimal_config +
                                      "files:\n  alarms: {cert_file: /etc/hostname, key_file: /etc/hostname, "
                                      "require_client_cert: true}\n");
        REQUIRE(issues.size() == 1);
        CHECK(issues[0].find("files.alarms.require_client_cert: needs client_ca_file") != std::string::npos);
    }
    SECTION("sink ids are unique") {
        const std::string sink = "    - {id: h, ssh: {host: h.example, user: gw, auth: key, "
                                 "private_key_file: /etc/hostname, trust_on_first_use: true}}\n";
        const auto issues = issues_of(minimal_config + "files:\n  sinks:\n" + sink + sink);
        REQUIRE(issues.size() == 1);
        CHECK(issues[0].find("sink id h is used twice") != std::string::npos);
    }
}

TEST_CASE("the PQ files example in docs/examples loads but for its machine's files", "[config][files]") {
    // It names the appliance's certificate and key files, which this machine lacks.
    const auto r = load_config(source_dir() + "/docs/examples/pq-files.yaml");
    REQUIRE(r.issues.size() == 3);
    for (const auto& issue : r.issues) CHECK(issue.message.find("cannot read /etc/gridgate/") == 0);
}
