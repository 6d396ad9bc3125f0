// pronto/tls.h — TLS settings for servers and channels (OpenSSL 3, TLS 1.2
// minimum, ALPN "h2" required on both sides). Plain values.
#pragma once

#include <string>

namespace pronto {

struct TlsServerOptions {
  std::string cert_file{};       // PEM certificate chain
  std::string key_file{};        // PEM private key
  // mTLS: verify client certificates against this CA bundle. With
  // require_client_cert, a client without a valid certificate is refused.
  std::string client_ca_file{};
  bool require_client_cert = false;
};

struct TlsChannelOptions {
  std::string ca_file{};  // PEM roots; empty: the system's default roots
  // Name to verify the server certificate against (and send as SNI),
  // instead of the target's host.
  std::string server_name_override{};
  // Client certificate for mTLS (optional).
  std::string cert_file{};
  std::string key_file{};
};

}  // namespace pronto
