#pragma once
// Throwaway certificates for TLS tests, made with the `openssl` command line tool: a CA,
// a server certificate valid for 127.0.0.1 and localhost (subjectAltName), and a client
// certificate, all signed by that CA. EC P-256 keys (fast to generate), valid two days.
#include <filesystem>
#include <string_view>

namespace gridgate::testing {

struct TestPki {
    std::filesystem::path ca_cert;
    std::filesystem::path ca_key;
    std::filesystem::path server_cert;
    std::filesystem::path server_key;
    std::filesystem::path client_cert;
    std::filesystem::path client_key;
};

// Writes <name>-ca.pem, <name>-server.pem, <name>-client.pem and their -key.pem files
// into dir. Two calls with different names give two unrelated CAs (for "wrong CA"
// tests). Throws std::runtime_error with openssl's output if a step fails.
TestPki make_test_pki(const std::filesystem::path& dir, std::string_view name = "test");

}  // namespace gridgate::testing
