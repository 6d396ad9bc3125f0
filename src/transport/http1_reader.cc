#include "transport/http1_reader.h"

#include <http_parser.h>

namespace pronto::detail {

std::string_view Http1Request::path() const noexcept {
  std::string_view t = target;
  return t.substr(0, t.find_first_of("?#"));
}

std::string_view Http1Request::query_param(std::string_view name) const noexcept {
  std::string_view t = target;
  const auto q = t.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = t.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// The parser's callbacks: a non-zero return stops it (HPE_CB_*), after
// Http1Reader::fail() recorded the status.
struct Http1Reader::Callbacks {
  static Http1Reader& self(http_parser* p) { return *static_cast<Http1Reader*>(p->data); }

  // Counts request-head bytes; false past the limit.
  static bool count_head(Http1Reader& r, std::size_t n) {
    r.head_bytes_ += n;
    return r.head_bytes_ <= r.limits_.max_header_size;
  }

  static int on_message_begin(http_parser* p) {
    Http1Reader& r = self(p);
    r.current_ = Http1Request();
    r.in_message_ = true;
    r.last_was_value_ = false;
    r.head_bytes_ = 0;
    return 0;
  }
  static int on_url(http_parser* p, const char* at, std::size_t n) {
    Http1Reader& r = self(p);
    if (!count_head(r, n)) return r.fail(431);
    r.current_.target.append(at, n);
    return 0;
  }
  static int on_header_field(http_parser* p, const char* at, std::size_t n) {
    Http1Reader& r = self(p);
    const bool fresh = r.current_.headers.empty() || r.last_was_value_;
    if (!count_head(r, n + (fresh ? 4 : 0))) return r.fail(431);  // ": " and CRLF once per header
    if (fresh) r.current_.headers.emplace_back();
    r.current_.headers.back().first.append(at, n);
    r.last_was_value_ = false;
    return 0;
  }
  static int on_header_value(http_parser* p, const char* at, std::size_t n) {
    Http1Reader& r = self(p);
    if (!count_head(r, n)) return r.fail(431);
    // libhttp-parser lets NUL and other controls through in values.
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(at[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7f) return r.fail(400);
    }
    if (r.current_.headers.empty()) r.current_.headers.emplace_back();
    r.current_.headers.back().second.append(at, n);
    r.last_was_value_ = true;
    return 0;
  }
  static int on_headers_complete(http_parser* p) {
    Http1Reader& r = self(p);
    if (p->http_major != 1) return r.fail(505);
    if (p->content_length != ULLONG_MAX && p->content_length > r.limits_.max_body_size) return r.fail(413);
    r.current_.method = http_method_str(static_cast<http_method>(p->method));
    r.current_.http_major = p->http_major;
    r.current_.http_minor = p->http_minor;
    return 0;
  }
  static int on_body(http_parser* p, const char* at, std::size_t n) {
    Http1Reader& r = self(p);
    if (r.current_.body.size() + n > r.limits_.max_body_size) return r.fail(413);
    r.current_.body.append(at, n);
    return 0;
  }
  static int on_message_complete(http_parser* p) {
    Http1Reader& r = self(p);
    if (r.error_ != 0) return -1;
    r.in_message_ = false;
    ++r.requests_;
    r.current_.keep_alive =
        http_should_keep_alive(p) != 0 && !p->upgrade && r.requests_ < r.limits_.max_requests;
    if (!r.current_.keep_alive) r.done_ = true;
    r.out_->push_back(std::move(r.current_));
    r.current_ = Http1Request();
    // Nothing after a last request is read: pause the parser.
    if (r.done_) http_parser_pause(p, 1);
    return 0;
  }
};

Http1Reader::Http1Reader(Limits limits)
    : limits_(limits),
      parser_(std::make_unique<http_parser>()),
      settings_(std::make_unique<http_parser_settings>()) {
  http_parser_init(parser_.get(), HTTP_REQUEST);
  parser_->data = this;
  http_parser_settings_init(settings_.get());
  settings_->on_message_begin = &Callbacks::on_message_begin;
  settings_->on_url = &Callbacks::on_url;
  settings_->on_header_field = &Callbacks::on_header_field;
  settings_->on_header_value = &Callbacks::on_header_value;
  settings_->on_headers_complete = &Callbacks::on_headers_complete;
  settings_->on_body = &Callbacks::on_body;
  settings_->on_message_complete = &Callbacks::on_message_complete;
}

Http1Reader::~Http1Reader() = default;

int Http1Reader::fail(int status) noexcept {
  if (error_ == 0) error_ = status;
  // -1: on_headers_complete takes 1 as "no body" and 2 as "upgrade", not
  // as an error; every callback takes -1 as one.
  return -1;
}

int Http1Reader::feed(std::string_view data, std::vector<Http1Request>& out) {
  if (done()) return error_;
  // An empty buffer would tell libhttp-parser the input ended (found by
  // http1_reader_fuzz: a request then failed with 400 mid-way).
  if (data.empty()) return 0;
  out_ = &out;
  // The parser hands every piece of a target or header to a callback by the
  // end of each call (it buffers nothing), so a head sent in small pieces
  // is counted as it grows.
  const std::size_t parsed = http_parser_execute(parser_.get(), settings_.get(), data.data(), data.size());
  out_ = nullptr;
  if (error_ != 0) return error_;
  const auto err = HTTP_PARSER_ERRNO(parser_.get());
  if (err == HPE_PAUSED) return 0;  // the last request was read; the rest is ignored
  if (err == HPE_HEADER_OVERFLOW) return fail(431), error_;
  if (err != HPE_OK || parsed != data.size()) return fail(400), error_;
  return 0;
}

int Http1Reader::finish(std::vector<Http1Request>& out) {
  if (done()) return error_;
  done_ = true;
  if (!in_message_) return 0;
  out_ = &out;
  http_parser_execute(parser_.get(), settings_.get(), nullptr, 0);
  out_ = nullptr;
  // A body delimited by the connection's end completes here; anything else
  // cut short is a truncated request.
  if (error_ != 0) return error_;
  if (in_message_) return fail(400), error_;
  return 0;
}

}  // namespace pronto::detail
