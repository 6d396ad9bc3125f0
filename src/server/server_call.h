// server/server_call.h — one gRPC call on the server: request headers,
// inbound messages, the response body and status, deadline and
// cancellation. It is the handler's ServerContext and the CallCore under
// its typed reader/writer.
//
// Ownership: created by its ServerConnection when the stream's HEADERS
// begin; destroys itself once both the handler has finished and the HTTP/2
// stream is closed. Holds a shared_ptr to its connection.
// Threading: the connection's loop only (the blocking pool hands results
// back to the loop before touching it).
#pragma once

#include <cstddef>  // before asio: see transport/event_loop.h

#include <asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "call/call_state.h"
#include "call/grpc_head.h"
#include "call/stream_pipe.h"
#include "metrics/registry.h"
#include "pronto/detail/call_core.h"
#include "pronto/server_context.h"
#include "pronto/service.h"

namespace pronto::detail {

class ServerConnection;

class ServerCall final : public ServerContext, public ServerCallOps {
 public:
  ServerCall(std::shared_ptr<ServerConnection> conn, std::int32_t stream_id);
  ~ServerCall();
  // From the per-thread pool behind coroutine frames (task.h): one call
  // object per stream costs no malloc in steady state.
  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* p, std::size_t size) noexcept { free_frame(p, size); }

  // Session events, forwarded by the connection.
  bool on_header(std::string_view name, std::string_view value);
  void on_headers_end(bool end_stream);
  // Past the soft header limit: RESOURCE_EXHAUSTED, or (hard) false.
  [[gnu::noinline]] bool on_header_past_limit(call::HeaderBudget::Verdict v);
  void on_data(const std::uint8_t* data, std::size_t size);
  void on_remote_end();
  void on_stream_close(std::uint32_t error_code);
  void on_body_drained();
  // The connection is gone: no more stream events will come.
  void on_connection_lost();
  // Server shutdown past its grace period.
  void abort(Status status);

  // ServerCallOps
  bool is_cancelled() const override { return cancelled_; }
  void on_cancel(std::function<void()> callback) override;
  void sleep(std::chrono::nanoseconds d, bool* fired, std::coroutine_handle<> h) override;
  void run_blocking(std::function<void()> work, std::coroutine_handle<> h) override;
  std::uint64_t message_bytes_received() const override { return in_.bytes_received(); }
  std::uint64_t message_bytes_sent() const override { return out_.bytes_sent(); }
  // CallCore (through ServerCallOps)
  bool start_read(ReadOp& op) override;
  bool start_write(WriteOp& op) override;
  void fail(Status status) override;

 private:
  static void resume_thunk(void* self, std::coroutine_handle<> h);
  static void start_thunk(void* self, std::coroutine_handle<> h);
  static void cancel_thunk(void* self, std::coroutine_handle<> h);
  static void destroy_thunk(void* self, std::coroutine_handle<> h);

  // Resumes a handler coroutine with this call as the ambient context.
  void resume(std::coroutine_handle<> h);
  void defer(void (*fn)(void*, std::coroutine_handle<>), std::coroutine_handle<> h = {});
  // Resumes the waiter of a completed op (if any) once the current
  // session event is done.
  void resume_later(ReadOp* op);
  void resume_later(WriteOp* op);
  // Answers an HTTP-level refusal at once, without a handler.
  void reject_http(int http_status);
  void arm_deadline();
  void start_handler();
  // Sends the status (once), with RST_STREAM(NO_ERROR) after it if the
  // client is still sending.
  void finish(const Status& status);
  void send_headers_if_needed();
  // The response head: :status, content-type, grpc-accept-encoding,
  // grpc-encoding, and the initial metadata when with_metadata (the caller
  // knows it can be sent).
  h2::HeaderBlock response_head(bool with_metadata);
  void cancel();
  void credit_window();
  // Buffered bytes this call holds (partial inbound message at its declared
  // length, queued inbound messages, queued outbound bytes).
  std::size_t footprint() const noexcept { return in_.footprint() + out_.pending(); }
  // Brings the connection's budget in line with footprint(). Growth with
  // `must_fit` (inbound) may fail: false, and nothing more is charged.
  bool recharge(bool must_fit);
  [[gnu::noinline]] bool recharge_to(std::size_t now, bool must_fit);
  [[gnu::noinline]] void fail_over_budget();
  // How much may wait on the stream before a writer is suspended.
  std::size_t queue_bound() const noexcept;
  void handler_done();
  // The call's end in the server's metrics (when its start was counted).
  [[gnu::noinline]] void record_end(StatusCode code);
  void maybe_destroy();
  bool session_usable() const;
  bool over() const noexcept { return response_ == call::ResponsePhase::finished || cancelled_; }

  std::shared_ptr<ServerConnection> conn_;
  // The connection's list of live calls (intrusive: no allocation per call).
  ServerCall* prev_ = nullptr;
  ServerCall* next_ = nullptr;
  friend class ServerConnection;
  std::int32_t stream_id_;
  const Service::Method* method_entry_ = nullptr;
  metrics::MethodCells* metrics_ = nullptr;  // set once the start was counted

  // Request side.
  call::RequestPhase request_ = call::RequestPhase::headers;
  call::HeaderBudget header_budget_;
  call::RequestHeadReader head_;
  call::InboundPipe in_;
  std::size_t charged_ = 0;       // bytes held in the connection's budget
  bool credit_withheld_ = false;  // under memory pressure; the connection retries

  // Response side.
  call::ResponsePhase response_ = call::ResponsePhase::idle;
  call::OutboundPipe out_;

  // Lifetime and cancellation.
  call::CallLifetime life_;
  bool cancelled_ = false;
  std::vector<std::function<void()>> cancel_callbacks_;
  std::unique_ptr<asio::steady_timer> deadline_timer_;
  std::unique_ptr<asio::steady_timer> sleep_timer_;
};

}  // namespace pronto::detail
