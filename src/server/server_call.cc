#include "server/server_call.h"

#include <nghttp2/nghttp2.h>

#include <asio/post.hpp>

#include "h2/grpc_headers.h"
#include "server/server_connection.h"
#include "server/server_impl.h"
#include "transport/memory_budget.h"
#include "wire/compression.h"
#include "wire/framer.h"
#include "wire/timeout.h"

namespace pronto::detail {

static_assert(kFramePrefixSize == wire::kFrameHeaderSize);

namespace {

// A writer is suspended once this much is queued on its stream.
constexpr std::size_t kMaxQueuedBytes = 256 * 1024;
// Request headers and trailers, counted as HPACK does (name + value + 32
// per field). Past the soft limit (what SETTINGS_MAX_HEADER_LIST_SIZE
// advertises) the call is answered RESOURCE_EXHAUSTED and nothing more is
// kept; past the hard limit the stream is reset (ENHANCE_YOUR_CALM) and the
// rest of the block is not examined, so no header block costs more than
// this much field validation.
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kHardMaxHeaderBytes = 64 * 1024;

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

thread_local ServerContext* t_current_context = nullptr;

}  // namespace

ServerContext* current_server_context() noexcept { return t_current_context; }
void set_current_server_context(ServerContext* ctx) noexcept { t_current_context = ctx; }

ServerCall::ServerCall(std::shared_ptr<ServerConnection> conn, std::int32_t stream_id)
    : ServerContext(this),
      conn_(std::move(conn)),
      stream_id_(stream_id),
      deframer_(conn_->server().options().max_receive_message_size) {
  peer_ = &conn_->peer();
  peer_identity_ = &conn_->peer_identity();
  start_time_ = Clock::now();
}

ServerCall::~ServerCall() {
  if (charged_ > 0) conn_->budget().release(charged_);
}

bool ServerCall::session_usable() const { return !stream_closed_ && !conn_->closed(); }

// ---- request headers --------------------------------------------------------

bool ServerCall::on_header(std::string_view name, std::string_view value) {
  header_bytes_ += name.size() + value.size() + 32;
  if (header_bytes_ > kMaxHeaderBytes) [[unlikely]]
    return on_header_past_limit();
  if (headers_done_) return true;  // client trailers: nothing in them for us
  if (!name.empty() && name.front() == ':') {
    if (name == ":path") {
      // Route at once; only an unknown path is copied (for the error).
      method_entry_ = conn_->server().find_method(value);
      if (method_entry_) {
        method_name_ = &method_entry_->path;
      } else {
        method_ = std::string(value);
      }
    } else if (name == ":method") {
      post_ = value == "POST";
    } else if (name == ":authority") {
      authority_ = std::string(value);
    }
    return true;
  }
  if (name == "content-type") {
    // "application/grpc", optionally "+proto", "+json", ... or parameters.
    constexpr std::string_view kGrpc = "application/grpc";
    grpc_content_ =
        value.substr(0, kGrpc.size()) == kGrpc &&
        (value.size() == kGrpc.size() || value[kGrpc.size()] == '+' || value[kGrpc.size()] == ';');
  } else if (name == "te") {
    // te: trailers is implied by HTTP/2 for gRPC; nothing to keep.
  } else if (name == "grpc-timeout") {
    auto timeout = wire::parse_timeout(value);
    if (!timeout) {
      if (header_error_.ok())
        header_error_ = Status::internal("malformed grpc-timeout '" + std::string(value) + "'");
    } else {
      deadline_ =
          start_time_ + std::min(*timeout, std::chrono::nanoseconds(std::chrono::hours(24 * 365 * 100)));
    }
  } else if (name == "grpc-encoding") {
    auto encoding = wire::parse_encoding(value);
    if (encoding) {
      request_encoding_ = *encoding;
    } else if (header_error_.ok()) {
      // Answered with grpc-accept-encoding, as doc/compression.md asks.
      header_error_ = Status::unimplemented("unsupported grpc-encoding '" + std::string(value) + "'");
    }
  } else if (name == "grpc-accept-encoding") {
    accepted_encodings_ = wire::accepted_encodings(value);
  } else if (name == "user-agent") {
    client_metadata_.add("user-agent", std::string(value));
  } else {
    Status st = h2::add_received_metadata(client_metadata_, name, value);
    if (!st.ok() && header_error_.ok()) header_error_ = st;
  }
  return true;
}

bool ServerCall::on_header_past_limit() {
  if (header_bytes_ > kHardMaxHeaderBytes) return false;  // reset; the rest is skipped
  if (header_error_.ok()) header_error_ = Status::resource_exhausted("request headers too large");
  return true;
}

void ServerCall::on_headers_end(bool end_stream) {
  if (headers_done_) {
    // Trailers from a client end its stream.
    on_remote_end();
    return;
  }
  headers_done_ = true;
  if (end_stream) remote_closed_ = true;
  if (!post_) return reject_http(405);
  if (!grpc_content_) return reject_http(415);
  if (!header_error_.ok()) return reject(header_error_);
  if (method_entry_ == nullptr) return reject(Status::unimplemented("Method not found: " + method_));
  if (deadline_) {
    deadline_timer_ = std::make_unique<asio::steady_timer>(conn_->loop().io(), *deadline_);
    deadline_armed_ = true;  // the call outlives this handler (maybe_destroy waits)
    deadline_timer_->async_wait([this](const asio::error_code& ec) {
      deadline_armed_ = false;
      if (!ec && !finished_) {
        // Deadline: DEADLINE_EXCEEDED now, RST_STREAM after it; the handler
        // sees a cancelled call.
        body_.discard();
        recharge(false);
        finish(Status::deadline_exceeded());
        cancel();
        conn_->request_flush();
      }
      maybe_destroy();
    });
  }
  single_request_ =
      method_entry_->kind == RpcKind::unary || method_entry_->kind == RpcKind::server_streaming;
  handler_running_ = true;
  defer(&ServerCall::start_thunk);
}

void ServerCall::reject(Status status) {
  handler_done_ = true;
  finish(status);
}

void ServerCall::reject_http(int http_status) {
  handler_done_ = true;
  finished_ = true;
  h2::HeaderBlock headers;
  headers.add_owned(":status", std::to_string(http_status));
  if (!remote_closed_) conn_->session().reset_after_end_stream(stream_id_, NGHTTP2_NO_ERROR);
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

void ServerCall::resume(std::coroutine_handle<> h) {
  ServerContext* saved = t_current_context;
  t_current_context = this;
  auto conn = conn_;  // the call may be destroyed by the resumption
  h.resume();
  t_current_context = saved;
  conn->request_flush();
}

void ServerCall::start_handler() {
  ServerContext* saved = t_current_context;
  t_current_context = this;
  [](ServerCall* call) -> CallDriver {
    const auto& interceptors = call->conn_->server().interceptors();
    Status status;
    std::size_t started = 0;
    try {
      for (; started < interceptors.size();) {
        status = interceptors[started++]->on_start(*call);
        if (!status.ok()) break;
      }
      if (status.ok()) status = co_await call->method_entry_->handler(*call, *call);
    } catch (const std::exception& e) {
      status = Status::unknown(std::string("handler threw: ") + e.what());
    } catch (...) {
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
  t_current_context = saved;
}

void ServerCall::handler_done() {
  handler_running_ = false;
  handler_done_ = true;
  maybe_destroy();
}

void ServerCall::maybe_destroy() {
  if (handler_done_ && stream_closed_ && !deadline_armed_ && !destroy_scheduled_) {
    destroy_scheduled_ = true;
    defer(&ServerCall::destroy_thunk);
  }
}

// ---- response ---------------------------------------------------------------

h2::HeaderBlock ServerCall::response_headers(bool with_metadata) {
  h2::HeaderBlock headers;
  headers.add_static(":status", "200");
  headers.add_static("content-type", "application/grpc");
  headers.add_static("grpc-accept-encoding", wire::kAcceptEncoding);
  if (response_compression_ != Compression::identity &&
      (accepted_encodings_ & wire::encoding_bit(response_compression_))) {
    response_encoding_ = response_compression_;
    headers.add_static("grpc-encoding", wire::encoding_name(response_encoding_));
  }
  if (with_metadata) h2::append_metadata(headers, initial_metadata_);
  return headers;
}

void ServerCall::send_headers_if_needed() {
  if (headers_sent_) return;
  headers_sent_ = true;
  // Only after start_write validated the metadata.
  conn_->session().submit_response(stream_id_, response_headers(true), &body_);
}

void ServerCall::finish(const Status& status) {
  if (finished_) return;
  finished_ = true;
  if (deadline_armed_) deadline_timer_->cancel();  // its handler runs soon and releases the call
  if (pending_write_) {
    pending_write_->ok = false;
    defer(&ServerCall::resume_thunk, std::exchange(pending_write_, nullptr)->waiter);
  }
  if (!session_usable()) return;
  // A complete response ends our side; if the client is still sending, a
  // RST_STREAM(NO_ERROR) after our END_STREAM tells it to stop (RFC 9113
  // 8.1). Never another code: grpc-core clients would take a non-zero reset
  // over the status they have not yet consumed.
  if (!remote_closed_) conn_->session().reset_after_end_stream(stream_id_, NGHTTP2_NO_ERROR);
  Status sent = status;
  // Trailing metadata that cannot be sent is left out (and fails an OK call).
  const Metadata none;
  const Status bad = trailing_metadata_.validate_for_send();
  if (!bad.ok() && status.ok()) sent = bad;
  const Metadata& trailing = bad.ok() ? trailing_metadata_ : none;
  if (!headers_sent_) {
    // Trailers-only: one HEADERS frame with END_STREAM.
    headers_sent_ = true;
    // Metadata that cannot be sent is left out rather than put on the wire.
    h2::HeaderBlock headers =
        response_headers(initial_metadata_.empty() || initial_metadata_.validate_for_send().ok());
    h2::append_status(headers, sent, trailing);
    conn_->session().submit_response(stream_id_, headers, nullptr);
  } else {
    h2::HeaderBlock trailers;
    h2::append_status(trailers, sent, trailing);
    body_.finish_with_trailers(std::move(trailers));
    conn_->session().resume(stream_id_, body_);
  }
  conn_->request_flush();
}

// ---- CallCore -----------------------------------------------------------------

void ServerCall::deliver(ReadOp& op, wire::Message& m) {
  op.message = std::move(m.payload);
  op.compressed = m.compressed;
  last_message_compressed_ = m.compressed;
}

bool ServerCall::start_read(ReadOp& op) {
  if (!inbox_.empty()) {
    wire::Message m = inbox_.pop();
    deliver(op, m);
    recharge(false);
    credit_window();
    return true;
  }
  if (remote_closed_ || cancelled_ || finished_) {
    op.message.reset();
    return true;
  }
  pending_read_ = &op;
  return false;
}

bool ServerCall::start_write(WriteOp& op) {
  if (finished_ || cancelled_ || !session_usable()) {
    op.ok = false;
    return true;
  }
  const std::size_t reserved = op.prefix_reserved ? wire::kFrameHeaderSize : 0;
  if (op.message.size() - reserved > 0xFFFFFFFFu) {
    fail(Status::resource_exhausted("response message too large"));
    op.ok = false;
    return true;
  }
  if (!headers_sent_) {
    // Checked once, before the headers go out.
    if (Status bad = initial_metadata_.validate_for_send(); !bad.ok()) {
      fail(bad);
      op.ok = false;
      return true;
    }
  }
  send_headers_if_needed();  // decides response_encoding_
  const bool compress = op.compress && response_encoding_ != Compression::identity;
  // A message serialized behind room for the prefix is framed in place and
  // queued as it is: no copy on its way to the socket.
  wire::frame_message(op.message, op.prefix_reserved, compress ? response_encoding_ : Compression::identity);
  body_.append(std::move(op.message));
  recharge(false);
  conn_->session().resume(stream_id_, body_);
  conn_->request_flush();
  if (body_.pending() <= queue_bound()) {
    op.ok = true;
    return true;
  }
  pending_write_ = &op;
  return false;
}

void ServerCall::fail(Status status) {
  if (finished_) return;
  finish(status);
  cancel();
}

// ---- inbound data ---------------------------------------------------------------

void ServerCall::on_data(const std::uint8_t* data, std::size_t size) {
  unconsumed_ += size;
  if (finished_ || cancelled_) {
    credit_window();
    return;
  }
  // Scratch shared by the loop's calls: filled and emptied within this event.
  thread_local std::vector<wire::Message> scratch;
  scratch.clear();
  Status st = deframer_.feed(data, size, scratch);
  for (auto& m : scratch) {
    if (m.compressed) {
      if (request_encoding_ == Compression::identity) {
        st = Status::internal("compressed message without grpc-encoding");
        break;
      }
      auto plain = wire::decompress(request_encoding_, m.payload, deframer_.max_message_size());
      if (!plain) {
        st = plain.status();
        break;
      }
      m.payload = std::move(*plain);
    }
    if (++messages_received_ > 1 && single_request_) [[unlikely]] {
      // doc/statuscodes.md: a request cardinality violation is UNIMPLEMENTED.
      st = Status::unimplemented("more than one request message for a method that takes one");
      break;
    }
    if (pending_read_) {
      deliver(*pending_read_, m);
      defer(&ServerCall::resume_thunk, std::exchange(pending_read_, nullptr)->waiter);
    } else {
      inbox_.push(std::move(m));
    }
  }
  if (!st.ok()) {
    fail(st);
    return;
  }
  if (!recharge(true)) [[unlikely]] {
    // The connection's (or the server's) memory budget cannot hold what
    // this stream now buffers: the call fails, its buffers go at once.
    const std::size_t held = footprint();
    deframer_.abandon(Status::resource_exhausted("memory budget exhausted"));
    while (!inbox_.empty()) inbox_.pop();
    recharge(false);
    fail(Status::resource_exhausted("request data (" + std::to_string(held) +
                                    " bytes buffered) exceeds the server's memory budget"));
    credit_window();
    return;
  }
  credit_window();
}

std::size_t ServerCall::footprint() const noexcept {
  return deframer_.partial_length() + inbox_.bytes() + body_.pending();
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
  return conn_->budget().under_pressure() ? 0 : kMaxQueuedBytes;
}

void ServerCall::credit_window() {
  // Reopen the stream window only while the handler keeps up: with a
  // message already waiting unread, the peer must wait.
  if (unconsumed_ == 0 || inbox_.size() > 1 || !session_usable()) return;
  // Under memory pressure, only a message already admitted (charged at its
  // declared length) is let in further; between messages the peer waits
  // until the budget frees (the connection retries).
  if (!finished_ && !cancelled_ && deframer_.at_message_boundary() && conn_->budget().under_pressure())
      [[unlikely]] {
    credit_withheld_ = true;
    conn_->retry_credit_later();
    return;
  }
  credit_withheld_ = false;
  conn_->session().consume(stream_id_, unconsumed_);
  unconsumed_ = 0;
  conn_->request_flush();
}

void ServerCall::on_remote_end() {
  remote_closed_ = true;
  if (!deframer_.at_message_boundary() && !finished_) {
    fail(Status::internal("request stream ended inside a message"));
    return;
  }
  if (pending_read_) {
    pending_read_->message.reset();
    defer(&ServerCall::resume_thunk, std::exchange(pending_read_, nullptr)->waiter);
  }
}

void ServerCall::on_body_drained() {
  recharge(false);
  if (pending_write_ && body_.pending() <= queue_bound()) {
    pending_write_->ok = true;
    defer(&ServerCall::resume_thunk, std::exchange(pending_write_, nullptr)->waiter);
  }
}

void ServerCall::on_stream_close(std::uint32_t error_code) {
  stream_closed_ = true;
  if (!finished_ || error_code != 0) defer(&ServerCall::cancel_thunk);
  if (!handler_running_ && !handler_done_) handler_done_ = true;  // never started
  maybe_destroy();
}

void ServerCall::on_connection_lost() {
  stream_closed_ = true;
  cancel();
  if (!handler_running_) handler_done_ = true;
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
  if (pending_read_) {
    pending_read_->message.reset();
    defer(&ServerCall::resume_thunk, std::exchange(pending_read_, nullptr)->waiter);
  }
  if (pending_write_) {
    pending_write_->ok = false;
    defer(&ServerCall::resume_thunk, std::exchange(pending_write_, nullptr)->waiter);
  }
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
