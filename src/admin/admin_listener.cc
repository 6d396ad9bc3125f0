#include "admin/admin_listener.h"

#include <sys/socket.h>

#include <asio/basic_socket_acceptor.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <cstring>
#include <deque>
#include <filesystem>

#include "log.h"
#include "transport/address.h"
#include "transport/event_loop.h"
#include "transport/http1_reader.h"

namespace pronto::detail {

namespace {

using Protocol = asio::generic::stream_protocol;
using Acceptor = asio::basic_socket_acceptor<Protocol>;
constexpr std::size_t kMaxQueuedOutput = 256 * 1024;
constexpr std::size_t kReadChunk = 4096;

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
  }
  return "Error";
}

void append_response(std::string& out, int status, std::string_view content_type, std::string_view body,
                     bool close, bool allow_get = false) {
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason(status);
  out += "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(body.size());
  if (allow_get) out += "\r\nAllow: GET";
  if (close) out += "\r\nConnection: close";
  out += "\r\n\r\n";
  out += body;
}

}  // namespace

struct AdminListener::State : std::enable_shared_from_this<AdminListener::State> {
  State(Options o, MetricsText m, Healthy h) : options(o), metrics(std::move(m)), healthy(std::move(h)) {}

  Options options;
  MetricsText metrics;
  Healthy healthy;
  EventLoop loop;
  std::unique_ptr<Acceptor> acceptor;
  std::string unix_path;
  std::size_t connections = 0;                              // loop only
  bool stopping = false;                                    // loop only
  std::vector<std::weak_ptr<struct AdminConnection>> open;  // loop only

  void accept_next();
  // One request's answer, appended to `out`.
  void answer(const Http1Request& request, std::string& out);
};

struct AdminConnection : std::enable_shared_from_this<AdminConnection> {
  AdminConnection(std::shared_ptr<AdminListener::State> s, Protocol::socket sock)
      : state(std::move(s)),
        socket(std::move(sock)),
        timer(state->loop.io()),
        reader({.max_header_size = state->options.max_header_size,
                .max_body_size = 64 * 1024,
                .max_requests = state->options.max_requests}) {}
  ~AdminConnection() { --state->connections; }

  std::shared_ptr<AdminListener::State> state;
  Protocol::socket socket;
  asio::steady_timer timer;
  Http1Reader reader;
  std::deque<Http1Request> pending;
  int error = 0;  // the status that ends the connection, once answered
  bool eof = false;
  bool closing = false;  // the last answer is queued
  std::string out;
  char buf[kReadChunk];

  void start() {
    arm_timer();
    read();
  }

  void arm_timer() {
    timer.expires_after(state->options.header_timeout);
    timer.async_wait([self = shared_from_this()](const asio::error_code& ec) {
      if (ec || self->closing) return;
      if (self->reader.in_request()) {
        // A slow head: 408, then close.
        self->pending.clear();
        self->error = 408;
        self->respond();
      } else {
        self->close();
      }
    });
  }

  void read() {
    socket.async_read_some(asio::buffer(buf),
                           [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
                             if (self->closing) return;
                             std::vector<Http1Request> got;
                             int status = 0;
                             if (ec) {
                               self->eof = true;
                               status = self->reader.finish(got);
                             } else {
                               status = self->reader.feed(std::string_view(self->buf, n), got);
                             }
                             const bool completed = !got.empty();
                             for (auto& r : got) self->pending.push_back(std::move(r));
                             if (status != 0) self->error = status;
                             if (completed && self->error == 0 && !self->reader.done())
                               self->arm_timer();  // the next head's clock
                             self->respond();
                           });
  }

  // Answers what is pending (in order, up to the output bound), then writes;
  // after the write: more answers, or the next read, or the close.
  void respond() {
    while (!pending.empty() && out.size() < kMaxQueuedOutput) {
      Http1Request r = std::move(pending.front());
      pending.pop_front();
      state->answer(r, out);
      if (!r.keep_alive) {
        closing = true;
        pending.clear();
        break;
      }
    }
    if (pending.empty() && error != 0 && !closing) {
      append_response(out, error, "text/plain; charset=utf-8", std::string(reason(error)) + "\n", true);
      closing = true;
    }
    if (pending.empty() && eof && !closing) closing = true;
    if (out.empty()) {
      if (closing) return close();
      return read();
    }
    auto data = std::make_shared<std::string>(std::move(out));
    out.clear();
    asio::async_write(socket, asio::buffer(*data),
                      [self = shared_from_this(), data](const asio::error_code& ec, std::size_t) {
                        if (ec) return self->close();
                        if (!self->pending.empty()) return self->respond();
                        if (self->closing) return self->close();
                        self->read();
                      });
  }

  void close() {
    closing = true;
    timer.cancel();
    asio::error_code ignored;
    socket.shutdown(Protocol::socket::shutdown_send, ignored);
    socket.close(ignored);
  }
};

void AdminListener::State::answer(const Http1Request& r, std::string& out) {
  const bool close = !r.keep_alive;
  if (r.method != "GET") {
    append_response(out, 405, "text/plain; charset=utf-8", "method not allowed\n", close, true);
    return;
  }
  const std::string_view path = r.path();
  if (path == "/metrics") {
    MetricsFormat format = options.format;
    const std::string_view f = r.query_param("format");
    if (f == "go") format = MetricsFormat::go_grpc_prometheus;
    if (f == "otel" || f == "opentelemetry") format = MetricsFormat::opentelemetry;
    append_response(out, 200, "text/plain; version=0.0.4; charset=utf-8", metrics(format), close);
  } else if (path == "/healthz") {
    if (healthy()) {
      append_response(out, 200, "text/plain; charset=utf-8", "ok\n", close);
    } else {
      append_response(out, 503, "text/plain; charset=utf-8", "not serving\n", close);
    }
  } else {
    append_response(out, 404, "text/plain; charset=utf-8", "not found\n", close);
  }
}

void AdminListener::State::accept_next() {
  acceptor->async_accept([self = shared_from_this()](const asio::error_code& ec, Protocol::socket sock) {
    if (self->stopping) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      // Out of descriptors and the like: try again shortly.
      auto t = std::make_shared<asio::steady_timer>(self->loop.io(), std::chrono::milliseconds(100));
      t->async_wait([self, t](const asio::error_code&) {
        if (!self->stopping) self->accept_next();
      });
      return;
    }
    if (self->connections >= self->options.max_connections) {
      std::string busy;
      append_response(busy, 503, "text/plain; charset=utf-8", "too many admin connections\n", true);
      ::send(sock.native_handle(), busy.data(), busy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      asio::error_code ignored;
      sock.close(ignored);
    } else {
      ++self->connections;
      auto conn = std::make_shared<AdminConnection>(self, std::move(sock));
      std::erase_if(self->open, [](const auto& w) { return w.expired(); });
      self->open.push_back(conn);
      conn->start();
    }
    self->accept_next();
  });
}

AdminListener::AdminListener(Options options, MetricsText metrics, Healthy healthy)
    : state_(std::make_shared<State>(options, std::move(metrics), std::move(healthy))) {}

AdminListener::~AdminListener() { stop(); }

Status AdminListener::start(const std::string& text) {
  auto address = parse_listen_address(text);
  if (!address) return address.status();
  auto endpoints = resolve(*address, true);
  if (!endpoints)
    return Status(endpoints.status().code(),
                  "cannot listen on '" + text + "': " + endpoints.status().message());
  auto acceptor = std::make_unique<Acceptor>(state_->loop.io());
  const auto& ep = endpoints->front();
  asio::error_code ec;
  if (address->kind == Address::Kind::unix_socket) {
    std::error_code fs_ec;
    if (std::filesystem::is_socket(address->path, fs_ec)) std::filesystem::remove(address->path, fs_ec);
  }
  acceptor->open(ep.protocol(), ec);
  if (!ec && address->kind == Address::Kind::tcp)
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec && address->kind == Address::Kind::unix_socket) state_->unix_path = address->path;
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (!ec && address->kind == Address::Kind::tcp) {
    auto local = acceptor->local_endpoint(ec);
    asio::ip::tcp::endpoint tcp;
    if (!ec) std::memcpy(tcp.data(), local.data(), local.size());
    port_ = tcp.port();
  }
  if (ec) {
    if (!state_->unix_path.empty()) {
      std::error_code fs_ec;
      std::filesystem::remove(state_->unix_path, fs_ec);
    }
    return Status::unavailable("cannot listen on '" + text + "' (admin): " + ec.message());
  }
  state_->acceptor = std::move(acceptor);
  state_->loop.post([s = state_] { s->accept_next(); });
  state_->loop.start("pronto-admin");
  detail::logf(LogLevel::info, "admin listener on %s", text.c_str());
  return {};
}

void AdminListener::stop() {
  std::lock_guard lock(stop_mu_);
  if (!state_ || !state_->acceptor) return;
  state_->loop.post([s = state_] {
    s->stopping = true;
    asio::error_code ignored;
    s->acceptor->close(ignored);
    for (auto& w : s->open)
      if (auto c = w.lock()) c->close();
  });
  state_->loop.release_work();
  state_->loop.join();
  if (!state_->unix_path.empty()) {
    std::error_code fs_ec;
    std::filesystem::remove(state_->unix_path, fs_ec);
  }
  state_->acceptor.reset();
}

}  // namespace pronto::detail
