#include "transport/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>

namespace pronto::detail {

namespace {

constexpr unsigned char kAlpnH2[] = {2, 'h', '2'};

std::string openssl_error(std::string_view what) {
  std::string s(what);
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    s += ": ";
    s += buf.data();
  }
  return s;
}

// Server side: accept only "h2"; refuse a client that does not offer it.
int select_h2(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
              void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpnH2, sizeof kAlpnH2, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

Status load_cert_and_key(SSL_CTX* ctx, const std::string& cert, const std::string& key) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    return Status::invalid_argument(openssl_error("cannot load certificate '" + cert + "'"));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::invalid_argument(openssl_error("cannot load private key '" + key + "'"));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::invalid_argument(openssl_error("private key does not match the certificate"));
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<TlsContext>> TlsContext::server(const TlsServerOptions& options) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return Status::internal(openssl_error("SSL_CTX_new"));
  std::shared_ptr<TlsContext> holder(new TlsContext(ctx, true));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (Status st = load_cert_and_key(ctx, options.cert_file, options.key_file); !st.ok()) return st;
  SSL_CTX_set_alpn_select_cb(ctx, &select_h2, nullptr);
  if (!options.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.client_ca_file.c_str(), nullptr) != 1) {
      return Status::invalid_argument(openssl_error("cannot load client CA '" + options.client_ca_file + "'"));
    }
    int mode = SSL_VERIFY_PEER;
    if (options.require_client_cert) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
  }
  return holder;
}

Result<std::shared_ptr<TlsContext>> TlsContext::client(const TlsChannelOptions& options) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return Status::internal(openssl_error("SSL_CTX_new"));
  std::shared_ptr<TlsContext> holder(new TlsContext(ctx, false));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_alpn_protos(ctx, kAlpnH2, sizeof kAlpnH2);
  int ok = options.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                   : SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr);
  if (ok != 1) return Status::invalid_argument(openssl_error("cannot load CA '" + options.ca_file + "'"));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!options.cert_file.empty()) {
    if (Status st = load_cert_and_key(ctx, options.cert_file, options.key_file); !st.ok()) return st;
  }
  return holder;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsFilter::TlsFilter(std::shared_ptr<TlsContext> ctx, const std::string& server_name) : ctx_(std::move(ctx)) {
  ssl_ = SSL_new(ctx_->raw());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in_, -1);
  SSL_set_bio(ssl_, in_, out_);
  if (ctx_->is_server()) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
    if (!server_name.empty()) {
      SSL_set_tlsext_host_name(ssl_, server_name.c_str());
      // Verify the certificate against the name (IP addresses too).
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      if (X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str()) != 1) {
        X509_VERIFY_PARAM_set1_host(param, server_name.c_str(), 0);
      }
    }
    advance();  // ClientHello
  }
}

TlsFilter::~TlsFilter() { SSL_free(ssl_); }

Status TlsFilter::advance() {
  if (!handshake_done_) {
    int rc = SSL_do_handshake(ssl_);
    if (rc != 1) {
      int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return {};
      long verify = SSL_get_verify_result(ssl_);
      std::string why = openssl_error("TLS handshake failed");
      if (verify != X509_V_OK) why += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
      return Status::unavailable(why);
    }
    handshake_done_ = true;
    if (alpn() != "h2") return Status::unavailable("peer did not negotiate ALPN h2");
  }
  if (!held_.empty()) {
    std::string pending = std::move(held_);
    held_.clear();
    send(pending);
  }
  return {};
}

Status TlsFilter::receive(const std::uint8_t* data, std::size_t size, std::string& plaintext) {
  BIO_write(in_, data, static_cast<int>(size));
  if (Status st = advance(); !st.ok()) return st;
  if (!handshake_done_) return {};
  std::array<char, 16 * 1024> buf;
  for (;;) {
    int n = SSL_read(ssl_, buf.data(), static_cast<int>(buf.size()));
    if (n > 0) {
      plaintext.append(buf.data(), static_cast<std::size_t>(n));
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return {};
    if (err == SSL_ERROR_ZERO_RETURN) return Status::unavailable("TLS connection closed by the peer");
    return Status::unavailable(openssl_error("TLS read failed"));
  }
}

void TlsFilter::send(std::string_view plaintext) {
  if (plaintext.empty()) return;
  if (!handshake_done_) {
    held_.append(plaintext);
    return;
  }
  while (!plaintext.empty()) {
    int n = SSL_write(ssl_, plaintext.data(), static_cast<int>(std::min<std::size_t>(plaintext.size(), 1 << 30)));
    if (n <= 0) return;  // fatal; the next receive reports it
    plaintext.remove_prefix(static_cast<std::size_t>(n));
  }
}

void TlsFilter::take_output(h2::OutputBuffer& out) {
  char* p = nullptr;
  long n = BIO_get_mem_data(out_, &p);
  if (n > 0) {
    out.append(p, static_cast<std::size_t>(n));
    (void)BIO_reset(out_);
  }
}

std::string TlsFilter::alpn() const {
  const unsigned char* p = nullptr;
  unsigned int n = 0;
  SSL_get0_alpn_selected(ssl_, &p, &n);
  return std::string(reinterpret_cast<const char*>(p), n);
}

std::string TlsFilter::peer_identity() const {
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (!cert) return {};
  std::string id;
  if (auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans) && id.empty(); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type == GEN_DNS) {
        id.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                  static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName)));
      }
    }
    GENERAL_NAMES_free(sans);
  }
  if (id.empty()) {
    std::array<char, 256> cn{};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn.data(), cn.size()) > 0) {
      id = cn.data();
    }
  }
  X509_free(cert);
  return id;
}

}  // namespace pronto::detail
