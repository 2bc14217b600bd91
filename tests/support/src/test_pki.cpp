#include "gridgate/testing/test_pki.hpp"

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/temp_dir.hpp"

namespace gridgate::testing {

namespace {

// Our own minimal openssl config, so the host's openssl.cnf cannot add or clash with
// extensions.
constexpr std::string_view openssl_config = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
)";

class OpensslRunner {
public:
    explicit OpensslRunner(std::filesystem::path log) : log_(std::move(log)) {}
    void run(std::vector<std::string> args) {
        args.insert(args.begin(), "openssl");
        if (run_command(args, log_) != 0)
            throw std::runtime_error("openssl " + args[1] + " failed:\n" + read_text_file(log_));
    }

private:
    std::filesystem::path log_;
};

}  // namespace

TestPki make_test_pki(const std::filesystem::path& dir, std::string_view name) {
    const std::string prefix = (dir / std::string(name)).string();
    const std::string config = prefix + "-openssl.cnf";
    {
        std::ofstream out(config, std::ios::trunc);
        out << openssl_config;
        if (!out) throw std::runtime_error("cannot write " + config);
    }
    TestPki pki{prefix + "-ca.pem",     prefix + "-ca-key.pem",     prefix + "-server.pem",
                prefix + "-server-key.pem", prefix + "-client.pem", prefix + "-client-key.pem"};
    OpensslRunner openssl(prefix + "-openssl.log");
    const std::vector<std::string> new_key{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};

    auto ca = std::vector<std::string>{"req", "-config", config, "-x509", "-days", "2", "-extensions", "ca_ext",
                                       "-subj", "/CN=" + std::string(name) + " test CA", "-keyout",
                                       pki.ca_key.string(), "-out", pki.ca_cert.string()};
    ca.insert(ca.end(), new_key.begin(), new_key.end());
    openssl.run(ca);

    auto issue = [&](const std::string& role, const std::string& cn, const std::filesystem::path& cert,
                     const std::filesystem::path& key, int serial) {
        const std::string csr = prefix + "-" + role + ".csr";
        auto request = std::vector<std::string>{"req", "-config", config, "-subj", "/CN=" + cn,
                                                "-keyout", key.string(), "-out", csr};
        request.insert(request.end(), new_key.begin(), new_key.end());
        openssl.run(request);
        openssl.run({"x509", "-req", "-in", csr, "-CA", pki.ca_cert.string(), "-CAkey", pki.ca_key.string(),
                     "-set_serial", std::to_string(serial), "-days", "2", "-extfile", config, "-extensions",
                     role + "_ext", "-out", cert.string()});
    };
    issue("server", "localhost", pki.server_cert, pki.server_key, 1001);
    issue("client", std::string(name) + "-client", pki.client_cert, pki.client_key, 1002);
    return pki;
}

}  // namespace gridgate::testing
