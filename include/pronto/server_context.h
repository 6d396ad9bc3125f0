// pronto/server_context.h — what a handler knows about its call and how it
// shapes the response beyond the messages.
//
// Ownership: the server owns each ServerContext; it lives from the moment the
// call's headers arrive until the handler's Task completes (handlers get a
// reference and must not keep it past their own end).
// Threading: the context belongs to the call's event loop: use it from the
// handler coroutine (which pronto always resumes on that loop), not from the
// function given to blocking(), which runs on a pool thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "pronto/compression.h"
#include "pronto/detail/ambient.h"
#include "pronto/detail/call_core.h"
#include "pronto/metadata.h"
#include "pronto/status.h"

namespace pronto {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

class ServerContext;

namespace detail {

// A server call as its handler sees it (src/server): the message pipe
// (CallCore) plus cancellation, timers and the blocking pool.
class ServerCallOps : public CallCore {
 public:
  virtual bool is_cancelled() const = 0;
  virtual void on_cancel(std::function<void()> callback) = 0;
  // Resumes `h` on the call's loop after `d`, or as soon as the call is
  // cancelled (*fired = false then).
  virtual void sleep(std::chrono::nanoseconds d, bool* fired, std::coroutine_handle<> h) = 0;
  // Runs `work` on the server's blocking pool, then resumes `h` on the loop.
  virtual void run_blocking(std::function<void()> work, std::coroutine_handle<> h) = 0;
  // Message bytes so far (payloads as on the wire: compressed, no prefix).
  virtual std::uint64_t message_bytes_received() const { return 0; }
  virtual std::uint64_t message_bytes_sent() const { return 0; }

 protected:
  ~ServerCallOps() = default;
};

// Holds what a blocking() function returned (or threw).
template <class R>
struct BlockingSlot {
  std::optional<R> value;
  std::exception_ptr error;
  template <class F>
  void run(F& f) {
    try {
      value.emplace(f());
    } catch (...) {
      error = std::current_exception();
    }
  }
  R take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};
template <>
struct BlockingSlot<void> {
  std::exception_ptr error;
  template <class F>
  void run(F& f) {
    try {
      f();
    } catch (...) {
      error = std::current_exception();
    }
  }
  void take() {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

class ServerContext {
 public:
  // "/package.Service/Method"
  const std::string& method() const noexcept { return *method_name_; }
  // Request metadata as the client sent it (-bin values already decoded).
  const Metadata& client_metadata() const noexcept { return client_metadata_; }
  // The deadline from grpc-timeout, if the client set one.
  std::optional<Deadline> deadline() const noexcept { return deadline_; }
  // Time left before the deadline (nullopt without one; may be negative).
  std::optional<std::chrono::nanoseconds> time_remaining() const {
    if (!deadline_) return std::nullopt;
    return *deadline_ - Clock::now();
  }
  // "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000" or "unix:/path".
  const std::string& peer() const noexcept { return *peer_; }
  // The :authority the client addressed.
  const std::string& authority() const noexcept { return authority_; }

  // Cancellation: by the client (RST_STREAM, disconnect), by the deadline, or
  // by server shutdown. Reads then end, writes fail; the handler should stop.
  bool is_cancelled() const { return ops_->is_cancelled(); }
  // Called once on the loop when the call is cancelled (at once if it already is).
  void on_cancel(std::function<void()> callback) { ops_->on_cancel(std::move(callback)); }
  // co_await ctx.sleep_for(d): true when the time passed, false when the
  // call was cancelled first.
  auto sleep_for(std::chrono::nanoseconds d) {
    struct Awaiter {
      detail::ServerCallOps* ops;
      std::chrono::nanoseconds d;
      bool fired = false;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> h) { ops->sleep(d, &fired, h); }
      bool await_resume() const noexcept { return fired; }
    };
    return Awaiter{ops_, d};
  }
  // co_await ctx.until_cancelled(): resumes when the call is cancelled.
  auto until_cancelled() { return sleep_for(std::chrono::nanoseconds::max()); }

  // co_await ctx.blocking(fn): runs fn() on the server's blocking pool and
  // resumes on the call's loop with its result (or rethrows its exception).
  template <class F>
  auto blocking(F fn) {
    using R = std::invoke_result_t<F&>;
    struct Awaiter {
      detail::ServerCallOps* ops;
      F fn;
      detail::BlockingSlot<R> slot;
      ServerContext* ctx;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> h) {
        ops->run_blocking(
            [this] {
              // Client calls made from fn inherit this call's deadline.
              detail::set_current_server_context(ctx);
              slot.run(fn);
              detail::set_current_server_context(nullptr);
            },
            h);
      }
      R await_resume() { return slot.take(); }
    };
    return Awaiter{ops_, std::move(fn), {}, this};
  }

  // Response metadata. Initial metadata goes out with the response headers
  // (before the first message, or with the status for an empty response);
  // adding it later has no effect. Trailing metadata goes out with the status.
  // Values of "-bin" keys are raw bytes.
  void add_initial_metadata(std::string key, std::string value) {
    initial_metadata_.add(std::move(key), std::move(value));
  }
  void add_trailing_metadata(std::string key, std::string value) {
    trailing_metadata_.add(std::move(key), std::move(value));
  }
  Metadata& initial_metadata() noexcept { return initial_metadata_; }
  Metadata& trailing_metadata() noexcept { return trailing_metadata_; }

  // Compress this call's response messages with `c` (if the client accepts
  // it, as its grpc-accept-encoding says; otherwise they go uncompressed).
  // Takes effect with the response headers: set it before the first write.
  void set_compression(Compression c) noexcept { response_compression_ = c; }
  // Whether the message most recently read arrived compressed.
  bool last_message_compressed() const noexcept { return last_message_compressed_; }

  // When the call's headers arrived (for timing interceptors).
  Clock::time_point start_time() const noexcept { return start_time_; }

  // Identity of an authenticated peer (TLS), empty on plaintext.
  const std::string& peer_identity() const noexcept { return *peer_identity_; }

  // gRPC message bytes received and sent so far by this call (payloads as
  // on the wire: compressed, without the 5-byte prefixes; metadata not
  // counted). For access logs (pronto/access_log.h) and accounting.
  std::uint64_t bytes_received() const { return ops_->message_bytes_received(); }
  std::uint64_t bytes_sent() const { return ops_->message_bytes_sent(); }

 protected:
  explicit ServerContext(detail::ServerCallOps* ops) : ops_(ops) {}
  ~ServerContext() = default;
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  detail::ServerCallOps* ops_;
  std::string method_;  // the :path when no route matched
  const std::string* method_name_ = &method_;
  std::string authority_;
  // Owned by the connection, which outlives its calls.
  const std::string* peer_ = nullptr;
  const std::string* peer_identity_ = nullptr;
  Metadata client_metadata_;
  std::optional<Deadline> deadline_;
  Clock::time_point start_time_{};
  Compression response_compression_ = Compression::identity;
  bool last_message_compressed_ = false;
  Metadata initial_metadata_;
  Metadata trailing_metadata_;
};

}  // namespace pronto
