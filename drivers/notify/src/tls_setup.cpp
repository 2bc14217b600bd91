#include "tls_setup.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <system_error>

namespace gridgate::notify::detail {
namespace ssl = boost::asio::ssl;

namespace {

template <class Load>
void load_or_throw(const char* what, const std::string& file, Load&& load) {
    boost::system::error_code ec;
    load(ec);
    if (ec) throw std::runtime_error(std::string("alarm receiver: cannot load ") + what + " " + file + ": " + ec.message());
}

}  // namespace

ssl::context make_server_tls_context(const AlarmReceiverOptions& options) {
    if (options.cert_file.empty() || options.key_file.empty())
        throw std::invalid_argument("alarm receiver: cert_file and key_file are required");
    if (options.require_client_cert && options.client_ca_file.empty())
        throw std::invalid_argument("alarm receiver: require_client_cert needs client_ca_file");

    ssl::context ctx(ssl::context::tls_server);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::single_dh_use);
    // TLS 1.0 and 1.1 are refused outright; the meter's firmware speaks 1.2.
    if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1)
        throw std::runtime_error("alarm receiver: cannot set the minimum TLS version");

    load_or_throw("certificate chain", options.cert_file,
                  [&](auto& ec) { ctx.use_certificate_chain_file(options.cert_file, ec); });
    load_or_throw("private key", options.key_file,
                  [&](auto& ec) { ctx.use_private_key_file(options.key_file, ssl::context::pem, ec); });
    if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
        throw std::runtime_error("alarm receiver: the key " + options.key_file + " does not match " + options.cert_file);

    if (!options.client_ca_file.empty()) {
        load_or_throw("client CA", options.client_ca_file,
                      [&](auto& ec) { ctx.load_verify_file(options.client_ca_file, ec); });
        // Tell clients which CA we accept, so one holding several certificates picks right.
        if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str()))
            SSL_CTX_set_client_CA_list(ctx.native_handle(), names);
        auto mode = ssl::verify_peer;
        if (options.require_client_cert) mode |= ssl::verify_fail_if_no_peer_cert;
        ctx.set_verify_mode(mode);
    } else {
        ctx.set_verify_mode(ssl::verify_none);
    }
    // One session id context for this service, needed once peers are verified and a
    // client resumes a session.
    static constexpr unsigned char sid[] = "gridgate-alarms";
    SSL_CTX_set_session_id_context(ctx.native_handle(), sid, sizeof sid - 1);
    return ctx;
}

std::string verified_peer_subject(SSL* ssl_handle) {
    if (ssl_handle == nullptr) return {};
    const std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl_handle), &X509_free);
    if (!cert || SSL_get_verify_result(ssl_handle) != X509_V_OK) return {};
    const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253) < 0) return {};
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string{};
}

}  // namespace gridgate::notify::detail
