// transport/http1_reader.h — HTTP/1.1 requests read from a byte stream,
// over Debian's libhttp-parser (never parsed by hand). Sans-I/O: the
// connection feeds what it read and gets complete requests back, in order,
// however the bytes were split or pipelined.
//
// Bounded: the request head (the target, and each header as name + value
// + 4) is limited to Limits::max_header_size bytes (431 beyond; the
// parser's own 80 KiB bound on the whole head also gives 431), a body to max_body_size (413),
// and a connection to max_requests requests (the last one is answered with
// "Connection: close"). Anything the parser rejects (a bad method, request
// line or header, a response instead of a request, Content-Length with
// Transfer-Encoding, a bad chunk) is 400; an HTTP major version other than
// 1 is 505. After an error the reader takes nothing more: the connection
// answers that status and closes.
//
// Ownership: owns its parser state and the requests it builds. Threading:
// one thread at a time (the connection's loop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// libhttp-parser's types (http_parser.h stays out of this header).
struct http_parser;
struct http_parser_settings;

namespace pronto::detail {

struct Http1Request {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // request-target as sent: "/metrics?format=go"
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;
  unsigned http_major = 1;
  unsigned http_minor = 1;
  // The connection may carry another request after this one (HTTP/1.1
  // without "Connection: close", HTTP/1.0 with "keep-alive", not an
  // Upgrade, and below the request limit).
  bool keep_alive = true;

  // The path without the query ("/metrics").
  std::string_view path() const noexcept;
  // A query parameter's raw value ("go" for "?format=go"); empty when absent.
  std::string_view query_param(std::string_view name) const noexcept;
};

class Http1Reader {
 public:
  struct Limits {
    std::size_t max_header_size = 8192;
    std::size_t max_body_size = 64 * 1024;
    std::size_t max_requests = 1000;
  };

  explicit Http1Reader(Limits limits);
  ~Http1Reader();
  Http1Reader(const Http1Reader&) = delete;
  Http1Reader& operator=(const Http1Reader&) = delete;

  // Reads `data`; each request completed by it is appended to `out`, in
  // order. Returns 0, or the HTTP status (400, 413, 431, 505) that ends the
  // connection; the requests completed before the error are still in `out`.
  int feed(std::string_view data, std::vector<Http1Request>& out);
  // The peer closed its side: 0 between requests, 400 inside one
  // (truncated).
  int finish(std::vector<Http1Request>& out);

  // Part of a request has been read (for the slow-header timeout: 408).
  bool in_request() const noexcept { return in_message_; }
  // No more requests will be read (error, request limit, Connection:
  // close, Upgrade): bytes fed are ignored.
  bool done() const noexcept { return done_ || error_ != 0; }
  std::size_t requests() const noexcept { return requests_; }

 private:
  struct Callbacks;
  int fail(int status) noexcept;

  Limits limits_;
  std::unique_ptr<::http_parser> parser_;
  std::unique_ptr<::http_parser_settings> settings_;
  std::vector<Http1Request>* out_ = nullptr;
  Http1Request current_;
  bool last_was_value_ = false;
  bool in_message_ = false;
  bool done_ = false;
  int error_ = 0;
  std::size_t head_bytes_ = 0;
  std::size_t requests_ = 0;
};

}  // namespace pronto::detail
