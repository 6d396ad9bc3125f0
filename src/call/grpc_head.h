// call/grpc_head.h — gRPC over HTTP/2, the head of a call: the request
// header block a client sends and a server reads, the response headers and
// trailers a server sends and a client reads (grpc/grpc
// doc/PROTOCOL-HTTP2.md). Building and parsing sit side by side so the two
// ends cannot drift. Pure: no session, no I/O.
//
// The readers are incremental because header fields arrive one by one from
// the HTTP/2 session, as views valid only during the callback; a reader
// keeps what it needs and gives a verdict when the block ends.
// Ownership: plain values. Threading: one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "h2/header_block.h"
#include "pronto/compression.h"
#include "pronto/metadata.h"
#include "pronto/status.h"
#include "call/metadata_fields.h"

namespace pronto::call {

// The one content-type rule, on both sides: "application/grpc", optionally
// followed by "+<codec>" or ";<parameters>". "application/grpcfoo" is not
// gRPC, nor is an upper-case or padded form.
bool is_grpc_content_type(std::string_view value) noexcept;

// Header blocks (headers or trailers) are counted as HPACK counts them:
// name + value + 32 per field. Past the soft limit (what
// SETTINGS_MAX_HEADER_LIST_SIZE advertises) nothing more is kept and the
// call fails with RESOURCE_EXHAUSTED; past the hard limit the stream is
// reset and the rest of the block is not examined, so no header block
// costs more than this much field validation. The soft limit is the
// max_header_list_size option (default kMaxHeaderBytes); the hard one is 4x
// that, at least kHardMaxHeaderBytes.
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::size_t kHardMaxHeaderBytes = 64 * 1024;

class HeaderBudget {
 public:
  enum class Verdict { ok, over_soft, over_hard };
  explicit HeaderBudget(std::size_t soft = kMaxHeaderBytes) noexcept : soft_(soft) {}
  Verdict add(std::string_view name, std::string_view value) noexcept {
    bytes_ += name.size() + value.size() + 32;
    if (bytes_ <= soft_) [[likely]]
      return Verdict::ok;
    return bytes_ > hard_limit() ? Verdict::over_hard : Verdict::over_soft;
  }
  bool over_soft() const noexcept { return bytes_ > soft_; }
  std::size_t soft_limit() const noexcept { return soft_; }
  std::size_t hard_limit() const noexcept {
    return soft_ > kHardMaxHeaderBytes / 4 ? soft_ * 4 : kHardMaxHeaderBytes;
  }

 private:
  std::size_t bytes_ = 0;
  std::size_t soft_;
};

// ---- request head -----------------------------------------------------------

// What a client puts in its request HEADERS. Views must outlive the submit.
struct RequestHead {
  std::string_view scheme;  // "http" or "https": a literal (static storage)
  std::string_view path;    // "/pkg.Service/Method"
  std::string_view authority;
  std::string_view user_agent;
  // Time left until the deadline, if any (sent as grpc-timeout).
  std::optional<std::chrono::nanoseconds> timeout;
  Compression encoding = Compression::identity;  // grpc-encoding of request messages
  const Metadata* metadata = nullptr;  // validated already (validate_for_send)
};
void build_request_head(const RequestHead& head, HeaderBlock& out);

// Reads a request header block on the server. :path is not kept: take()
// reports it and the caller routes on the view at once.
class RequestHeadReader {
 public:
  enum class Field { other, path };
  // One field. User metadata (and user-agent) goes to `metadata`.
  Field take(std::string_view name, std::string_view value, Metadata& metadata);
  // The block is complete: the HTTP status to refuse with (405 without
  // POST, 415 without a gRPC content-type), else 0.
  int http_refusal() const noexcept;
  // A gRPC-level error found in the fields (malformed grpc-timeout or
  // metadata, unsupported grpc-encoding), to answer trailers-only; OK else.
  const Status& error() const noexcept { return error_; }
  void set_error(Status status) {
    if (error_.ok()) error_ = std::move(status);
  }

  const std::string& authority() const noexcept { return authority_; }
  const std::optional<std::chrono::nanoseconds>& timeout() const noexcept { return timeout_; }
  Compression encoding() const noexcept { return encoding_; }
  // Bit per Compression (wire::encoding_bit), from grpc-accept-encoding.
  unsigned accepted_encodings() const noexcept { return accepted_; }

 private:
  bool post_ = false;
  bool grpc_content_ = false;
  std::string authority_;
  std::optional<std::chrono::nanoseconds> timeout_;
  Compression encoding_ = Compression::identity;
  unsigned accepted_ = 0;
  Status error_;
};

// ---- response head and trailers ---------------------------------------------

// The response encoding: what the handler asked for if the client accepts
// it (its grpc-accept-encoding bits), else identity.
Compression negotiate_response_encoding(Compression wanted, unsigned accepted) noexcept;
// :status 200, content-type, grpc-accept-encoding, grpc-encoding (unless
// identity), then the initial metadata (referenced: it must outlive the
// submit) when given.
void build_response_head(Compression encoding, const Metadata* initial, HeaderBlock& out);
// grpc-status, grpc-message (percent-encoded), grpc-status-details-bin, then
// the trailing metadata. A trailers-only response is build_response_head
// followed by build_trailers in the same block.
void build_trailers(const Status& status, const Metadata& trailing, HeaderBlock& out);
// An HTTP-level refusal (405, 415): :status alone.
void build_http_refusal(int http_status, HeaderBlock& out);

// Reads a response on the client: the headers block, then the trailers
// block (or a trailers-only headers block).
class ResponseReader {
 public:
  // One field of the current block. Malformed metadata from a server is
  // dropped rather than failing the call.
  void take(std::string_view name, std::string_view value);
  // The headers block is complete. Returns the call's final status when the
  // block settles it: the status of a trailers-only response (end_stream),
  // or an error (HTTP status not 200, unsupported grpc-encoding, content
  // type not gRPC). nullopt: messages and trailers follow.
  std::optional<Status> end_headers(bool end_stream);
  // The trailers block is complete: the call's status.
  Status end_trailers() const { return final_status(); }
  // The stream ended without trailers (or with an unusable block).
  Status final_status() const;

  bool headers_done() const noexcept { return headers_done_; }
  Compression encoding() const noexcept { return encoding_; }
  Metadata& initial_metadata() noexcept { return initial_; }
  Metadata& trailing_metadata() noexcept { return trailing_; }

 private:
  bool headers_done_ = false;
  int http_status_ = 0;
  bool grpc_content_ = false;
  std::string bad_content_type_;  // kept only when it is not gRPC
  Compression encoding_ = Compression::identity;
  std::string bad_encoding_;
  StatusReader status_;
  Metadata initial_;
  Metadata trailing_;
};

}  // namespace pronto::call
