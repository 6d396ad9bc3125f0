// transport/tls.h — TLS as a sans-I/O filter over OpenSSL memory BIOs:
// ciphertext in -> plaintext out, plaintext in -> ciphertext out. The
// Connection keeps its own socket loop and single batched write.
//
// Ownership: TlsContext (an SSL_CTX) is shared by every connection of a
// listener or channel (shared_ptr); a TlsFilter owns its SSL object.
// Threading: a TlsContext is immutable after creation and shared across
// loops; a TlsFilter belongs to one connection's loop.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "h2/output_buffer.h"
#include "pronto/status.h"
#include "pronto/tls.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace pronto::detail {

class TlsContext {
 public:
  static Result<std::shared_ptr<TlsContext>> server(const TlsServerOptions& options);
  static Result<std::shared_ptr<TlsContext>> client(const TlsChannelOptions& options);
  ~TlsContext();
  SSL_CTX* raw() const noexcept { return ctx_; }
  bool is_server() const noexcept { return server_; }

 private:
  TlsContext(SSL_CTX* ctx, bool server) : ctx_(ctx), server_(server) {}
  SSL_CTX* ctx_;
  bool server_;
};

class TlsFilter {
 public:
  // server_name: SNI and the name to verify (clients only).
  TlsFilter(std::shared_ptr<TlsContext> ctx, const std::string& server_name);
  ~TlsFilter();
  TlsFilter(const TlsFilter&) = delete;
  TlsFilter& operator=(const TlsFilter&) = delete;

  // Feeds received ciphertext; appends decrypted bytes to `plaintext`.
  // Non-OK on a handshake or record error (the connection must close after
  // sending take_output(), which may hold an alert).
  Status receive(const std::uint8_t* data, std::size_t size, std::string& plaintext);
  // Encrypts application bytes (held back until the handshake completes).
  void send(std::string_view plaintext);
  // Ciphertext ready for the socket (handshake records, data, alerts).
  void take_output(h2::OutputBuffer& out);

  bool handshake_done() const noexcept { return handshake_done_; }
  // After the handshake: the negotiated ALPN protocol ("h2" or empty).
  std::string alpn() const;
  // After the handshake: the verified peer certificate's identity (subject
  // CN, or first DNS SAN), empty without one.
  std::string peer_identity() const;

 private:
  Status advance();  // drives the handshake and flushes held plaintext

  std::shared_ptr<TlsContext> ctx_;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // ciphertext from the peer (owned by ssl_)
  BIO* out_ = nullptr;  // ciphertext to the peer (owned by ssl_)
  bool handshake_done_ = false;
  std::string held_;    // plaintext written before the handshake completed
};

}  // namespace pronto::detail
