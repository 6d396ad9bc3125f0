// admin/admin_listener.h — the admin HTTP/1.1 listener: GET /metrics (the
// server's call metrics in the Prometheus text format) and GET /healthz,
// plaintext, on its own event-loop thread (so a scrape is answered even
// while every server loop is busy, and costs the call path nothing).
//
// Answers: /metrics 200 text/plain; version=0.0.4 (?format=go gives the
// go-grpc-prometheus names, ?format=otel OpenTelemetry's; else
// Options::format); /healthz 200 "ok" while the server serves, 503 "not
// serving" otherwise; any other path 404; another method 405 (Allow: GET);
// malformed 400, oversize head 431, oversize body 413, HTTP/2+ 505 (then the
// connection closes); a request head not complete within header_timeout
// 408 (or a silent close between requests); beyond max_connections a new
// connection gets 503 and is closed. Keep-alive and pipelining: requests
// are answered in order, at most 256 KiB of answers queued before the next
// read.
//
// Ownership: owned by the public Server (assembly); the callbacks it holds
// must stay valid until stop() returned. Threading: start() and stop()
// from the owner's threads (stop() is idempotent, may be called from any
// thread but the admin loop); the callbacks run on the admin loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "pronto/metrics.h"
#include "pronto/status.h"

namespace pronto::detail {

class AdminListener {
 public:
  struct Options {
    MetricsFormat format = MetricsFormat::opentelemetry;
    std::chrono::milliseconds header_timeout{10000};
    std::size_t max_connections = 64;
    std::size_t max_header_size = 8192;
    std::size_t max_requests = 1000;
  };
  using MetricsText = std::function<std::string(MetricsFormat)>;
  using Healthy = std::function<bool()>;

  AdminListener(Options options, MetricsText metrics, Healthy healthy);
  ~AdminListener();  // stop()
  AdminListener(const AdminListener&) = delete;
  AdminListener& operator=(const AdminListener&) = delete;

  // Binds `address` (listen()'s forms) and starts serving. INVALID_ARGUMENT
  // for an address that does not parse, UNAVAILABLE naming it when it
  // cannot bind.
  Status start(const std::string& address);
  int port() const noexcept { return port_; }
  // Closes the listener and every connection; joins the loop thread.
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
  int port_ = 0;
  std::mutex stop_mu_;
};

}  // namespace pronto::detail
