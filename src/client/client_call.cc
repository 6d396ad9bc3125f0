#include "client/client_call.h"

#include "client/channel_impl.h"
#include "client/client_connection.h"
#include "h2/error_code.h"
#include "pronto/server_context.h"

namespace pronto {
// Gives the runtime access to ClientContext's private state.
class ClientContextAccess {
 public:
  static void set_hook(ClientContext& c, std::function<void()> hook) {
    std::lock_guard lock(c.mu_);
    c.cancel_hook_ = std::move(hook);
  }
  static void done(ClientContext& c, const Metadata& initial, const Metadata& trailing,
                   const std::string& peer) {
    std::lock_guard lock(c.mu_);
    c.cancel_hook_ = nullptr;
    c.initial_metadata_ = initial;
    c.trailing_metadata_ = trailing;
    c.peer_ = peer;
  }
};

void ClientContext::cancel() {
  // The hook only posts to the channel loop; calling it under the lock keeps
  // the call alive (done() clears the hook under the same lock).
  std::lock_guard lock(mu_);
  cancelled_ = true;
  if (cancel_hook_) cancel_hook_();
}
}  // namespace pronto

namespace pronto::detail {

namespace {
constexpr std::size_t kMaxQueuedBytes = call::OutboundPipe::kMaxQueuedBytes;
}

Resumer Resumer::here() { return {EventLoop::current(), current_server_context()}; }

namespace {
void resume_with_ambient(void* ctx, std::coroutine_handle<> h) {
  ServerContext* saved = current_server_context();
  set_current_server_context(static_cast<ServerContext*>(ctx));
  h.resume();
  set_current_server_context(saved);
}
}  // namespace

void Resumer::resume(EventLoop& fallback, std::coroutine_handle<> h) const {
  EventLoop& target = loop ? *loop : fallback;
  ServerContext* ctx = ambient;
  target.post([h, ctx] { resume_with_ambient(ctx, h); });
}

ClientCall::ClientCall(std::shared_ptr<Channel> channel, std::string_view path, CallOptions options)
    : channel_(std::move(channel)),
      impl_(channel_->impl()),
      path_(path),
      options_(std::move(options)),
      in_(impl_.options().max_receive_message_size),
      header_budget_(impl_.options().max_header_list_size) {
  out_.set_encoding(options_.compression);
}

void ClientCall::unref() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

template <class F>
void ClientCall::run_on_loop(F&& f) {
  if (impl_.loop().in_loop()) {
    // On the loop but never inside a session callback: user code only runs
    // from posted handlers or the connection's ready queue.
    f();
    return;
  }
  add_ref();
  impl_.loop().post([this, f = std::forward<F>(f)]() mutable {
    f();
    unref();
  });
}

void ClientCall::wake(const Resumer& r, std::coroutine_handle<> h) {
  if (conn_ && (!r.loop || r.loop == &impl_.loop())) {
    // Resumed on this loop once the connection's current event is done
    // (no post, no allocation).
    conn_->defer_resume(&resume_with_ambient, r.ambient, h);
    conn_->request_flush();
    return;
  }
  r.resume(impl_.loop(), h);
}

Status ClientCall::prepare() {
  start_time_ = Clock::now();
  if (options_.timeout) deadline_ = start_time_ + *options_.timeout;
  if (options_.deadline && (!deadline_ || *options_.deadline < *deadline_)) deadline_ = options_.deadline;
  if (options_.propagate_deadline) {
    if (ServerContext* parent = current_server_context(); parent && parent->deadline()) {
      if (!deadline_ || *parent->deadline() < *deadline_) deadline_ = parent->deadline();
    }
  }
  if (const auto& interceptors = impl_.options().interceptors; !interceptors.empty()) {
    ClientCallInfo info{path_, options_.metadata, deadline_, start_time_};
    for (; interceptors_started_ < interceptors.size();) {
      Status st = interceptors[interceptors_started_++]->on_start(info);
      if (!st.ok()) return st;
    }
  }
  if (Status st = options_.metadata.validate_for_send(); !st.ok()) return st;
  if (options_.context && options_.context->is_cancelled()) return Status::cancelled("Cancelled before start");
  return {};
}

void ClientCall::launch(std::optional<std::string> first, bool half_close, UnaryOp* unary) {
  if (unary) {
    unary_ = unary;
    unary_resumer_ = Resumer::here();
    in_.expect_one("response");
  }
  if (options_.context) {
    add_ref();  // released when the call completes (hook cleared then)
    context_ref_ = true;
    ClientContextAccess::set_hook(*options_.context, [this] { cancel(); });
  }
  run_on_loop([this, first = std::move(first), half_close]() mutable {
    if (deadline_) {
      deadline_timer_ = std::make_unique<asio::steady_timer>(impl_.loop().io(), *deadline_);
      // The handler holds a reference: an expiry already queued must not
      // outlive the call (complete() cancels the timer, so it runs soon).
      add_ref();
      deadline_timer_->async_wait([this](const asio::error_code& ec) {
        if (!ec) abort(Status::deadline_exceeded());
        unref();
      });
      if (*deadline_ <= Clock::now()) {
        abort(Status::deadline_exceeded());
        return;
      }
    }
    if (first && !queue_message(std::move(*first), true)) return;
    if (half_close) {
      half_close_ = true;
      out_.body().finish();
    }
    add_ref();  // held by the channel until attached, then by the stream
    impl_.attach(this);
  });
}

void ClientCall::start_lazily(std::optional<std::string> first, bool half_close, Status local_error) {
  lazy_first_ = std::move(first);
  lazy_half_close_ = half_close;
  lazy_error_ = std::move(local_error);
  lazy_.store(true, std::memory_order_release);
}

void ClientCall::start_if_lazy() {
  // A reader thread and a writer thread may race to start the call: one wins.
  if (!lazy_.load(std::memory_order_acquire) || !lazy_.exchange(false, std::memory_order_acq_rel)) return;
  if (!lazy_error_.ok()) {
    reject(std::move(lazy_error_));
  } else if (Status st = prepare(); !st.ok()) {
    reject(std::move(st));
  } else {
    launch(std::move(lazy_first_), lazy_half_close_, nullptr);
  }
}

void ClientCall::reject(Status status) {
  run_on_loop([this, status = std::move(status)]() mutable { complete(std::move(status)); });
}

// ---- connection side ------------------------------------------------------

void ClientCall::attach(std::shared_ptr<ClientConnection> conn) {
  if (status_) {
    unref();
    return;
  }
  conn_ = std::move(conn);
  submit_request();
}

void ClientCall::on_connect_failed(const Status& status) {
  complete(status);
  unref();
}

void ClientCall::submit_request() {
  call::RequestHead head;
  head.scheme = impl_.scheme();
  head.path = path_;
  head.authority = impl_.authority();
  head.user_agent = impl_.user_agent();
  head.encoding = options_.compression;
  if (deadline_) head.timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(*deadline_ - Clock::now());
  head.metadata = &options_.metadata.metadata();  // const: never unshares
  h2::HeaderBlock headers;
  call::build_request_head(head, headers);
  stream_id_ = conn_->submit(this, headers, out_.body());
  if (metrics::Registry* m = impl_.metrics(); m && stream_id_ >= 0) {
    attempt_start_ = Clock::now();
    metrics_ = m->record_start(path_, metrics::RpcKind::unknown);
  }
  if (stream_id_ < 0) {
    conn_.reset();
    complete(Status::unavailable("cannot open a stream on the connection"));
    unref();
    return;
  }
  flush();
}

void ClientCall::flush() {
  if (conn_) conn_->request_flush();
}

bool ClientCall::on_header(std::string_view name, std::string_view value) {
  if (auto v = header_budget_.add(name, value); v != call::HeaderBudget::Verdict::ok) [[unlikely]]
    return on_header_past_limit(v);
  response_.take(name, value);
  return true;
}

bool ClientCall::on_header_past_limit(call::HeaderBudget::Verdict v) {
  if (v != call::HeaderBudget::Verdict::over_hard) return true;  // kept no more; failed at the block's end
  complete(headers_too_large());
  return false;  // the session resets the stream and skips the rest
}

Status ClientCall::headers_too_large() const {
  return Status::resource_exhausted(std::string(response_.headers_done() ? "response trailers" : "response headers") +
                                    " exceed " + std::to_string(header_budget_.soft_limit()) + " bytes");
}

void ClientCall::on_headers_end(bool end_stream) {
  if (header_budget_.over_soft()) [[unlikely]] {
    abort(headers_too_large());
    return;
  }
  if (!response_.headers_done()) {
    if (std::optional<Status> settled = response_.end_headers(end_stream)) {
      // A trailers-only response ends the stream itself; an unusable one is
      // reset.
      if (end_stream) {
        complete(std::move(*settled));
      } else {
        abort(std::move(*settled));
      }
      return;
    }
    in_.set_encoding(response_.encoding());
    retryable_ = false;  // the server processes the call: never retried now
    drop_retained();
    return;
  }
  // Trailers. (After finish() the data was dropped unread, so where the
  // last message ended is not known.)
  if (!finishing_ && !in_.at_message_boundary()) {
    complete(Status::internal("response ended inside a message"));
    return;
  }
  complete(response_.end_trailers());
}

void ClientCall::on_data(const std::uint8_t* data, std::size_t size) {
  if (status_ || finishing_) {
    in_.discard(size);
    credit_window();
    return;
  }
  if (Status st = in_.receive(data, size); !st.ok()) {
    abort(std::move(st));
    return;
  }
  deliver_reads();
  credit_window();
}

void ClientCall::credit_window() {
  if (!conn_ || stream_id_ < 0) return;
  if (const std::size_t credit = in_.take_credit()) {
    conn_->session().consume(stream_id_, credit);
    flush();
  }
}

void ClientCall::on_remote_end() {
  // END_STREAM on DATA without trailers: the stream closes next; the status
  // is decided there.
}

void ClientCall::on_stream_close(std::uint32_t error_code) {
  if (!status_) {
    using h2::ErrorCode;
    const auto code = static_cast<ErrorCode>(error_code);
    if (code == ErrorCode::refused_stream) [[unlikely]] {
      if (retry_refused()) return;
      complete(Status::unavailable("stream refused by the server"));
    } else if (code == ErrorCode::cancel) {
      complete(Status::cancelled("stream cancelled by the server"));
    } else if (code == ErrorCode::enhance_your_calm) {
      // PROTOCOL-HTTP2.md: ENHANCE_YOUR_CALM -> RESOURCE_EXHAUSTED (a pronto
      // server answers so past its hard header limit).
      complete(Status::resource_exhausted("stream reset by the server: ENHANCE_YOUR_CALM"));
    } else if (code == ErrorCode::inadequate_security) {
      complete(Status::permission_denied("stream reset by the server: INADEQUATE_SECURITY"));
    } else if (error_code != 0) {
      // Sent by the server, or by our own session (e.g. FLOW_CONTROL_ERROR
      // for a server that ignores the window).
      complete(Status::internal("stream reset with HTTP/2 error " + std::to_string(error_code)));
    } else if (!response_.headers_done()) {
      // PROTOCOL-HTTP2.md: RST_STREAM(NO_ERROR) -> INTERNAL. (Streams the
      // server never processed close with REFUSED_STREAM, above.)
      complete(Status::internal("stream closed by the server before response headers"));
    } else {
      complete(Status::internal("server closed the stream without trailers"));
    }
  }
  if (conn_) conn_->detach(this);
  conn_.reset();
  stream_id_ = -1;
  unref();  // the stream's reference
}

bool ClientCall::retry_refused() {
  // Transparent retry (as grpc-core): a stream the server did not process
  // (its REFUSED_STREAM, or one above a GOAWAY's last-stream-id, which
  // nghttp2 closes with REFUSED_STREAM, or one not yet started when GOAWAY
  // came) goes again, once, on the channel's current connection, while no
  // response came and the request messages written so far fit in
  // kRetryBufferBytes (kept in retained_first_/more_ until the response headers).
  if (retried_ || !retryable_ || response_.headers_done()) return false;
  retried_ = true;
  // The refused attempt ends (A66: each attempt is counted; the next one
  // starts when its stream is submitted). Its status is UNAVAILABLE, as
  // the call's would have been without the retry.
  if (metrics::Registry* m = impl_.metrics(); m && metrics_) {
    metrics::CallFigures f;
    f.code = StatusCode::unavailable;
    f.duration = Clock::now() - attempt_start_;
    f.call_ended = false;
    f.sent_bytes = out_.bytes_sent();
    f.messages_sent = out_.messages_sent();
    m->record_end(metrics_, path_, metrics::RpcKind::unknown, f);
    metrics_ = nullptr;
  }
  // The request again from its start: what went out is kept in retained_first_/more_.
  out_.body().discard();
  out_.body().deferred = false;
  if (retained_first_) {
    out_.queue(std::move(retained_first_->bytes), retained_first_->prefix_reserved, retained_first_->compress);
  }
  for (auto& m : retained_more_) out_.queue(std::move(m.bytes), m.prefix_reserved, m.compress);
  drop_retained();
  if (half_close_) out_.body().finish();
  if (conn_) conn_->detach(this);
  conn_.reset();
  stream_id_ = -1;
  // The stream's reference goes with the retry (attach() takes it). After
  // this callback: not inside the old session's event.
  impl_.loop().post([this] { impl_.attach(this); });
  return true;
}

void ClientCall::on_connection_lost(const std::string& reason) {
  if (!status_) complete(Status::unavailable("connection lost: " + reason));
  on_stream_close(0);
}

void ClientCall::on_body_drained() {
  if (WriteOp* op = out_.drained(kMaxQueuedBytes)) wake(write_resumer_, op->waiter);
}

// ---- completion -----------------------------------------------------------

void ClientCall::abort(Status status) {
  if (status_) return;
  if (conn_ && stream_id_ > 0) {
    conn_->session().reset_stream(stream_id_, h2::to_wire(h2::ErrorCode::cancel));
    flush();
  }
  complete(std::move(status));
}

void ClientCall::complete(Status status) {
  if (status_) return;
  status_ = std::move(status);
  if (deadline_timer_) deadline_timer_->cancel();
  if (metrics::Registry* m = impl_.metrics()) record_metrics(*m);
  if (interceptors_started_ > 0) {
    const auto& interceptors = impl_.options().interceptors;
    ClientCallInfo info{path_, options_.metadata, deadline_, start_time_};
    for (std::size_t i = interceptors_started_; i-- > 0;) interceptors[i]->on_finish(info, *status_);
  }
  if (options_.context) {
    ClientContextAccess::done(*options_.context, response_.initial_metadata(), response_.trailing_metadata(),
                              conn_ ? conn_->peer() : std::string());
    // Held only by a launched call (a call rejected before launch has none);
    // never the last reference: the caller's handle or op still holds one.
    if (std::exchange(context_ref_, false)) unref();
  }
  if (WriteOp* op = out_.fail_writer()) wake(write_resumer_, op->waiter);
  deliver_reads();
  finish_waiters();
}

void ClientCall::record_metrics(metrics::Registry& m) {
  metrics::CallFigures f;
  f.code = status_->code();
  const auto now = Clock::now();
  f.call_duration = now - start_time_;
  f.attempt = metrics_ != nullptr;
  f.duration = now - attempt_start_;
  f.sent_bytes = out_.bytes_sent();
  f.rcvd_bytes = in_.bytes_received();
  f.messages_sent = out_.messages_sent();
  f.messages_received = in_.messages_received();
  m.record_end(metrics_, path_, metrics::RpcKind::unknown, f);
  metrics_ = nullptr;
}

void ClientCall::deliver_reads() {
  // Queued messages are read before the end shows.
  ReadOp* op = status_ || finishing_ ? in_.end() : in_.deliver();
  if (!op) return;
  credit_window();
  wake(read_resumer_, op->waiter);
}

void ClientCall::finish_waiters() {
  if (!status_) return;
  if (pending_finish_) {
    pending_finish_->status = *status_;
    wake(finish_resumer_, std::exchange(pending_finish_, nullptr)->waiter);
  }
  if (unary_) {
    UnaryOp* op = std::exchange(unary_, nullptr);
    if (status_->ok()) op->response = in_.take_message();
    op->status = *status_;
    wake(unary_resumer_, op->waiter);
    unref();  // the unary op's reference
  }
}

// ---- user operations (any thread) -------------------------------------------

bool ClientCall::queue_message(std::string message, bool compress, bool prefix_reserved) {
  const std::size_t size = message.size() - (prefix_reserved ? kFramePrefixSize : 0);
  const std::size_t limit = std::min<std::size_t>(impl_.options().max_send_message_size, 0xFFFFFFFFu);
  if (size > limit) [[unlikely]] {
    abort(Status::resource_exhausted("request message larger than max_send_message_size (" +
                                     std::to_string(size) + " vs. " + std::to_string(limit) + ")"));
    return false;
  }
  if (retryable_ && !retried_) [[likely]] {
    if (retained_bytes_ + message.size() <= kRetryBufferBytes) {
      retained_bytes_ += message.size();
      if (!retained_first_) {
        retained_first_.emplace(Retained{message, compress, prefix_reserved});
      } else {
        retained_more_.push_back({message, compress, prefix_reserved});
      }
    } else {
      retryable_ = false;
      drop_retained();
    }
  }
  out_.queue(std::move(message), prefix_reserved, compress);
  return true;
}

bool ClientCall::start_read(ReadOp& op) {
  start_if_lazy();
  read_resumer_ = Resumer::here();
  run_on_loop([this, &op] {
    if (in_.start_read(op)) {
      credit_window();
      wake(read_resumer_, op.waiter);
      return;
    }
    deliver_reads();  // the end, if the call is over
  });
  return false;
}

bool ClientCall::start_write(WriteOp& op) {
  start_if_lazy();
  write_resumer_ = Resumer::here();
  run_on_loop([this, &op] {
    if (status_ || half_close_) {
      op.ok = false;
      wake(write_resumer_, op.waiter);
      return;
    }
    if (!queue_message(std::move(op.message), op.compress, op.prefix_reserved)) {
      op.ok = false;
      wake(write_resumer_, op.waiter);
      return;
    }
    if (conn_ && stream_id_ > 0) {
      conn_->session().resume(stream_id_, out_.body());
      flush();
    }
    if (out_.admit(op, kMaxQueuedBytes)) wake(write_resumer_, op.waiter);
  });
  return false;
}

void ClientCall::writes_done() {
  start_if_lazy();
  run_on_loop([this] { half_close(); });
}

void ClientCall::half_close() {
  if (half_close_ || status_) return;
  half_close_ = true;
  out_.body().finish();
  if (conn_ && stream_id_ > 0) {
    conn_->session().resume(stream_id_, out_.body());
    flush();
  }
}

bool ClientCall::start_finish(FinishOp& op) {
  start_if_lazy();
  finish_resumer_ = Resumer::here();
  run_on_loop([this, &op] {
    // finish() means one thing on every call object: our side is done
    // (half-close if not yet), what was not read is dropped (so a server
    // held by flow control can end), and the final status is awaited.
    half_close();
    finishing_ = true;
    in_.drop_queued();
    deliver_reads();
    credit_window();
    pending_finish_ = &op;
    finish_waiters();
  });
  return false;
}

void ClientCall::fail(Status status) {
  start_if_lazy();
  run_on_loop([this, status = std::move(status)]() mutable { abort(std::move(status)); });
}

void ClientCall::cancel() {
  start_if_lazy();  // a cancelled call still ends with CANCELLED, as started ones do
  // Always posted: ClientContext::cancel() calls this under its lock, which
  // complete() takes too.
  add_ref();
  impl_.loop().post([this] {
    abort(Status::cancelled("Cancelled by the client"));
    unref();
  });
}

void ClientCall::release() {
  if (lazy_.exchange(false, std::memory_order_acq_rel)) {
    unref();  // never started: nothing ran, nothing to cancel
    return;
  }
  run_on_loop([this] { abort(Status::cancelled("Call dropped by the client")); });
  unref();
}

}  // namespace pronto::detail
