// client/client_call.h — one client call on the wire: request headers and
// body, response headers, messages and status, deadline and cancellation.
//
// Ownership: reference counted. References: the user's handle (released by
// release(), or the unary op until it completes), the stream while attached
// to a connection, and every operation posted to the loop.
// Threading: the CallCore/ClientCallCore entry points may be called from any
// thread; all state lives on the channel's loop. Called on that loop they
// run at once, from elsewhere they are posted to it. Waiters are resumed on
// the loop they were started from (see Resumer); on the channel's loop that
// goes through the connection's ready queue, without a post.
// Memory: from the per-thread pool behind coroutine frames (task.h).
#pragma once

#include <cstddef>  // before asio: see transport/event_loop.h

#include <asio/steady_timer.hpp>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "call/grpc_head.h"
#include "call/stream_pipe.h"
#include "metrics/registry.h"
#include "pronto/channel.h"
#include "pronto/client_call.h"
#include "pronto/interceptor.h"
#include "transport/event_loop.h"

namespace pronto::detail {

class ChannelImpl;
class ClientConnection;

// Where to resume a waiter: the event loop it was started on (with the server
// call that was current there), or the channel's loop when started elsewhere.
struct Resumer {
  EventLoop* loop = nullptr;
  ServerContext* ambient = nullptr;
  static Resumer here();
  void resume(EventLoop& fallback, std::coroutine_handle<> h) const;
};

class ClientCall final : public ClientCallCore {
 public:
  ClientCall(std::shared_ptr<Channel> channel, std::string_view path, CallOptions options);

  // Caller thread, before launch(): runs interceptors, checks metadata and
  // the deadline. Non-OK means the call failed locally and must not launch.
  Status prepare();
  // Starts the call on the loop, optionally with a first message.
  void launch(std::optional<std::string> first, bool half_close, UnaryOp* unary);
  // Instead of launch(): the call failed before it started.
  void reject(Status status);
  // A streaming call starts with its first operation (as a unary call
  // starts when awaited): until then nothing runs, nothing is sent.
  void start_lazily(std::optional<std::string> first, bool half_close, Status local_error);

  // ClientCallCore (any thread)
  bool start_read(ReadOp& op) override;
  bool start_write(WriteOp& op) override;
  void fail(Status status) override;
  void writes_done() override;
  bool start_finish(FinishOp& op) override;
  void cancel() override;
  void release() override;

  // Loop side: connection events.
  void attach(std::shared_ptr<ClientConnection> conn);
  void on_connect_failed(const Status& status);
  bool on_header(std::string_view name, std::string_view value);
  void on_headers_end(bool end_stream);
  void on_data(const std::uint8_t* data, std::size_t size);
  void on_remote_end();
  void on_stream_close(std::uint32_t error_code);
  void on_body_drained();
  // The connection went away under the stream.
  void on_connection_lost(const std::string& reason);

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void unref() noexcept;

  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* p, std::size_t size) noexcept { free_frame(p, size); }

  // Links in the connection's list of attached calls (ClientConnection).
  ClientCall* conn_prev_ = nullptr;
  ClientCall* conn_next_ = nullptr;

 private:
  // Runs f on the channel's loop: now when called there, else posted.
  template <class F>
  void run_on_loop(F&& f);
  // Resumes a waiter as `r` says (see Resumer).
  void wake(const Resumer& r, std::coroutine_handle<> h);
  void complete(Status status);  // the final status is known
  // REFUSED_STREAM: true if the call goes again on a new stream.
  [[gnu::noinline]] bool retry_refused();
  [[gnu::noinline]] void record_metrics(metrics::Registry& m);
  void abort(Status status);     // fail locally: status + RST_STREAM
  void submit_request();
  // False: too large (the call failed with RESOURCE_EXHAUSTED).
  bool queue_message(std::string message, bool compress, bool prefix_reserved = false);
  void credit_window();
  void deliver_reads();
  // Ends the request side once queued writes are sent (loop side).
  void half_close();
  void finish_waiters();
  void flush();
  // Past the soft header limit: nothing more kept; past the hard one, the
  // call fails and false resets the stream.
  [[gnu::noinline]] bool on_header_past_limit(call::HeaderBudget::Verdict v);
  Status headers_too_large() const;

  std::shared_ptr<Channel> channel_;
  ChannelImpl& impl_;
  std::string path_;
  CallOptions options_;
  std::optional<Deadline> deadline_;
  Clock::time_point start_time_;
  Clock::time_point attempt_start_;
  metrics::MethodCells* metrics_ = nullptr;  // set once the attempt was counted
  std::size_t interceptors_started_ = 0;
  std::atomic<int> refs_{1};
  bool context_ref_ = false;  // a reference is held for options_.context's cancel hook

  // A lazily started streaming call: what to start it with.
  void start_if_lazy();
  std::atomic<bool> lazy_ = false;
  std::optional<std::string> lazy_first_;
  bool lazy_half_close_ = false;
  Status lazy_error_;

  // Loop state.
  std::shared_ptr<ClientConnection> conn_;
  std::int32_t stream_id_ = -1;
  bool half_close_ = false;
  // Transparent retry of a refused stream (retry_refused): the request
  // messages queued so far, until response headers arrive, at most
  // kRetryBufferBytes (past it the call is not retried).
  static constexpr std::size_t kRetryBufferBytes = 64 * 1024;
  struct Retained {
    std::string bytes;
    bool compress;
    bool prefix_reserved;
  };
  // The first message inline (a unary call's only one: no allocation for
  // the list), the others after it.
  std::optional<Retained> retained_first_;
  std::vector<Retained> retained_more_;
  std::size_t retained_bytes_ = 0;
  void drop_retained() {
    retained_first_.reset();
    retained_more_.clear();
  }
  bool retryable_ = true;
  bool retried_ = false;  // the one transparent retry was made
  bool finishing_ = false;  // finish() was called: unread messages are dropped
  Resumer write_resumer_;
  Resumer read_resumer_;
  FinishOp* pending_finish_ = nullptr;
  Resumer finish_resumer_;
  UnaryOp* unary_ = nullptr;
  Resumer unary_resumer_;

  call::OutboundPipe out_;
  call::InboundPipe in_;
  call::HeaderBudget header_budget_;  // response headers and trailers together
  call::ResponseReader response_;
  std::optional<Status> status_;
  std::unique_ptr<asio::steady_timer> deadline_timer_;
};

}  // namespace pronto::detail
