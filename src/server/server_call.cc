#include "server/server_call.h"

#include <asio/post.hpp>

#include "h2/error_code.h"
#include "log.h"
#include "server/server_connection.h"
#include "server/server_impl.h"
#include "transport/memory_budget.h"

namespace pronto::detail {

namespace {

// The detached coroutine that runs one call: interceptors, then the handler.
struct CallDriver {
  struct promise_type : PooledFrame {
    CallDriver get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

// Sets the ambient server context for the scope (see pronto/detail/ambient.h).
class AmbientScope {
 public:
  explicit AmbientScope(ServerContext* ctx) noexcept : saved_(current_server_context()) {
    set_current_server_context(ctx);
  }
  ~AmbientScope() { set_current_server_context(saved_); }
  AmbientScope(const AmbientScope&) = delete;
  AmbientScope& operator=(const AmbientScope&) = delete;

 private:
  ServerContext* saved_;
};

metrics::RpcKind metrics_kind(RpcKind kind) noexcept {
  switch (kind) {
    case RpcKind::unary: return metrics::RpcKind::unary;
    case RpcKind::client_streaming: return metrics::RpcKind::client_streaming;
    case RpcKind::server_streaming: return metrics::RpcKind::server_streaming;
    case RpcKind::bidi_streaming: return metrics::RpcKind::bidi_streaming;
  }
  return metrics::RpcKind::unknown;
}

constexpr auto kNoError = h2::to_wire(h2::ErrorCode::no_error);

void log_handler_exception(const std::string& method, const char* what) {
  detail::logf(LogLevel::error, "handler for %s threw: %s", method.c_str(), what);
}

}  // namespace

ServerCall::ServerCall(std::shared_ptr<ServerConnection> conn, std::int32_t stream_id)
    : ServerContext(this),
      conn_(std::move(conn)),
      stream_id_(stream_id),
      header_budget_(conn_->server().session_settings().max_header_list_size),
      in_(conn_->server().options().max_receive_message_size) {
  peer_ = &conn_->peer();
  peer_identity_ = &conn_->peer_identity();
  start_time_ = Clock::now();
}

ServerCall::~ServerCall() {
  if (charged_ > 0) conn_->budget().release(charged_);
}

bool ServerCall::session_usable() const { return life_.stream_open() && !conn_->closed(); }

// ---- request headers --------------------------------------------------------

bool ServerCall::on_header(std::string_view name, std::string_view value) {
  if (auto v = header_budget_.add(name, value); v != call::HeaderBudget::Verdict::ok) [[unlikely]]
    return on_header_past_limit(v);
  if (request_ != call::RequestPhase::headers) return true;  // client trailers: nothing in them for us
  if (head_.take(name, value, client_metadata_) == call::RequestHeadReader::Field::path) {
    // Route at once; only an unknown path is copied (for the error).
    method_entry_ = conn_->server().find_method(value);
    if (method_entry_) {
      method_name_ = &method_entry_->path;
    } else {
      method_ = std::string(value);
    }
  }
  return true;
}

bool ServerCall::on_header_past_limit(call::HeaderBudget::Verdict v) {
  // Past the hard limit: the session resets the stream, the rest is skipped.
  if (v == call::HeaderBudget::Verdict::over_hard) return false;
  head_.set_error(Status::resource_exhausted("request headers too large"));
  return true;
}

void ServerCall::on_headers_end(bool end_stream) {
  if (request_ != call::RequestPhase::headers) {
    // Trailers from a client end its stream.
    on_remote_end();
    return;
  }
  request_ = end_stream ? call::RequestPhase::ended : call::RequestPhase::messages;
  if (int refusal = head_.http_refusal()) return reject_http(refusal);
  if (metrics::Registry* m = conn_->server().metrics()) {
    metrics_ = method_entry_ ? m->record_start(method_entry_->path, metrics_kind(method_entry_->kind))
                             : m->record_start("other", metrics::RpcKind::unknown);
  }
  authority_ = head_.authority();
  in_.set_encoding(head_.encoding());
  if (head_.timeout()) {
    deadline_ = start_time_ + std::min(*head_.timeout(), std::chrono::nanoseconds(std::chrono::hours(24 * 365 * 100)));
    arm_deadline();
  }
  if (method_entry_ &&
      (method_entry_->kind == RpcKind::unary || method_entry_->kind == RpcKind::server_streaming)) {
    in_.expect_one("request");
  }
  // Header errors and unknown methods run through the interceptors too: the
  // driver answers them in place of a handler.
  life_.handler_started();
  defer(&ServerCall::start_thunk);
}

void ServerCall::arm_deadline() {
  deadline_timer_ = std::make_unique<asio::steady_timer>(conn_->loop().io(), *deadline_);
  life_.hold();  // the call outlives the timer's handler
  deadline_timer_->async_wait([this](const asio::error_code& ec) {
    life_.release();
    if (!ec && response_ != call::ResponsePhase::finished) {
      // Deadline: DEADLINE_EXCEEDED now, RST_STREAM after it; the handler
      // sees a cancelled call.
      out_.body().discard();
      recharge(false);
      finish(Status::deadline_exceeded());
      cancel();
      conn_->request_flush();
    }
    maybe_destroy();
  });
}

void ServerCall::reject_http(int http_status) {
  life_.handler_not_needed();
  response_ = call::ResponsePhase::finished;
  h2::HeaderBlock headers;
  call::build_http_refusal(http_status, headers);
  if (request_ != call::RequestPhase::ended) conn_->session().reset_after_end_stream(stream_id_, kNoError);
  conn_->session().submit_response(stream_id_, headers, nullptr);
}

// ---- running the handler ----------------------------------------------------

void ServerCall::start_thunk(void* self, std::coroutine_handle<>) {
  static_cast<ServerCall*>(self)->start_handler();
}
void ServerCall::resume_thunk(void* self, std::coroutine_handle<> h) {
  static_cast<ServerCall*>(self)->resume(h);
}
void ServerCall::cancel_thunk(void* self, std::coroutine_handle<>) {
  static_cast<ServerCall*>(self)->cancel();
}
void ServerCall::destroy_thunk(void* self, std::coroutine_handle<>) {
  auto* call = static_cast<ServerCall*>(self);
  call->conn_->remove_call(call);
  delete call;
}

void ServerCall::defer(void (*fn)(void*, std::coroutine_handle<>), std::coroutine_handle<> h) {
  conn_->defer_resume(fn, this, h);
  conn_->request_flush();
}

void ServerCall::resume_later(ReadOp* op) {
  if (!op) return;
  last_message_compressed_ = op->compressed;
  defer(&ServerCall::resume_thunk, op->waiter);
}

void ServerCall::resume_later(WriteOp* op) {
  if (op) defer(&ServerCall::resume_thunk, op->waiter);
}

void ServerCall::resume(std::coroutine_handle<> h) {
  auto conn = conn_;  // the call may be destroyed by the resumption
  {
    AmbientScope ambient(this);
    h.resume();
  }
  conn->request_flush();
}

void ServerCall::start_handler() {
  AmbientScope ambient(this);
  [](ServerCall* call) -> CallDriver {
    const auto& interceptors = call->conn_->server().interceptors();
    Status status;
    std::size_t started = 0;
    try {
      for (; started < interceptors.size();) {
        status = interceptors[started++]->on_start(*call);
        if (!status.ok()) break;
      }
      if (status.ok()) {
        if (!call->head_.error().ok()) {
          status = call->head_.error();
        } else if (call->method_entry_ == nullptr) {
          status = Status::unimplemented("Method not found: " + call->method_);
        } else {
          status = co_await call->method_entry_->handler(*call, *call);
        }
      }
    } catch (const std::exception& e) {
      // The exception's text stays on the server: it may name internals.
      log_handler_exception(call->method(), e.what());
      status = Status::unknown("handler threw an exception");
    } catch (...) {
      log_handler_exception(call->method(), "(not a std::exception)");
      status = Status::unknown("handler threw an exception");
    }
    call->finish(status);
    for (std::size_t i = started; i-- > 0;) {
      try {
        interceptors[i]->on_finish(*call, status);
      } catch (...) {
      }
    }
    call->handler_done();
  }(this);
}

void ServerCall::record_end(StatusCode code) {
  metrics::CallFigures f;
  f.code = code;
  f.duration = Clock::now() - start_time_;
  f.sent_bytes = out_.bytes_sent();
  f.rcvd_bytes = in_.bytes_received();
  f.messages_sent = out_.messages_sent();
  f.messages_received = in_.messages_received();
  const bool known = method_entry_ != nullptr;
  conn_->server().metrics()->record_end(metrics_, known ? std::string_view(method_entry_->path) : "other",
                                        known ? metrics_kind(method_entry_->kind) : metrics::RpcKind::unknown, f);
  metrics_ = nullptr;
}

void ServerCall::handler_done() {
  life_.handler_finished();
  maybe_destroy();
}

void ServerCall::maybe_destroy() {
  if (life_.take_free()) defer(&ServerCall::destroy_thunk);
}

// ---- response ---------------------------------------------------------------

h2::HeaderBlock ServerCall::response_head(bool with_metadata) {
  out_.set_encoding(call::negotiate_response_encoding(response_compression_, head_.accepted_encodings()));
  h2::HeaderBlock headers;
  call::build_response_head(out_.encoding(), with_metadata ? &initial_metadata_ : nullptr, headers);
  return headers;
}

void ServerCall::send_headers_if_needed() {
  if (response_ != call::ResponsePhase::idle) return;
  response_ = call::ResponsePhase::headers_sent;
  // Only after start_write validated the metadata.
  conn_->session().submit_response(stream_id_, response_head(true), &out_.body());
}

void ServerCall::finish(const Status& status) {
  if (response_ == call::ResponsePhase::finished) return;
  const bool headers_sent = response_ == call::ResponsePhase::headers_sent;
  response_ = call::ResponsePhase::finished;
  if (deadline_timer_) deadline_timer_->cancel();  // its handler runs soon and releases the call
  resume_later(out_.fail_writer());
  if (!session_usable()) {
    // The client is gone (reset, disconnect): what it saw is CANCELLED.
    if (metrics_) record_end(StatusCode::cancelled);
    return;
  }
  // A complete response ends our side; if the client is still sending, a
  // RST_STREAM(NO_ERROR) after our END_STREAM tells it to stop (RFC 9113
  // 8.1). Never another code: grpc-core clients would take a non-zero reset
  // over the status they have not yet consumed.
  if (request_ != call::RequestPhase::ended) conn_->session().reset_after_end_stream(stream_id_, kNoError);
  Status sent = status;
  // Trailing metadata that cannot be sent is left out (and fails an OK call).
  const Metadata none;
  const Status bad = trailing_metadata_.validate_for_send();
  if (!bad.ok() && status.ok()) sent = bad;
  const Metadata& trailing = bad.ok() ? trailing_metadata_ : none;
  if (metrics_) record_end(sent.code());
  if (!headers_sent) {
    // Trailers-only: one HEADERS frame with END_STREAM. Metadata that cannot
    // be sent is left out rather than put on the wire.
    h2::HeaderBlock headers =
        response_head(initial_metadata_.empty() || initial_metadata_.validate_for_send().ok());
    call::build_trailers(sent, trailing, headers);
    conn_->session().submit_response(stream_id_, headers, nullptr);
  } else {
    h2::HeaderBlock trailers;
    call::build_trailers(sent, trailing, trailers);
    out_.body().finish_with_trailers(std::move(trailers));
    conn_->session().resume(stream_id_, out_.body());
  }
  conn_->request_flush();
}

// ---- CallCore -----------------------------------------------------------------

bool ServerCall::start_read(ReadOp& op) {
  if (in_.start_read(op)) {
    last_message_compressed_ = op.compressed;
    recharge(false);
    credit_window();
    return true;
  }
  if (request_ == call::RequestPhase::ended || over()) {
    in_.end();  // takes op back: the stream is over
    op.message.reset();
    return true;
  }
  return false;
}

bool ServerCall::start_write(WriteOp& op) {
  if (over() || !session_usable()) {
    op.ok = false;
    return true;
  }
  const std::size_t reserved = op.prefix_reserved ? kFramePrefixSize : 0;
  if (op.message.size() - reserved > conn_->server().max_send_message_size()) [[unlikely]] {
    fail(Status::resource_exhausted("response message larger than max_send_message_size (" +
                                    std::to_string(op.message.size() - reserved) + " vs. " +
                                    std::to_string(conn_->server().max_send_message_size()) + ")"));
    op.ok = false;
    return true;
  }
  if (response_ == call::ResponsePhase::idle) {
    // Checked once, before the headers go out.
    if (Status bad = initial_metadata_.validate_for_send(); !bad.ok()) {
      fail(bad);
      op.ok = false;
      return true;
    }
  }
  send_headers_if_needed();  // decides the response encoding
  out_.queue(std::move(op.message), op.prefix_reserved, op.compress);
  recharge(false);
  conn_->session().resume(stream_id_, out_.body());
  conn_->request_flush();
  return out_.admit(op, queue_bound());
}

void ServerCall::fail(Status status) {
  if (response_ == call::ResponsePhase::finished) return;
  finish(status);
  cancel();
}

// ---- inbound data ---------------------------------------------------------------

void ServerCall::on_data(const std::uint8_t* data, std::size_t size) {
  // A call answered without a handler (bad request headers, unknown method)
  // reads nothing: its answer is the header error, whatever the body holds.
  if (over() || method_entry_ == nullptr || !head_.error().ok()) [[unlikely]] {
    in_.discard(size);
    credit_window();
    return;
  }
  if (Status st = in_.receive(data, size); !st.ok()) {
    fail(st);
    return;
  }
  resume_later(in_.deliver());
  if (!recharge(true)) [[unlikely]]
    return fail_over_budget();
  credit_window();
}

void ServerCall::fail_over_budget() {
  // The connection's (or the server's) memory budget cannot hold what this
  // stream now buffers: the call fails, its buffers go at once.
  const std::size_t held = footprint();
  in_.abandon(Status::resource_exhausted("memory budget exhausted"));
  recharge(false);
  fail(Status::resource_exhausted("request data (" + std::to_string(held) +
                                  " bytes buffered) exceeds the server's memory budget"));
  credit_window();
}

bool ServerCall::recharge(bool must_fit) {
  const std::size_t now = footprint();
  if (now == charged_) [[likely]]
    return true;
  return recharge_to(now, must_fit);
}

bool ServerCall::recharge_to(std::size_t now, bool must_fit) {
  ConnectionBudget& budget = conn_->budget();
  if (now < charged_) {
    budget.release(charged_ - now);
  } else if (!must_fit) {
    budget.reserve(now - charged_);
  } else if (!budget.try_reserve(now - charged_)) {
    return false;
  }
  charged_ = now;
  return true;
}

std::size_t ServerCall::queue_bound() const noexcept {
  // Under memory pressure a writer waits until its stream drained.
  return conn_->budget().under_pressure() ? 0 : call::OutboundPipe::kMaxQueuedBytes;
}

void ServerCall::credit_window() {
  if (in_.uncredited() == 0 || !session_usable()) return;
  // Under memory pressure, only a message already admitted (charged at its
  // declared length) is let in further; between messages the peer waits
  // until the budget frees (the connection retries).
  if (!over() && in_.at_message_boundary() && conn_->budget().under_pressure()) [[unlikely]] {
    credit_withheld_ = true;
    conn_->retry_credit_later();
    return;
  }
  const std::size_t credit = in_.take_credit();
  if (credit == 0) return;
  credit_withheld_ = false;
  conn_->session().consume(stream_id_, credit);
  conn_->request_flush();
}

void ServerCall::on_remote_end() {
  request_ = call::RequestPhase::ended;
  if (!in_.at_message_boundary() && response_ != call::ResponsePhase::finished) {
    fail(Status::internal("request stream ended inside a message"));
    return;
  }
  resume_later(in_.end());
}

void ServerCall::on_body_drained() {
  recharge(false);
  resume_later(out_.drained(queue_bound()));
}

void ServerCall::on_stream_close(std::uint32_t error_code) {
  life_.stream_closed();
  if (response_ != call::ResponsePhase::finished || error_code != kNoError) defer(&ServerCall::cancel_thunk);
  life_.handler_not_needed();  // a call never started will not start now
  maybe_destroy();
}

void ServerCall::on_connection_lost() {
  life_.stream_closed();
  cancel();
  life_.handler_not_needed();
  maybe_destroy();
}

void ServerCall::abort(Status status) {
  finish(status);
  cancel();
}

// ---- cancellation, timers, blocking work ----------------------------------------

void ServerCall::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  if (deadline_timer_) deadline_timer_->cancel();
  if (sleep_timer_) sleep_timer_->cancel();
  resume_later(in_.end());
  resume_later(out_.fail_writer());
  auto callbacks = std::move(cancel_callbacks_);
  for (auto& cb : callbacks) cb();
}

void ServerCall::on_cancel(std::function<void()> callback) {
  if (cancelled_) {
    callback();
    return;
  }
  cancel_callbacks_.push_back(std::move(callback));
}

void ServerCall::sleep(std::chrono::nanoseconds d, bool* fired, std::coroutine_handle<> h) {
  if (cancelled_) {
    *fired = false;
    defer(&ServerCall::resume_thunk, h);
    return;
  }
  if (!sleep_timer_) sleep_timer_ = std::make_unique<asio::steady_timer>(conn_->loop().io());
  if (d > std::chrono::hours(24 * 365 * 100)) {
    sleep_timer_->expires_at(asio::steady_timer::time_point::max());
  } else {
    sleep_timer_->expires_after(d);
  }
  sleep_timer_->async_wait([this, fired, h](const asio::error_code& ec) {
    *fired = !ec && !cancelled_;
    resume(h);
  });
}

void ServerCall::run_blocking(std::function<void()> work, std::coroutine_handle<> h) {
  asio::post(conn_->server().blocking_pool(), [this, work = std::move(work), h] {
    work();
    conn_->loop().post([this, h] { resume(h); });
  });
}

}  // namespace pronto::detail
