#include "client/client_call.h"

#include <nghttp2/nghttp2.h>

#include "client/channel_impl.h"
#include "client/client_connection.h"
#include "pronto/server_context.h"
#include "wire/compression.h"
#include "wire/framer.h"
#include "wire/status_codec.h"
#include "wire/timeout.h"

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
constexpr std::size_t kMaxQueuedBytes = 256 * 1024;
// Response headers and trailers, counted as HPACK does (name + value + 32
// per field): past the soft limit (the SETTINGS_MAX_HEADER_LIST_SIZE the
// client advertises) nothing more is kept and the call fails with
// RESOURCE_EXHAUSTED; past the hard limit the stream is reset at once and
// the rest of the block is not examined.
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kHardMaxHeaderBytes = 64 * 1024;
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
      deframer_(impl_.options().max_receive_message_size) {}

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
  if (options_.context && options_.context->cancelled()) return Status::cancelled("Cancelled before start");
  return {};
}

void ClientCall::launch(std::optional<std::string> first, bool half_close, UnaryOp* unary) {
  if (unary) {
    unary_ = unary;
    unary_resumer_ = Resumer::here();
  }
  if (options_.context) {
    add_ref();  // released when the call completes (hook cleared then)
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
    if (first) queue_message(std::move(*first), true);
    if (half_close) {
      half_close_ = true;
      body_.finish();
    }
    add_ref();  // held by the channel until attached, then by the stream
    impl_.attach(this);
  });
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
  h2::HeaderBlock headers;
  headers.add_static(":method", "POST");
  headers.add_static(":scheme", impl_.scheme());
  headers.add(":path", path_);
  headers.add(":authority", impl_.authority());
  headers.add_static("content-type", "application/grpc");
  headers.add_static("te", "trailers");
  headers.add_static("grpc-accept-encoding", wire::kAcceptEncoding);
  if (options_.compression != Compression::identity) {
    headers.add_static("grpc-encoding", wire::encoding_name(options_.compression));
  }
  headers.add("user-agent", impl_.user_agent());
  if (deadline_) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(*deadline_ - Clock::now());
    headers.add_owned("grpc-timeout", wire::format_timeout(left));
  }
  h2::append_metadata(headers, options_.metadata);
  stream_id_ = conn_->submit(this, headers, body_);
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
  header_bytes_ += name.size() + value.size() + 32;
  if (header_bytes_ > kMaxHeaderBytes) [[unlikely]]
    return on_header_past_limit();
  if (!headers_received_) {
    if (name == ":status") {
      http_status_ = 0;
      for (char c : value) http_status_ = http_status_ * 10 + (c - '0');
      return true;
    }
    if (name == "content-type") {
      grpc_content_type_ = value.starts_with("application/grpc");
      if (!grpc_content_type_) bad_content_type_ = std::string(value);
      return true;
    }
    if (name == "grpc-encoding") {
      auto encoding = wire::parse_encoding(value);
      if (encoding) {
        response_encoding_ = *encoding;
      } else {
        bad_encoding_ = std::string(value);
      }
      return true;
    }
    if (name == "grpc-accept-encoding") return true;
  }
  if (status_reader_.take(name, value)) return true;
  Metadata& md = headers_received_ ? trailing_metadata_ : initial_metadata_;
  // Malformed metadata from a server is dropped rather than failing the call.
  (void)h2::add_received_metadata(md, name, value);
  return true;
}

bool ClientCall::on_header_past_limit() {
  if (header_bytes_ <= kHardMaxHeaderBytes) return true;  // kept no more; failed at the block's end
  complete(headers_too_large());
  return false;  // the session resets the stream and skips the rest
}

Status ClientCall::headers_too_large() const {
  return Status::resource_exhausted(std::string(headers_received_ ? "response trailers" : "response headers") +
                                    " exceed " + std::to_string(kMaxHeaderBytes) + " bytes");
}

Status ClientCall::status_from_response() const {
  if (http_status_ != 200) {
    return Status(wire::status_from_http(http_status_),
                  "HTTP status " + std::to_string(http_status_) + " without grpc-status");
  }
  if (status_reader_.has_status()) return status_reader_.status();
  return Status::internal("response ended without grpc-status");
}

void ClientCall::on_headers_end(bool end_stream) {
  if (header_bytes_ > kMaxHeaderBytes) [[unlikely]] {
    Status too_large = headers_too_large();
    headers_received_ = true;
    abort(std::move(too_large));
    return;
  }
  if (!headers_received_) {
    headers_received_ = true;
    if (end_stream) {
      // Trailers-only: the header block carried the status. Its metadata is
      // trailing metadata.
      trailing_metadata_ = std::move(initial_metadata_);
      initial_metadata_.clear();
      complete(status_reader_.has_status() ? status_reader_.status() : status_from_response());
      return;
    }
    if (http_status_ != 200) {
      abort(status_from_response());
      return;
    }
    if (!bad_encoding_.empty()) {
      abort(Status::internal("response grpc-encoding '" + bad_encoding_ + "' is not supported"));
      return;
    }
    if (!grpc_content_type_) {
      abort(Status::unknown("response content-type '" + bad_content_type_ + "' is not application/grpc"));
      return;
    }
    return;
  }
  // Trailers.
  if (!deframer_.at_message_boundary()) {
    complete(Status::internal("response ended inside a message"));
    return;
  }
  complete(status_from_response());
}

void ClientCall::on_data(const std::uint8_t* data, std::size_t size) {
  unconsumed_ += size;
  if (status_) {
    credit_window();
    return;
  }
  thread_local std::vector<wire::Message> scratch;  // filled and emptied within this event
  scratch.clear();
  Status st = deframer_.feed(data, size, scratch);
  for (auto& m : scratch) {
    if (m.compressed) {
      if (response_encoding_ == Compression::identity) {
        st = Status::internal("compressed message without grpc-encoding");
        break;
      }
      auto plain = wire::decompress(response_encoding_, m.payload, deframer_.max_message_size());
      if (!plain) {
        st = plain.status();
        break;
      }
      m.payload = std::move(*plain);
    }
    inbox_.push(std::move(m));
  }
  if (st.ok() && unary_ && inbox_.size() > 1) [[unlikely]] {
    // doc/statuscodes.md: a response cardinality violation is UNIMPLEMENTED.
    st = Status::unimplemented("more than one response message for a unary call");
  }
  if (!st.ok()) {
    abort(st);
    return;
  }
  deliver_reads();
  credit_window();
}

void ClientCall::credit_window() {
  if (unconsumed_ == 0 || inbox_.size() > 1 || !conn_ || stream_id_ < 0) return;
  conn_->session().consume(stream_id_, unconsumed_);
  unconsumed_ = 0;
  flush();
}

void ClientCall::on_remote_end() {
  // END_STREAM on DATA without trailers: the stream closes next; the status
  // is decided there.
}

void ClientCall::on_stream_close(std::uint32_t error_code) {
  if (!status_) {
    if (error_code == NGHTTP2_REFUSED_STREAM) {
      complete(Status::unavailable("stream refused by the server"));
    } else if (error_code == NGHTTP2_CANCEL) {
      complete(Status::cancelled("stream cancelled by the server"));
    } else if (error_code == NGHTTP2_ENHANCE_YOUR_CALM) {
      // PROTOCOL-HTTP2.md: ENHANCE_YOUR_CALM -> RESOURCE_EXHAUSTED (a pronto
      // server answers so past its hard header limit).
      complete(Status::resource_exhausted("stream reset by the server: ENHANCE_YOUR_CALM"));
    } else if (error_code == NGHTTP2_INADEQUATE_SECURITY) {
      complete(Status::permission_denied("stream reset by the server: INADEQUATE_SECURITY"));
    } else if (error_code != 0) {
      // Sent by the server, or by our own session (e.g. FLOW_CONTROL_ERROR
      // for a server that ignores the window).
      complete(Status::internal("stream reset with HTTP/2 error " + std::to_string(error_code)));
    } else if (!headers_received_) {
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

void ClientCall::on_connection_lost(const std::string& reason) {
  if (!status_) complete(Status::unavailable("connection lost: " + reason));
  on_stream_close(0);
}

void ClientCall::on_body_drained() {
  if (pending_write_ && body_.pending() <= kMaxQueuedBytes) {
    pending_write_->ok = true;
    wake(write_resumer_, std::exchange(pending_write_, nullptr)->waiter);
  }
}

// ---- completion -----------------------------------------------------------

void ClientCall::abort(Status status) {
  if (status_) return;
  if (conn_ && stream_id_ > 0) {
    conn_->session().reset_stream(stream_id_, NGHTTP2_CANCEL);
    flush();
  }
  complete(std::move(status));
}

void ClientCall::complete(Status status) {
  if (status_) return;
  status_ = std::move(status);
  if (deadline_timer_) deadline_timer_->cancel();
  if (interceptors_started_ > 0) {
    const auto& interceptors = impl_.options().interceptors;
    ClientCallInfo info{path_, options_.metadata, deadline_, start_time_};
    for (std::size_t i = interceptors_started_; i-- > 0;) interceptors[i]->on_finish(info, *status_);
  }
  if (options_.context) {
    ClientContextAccess::done(*options_.context, initial_metadata_, trailing_metadata_,
                              conn_ ? conn_->peer() : std::string());
    unref();
  }
  if (pending_write_) {
    pending_write_->ok = false;
    wake(write_resumer_, std::exchange(pending_write_, nullptr)->waiter);
  }
  deliver_reads();
  finish_waiters();
}

void ClientCall::deliver_reads() {
  if (!pending_read_) return;
  if (!inbox_.empty()) {
    pending_read_->message = inbox_.pop().payload;
    credit_window();
  } else if (status_) {
    pending_read_->message.reset();
  } else {
    return;
  }
  wake(read_resumer_, std::exchange(pending_read_, nullptr)->waiter);
}

void ClientCall::finish_waiters() {
  if (!status_) return;
  if (pending_finish_) {
    pending_finish_->status = *status_;
    wake(finish_resumer_, std::exchange(pending_finish_, nullptr)->waiter);
  }
  if (unary_) {
    UnaryOp* op = std::exchange(unary_, nullptr);
    if (status_->ok() && !inbox_.empty()) op->response = inbox_.pop().payload;
    op->status = *status_;
    wake(unary_resumer_, op->waiter);
    unref();  // the unary op's reference
  }
}

// ---- user operations (any thread) -------------------------------------------

void ClientCall::queue_message(std::string message, bool compress, bool prefix_reserved) {
  const Compression c = compress ? options_.compression : Compression::identity;
  wire::frame_message(message, prefix_reserved, c);
  body_.append(std::move(message));
}

bool ClientCall::start_read(ReadOp& op) {
  read_resumer_ = Resumer::here();
  run_on_loop([this, &op] {
    pending_read_ = &op;
    deliver_reads();
  });
  return false;
}

bool ClientCall::start_write(WriteOp& op) {
  write_resumer_ = Resumer::here();
  run_on_loop([this, &op] {
    if (status_ || half_close_) {
      op.ok = false;
      wake(write_resumer_, op.waiter);
      return;
    }
    queue_message(std::move(op.message), op.compress, op.prefix_reserved);
    if (conn_ && stream_id_ > 0) {
      conn_->session().resume(stream_id_, body_);
      flush();
    }
    if (body_.pending() <= kMaxQueuedBytes) {
      op.ok = true;
      wake(write_resumer_, op.waiter);
    } else {
      pending_write_ = &op;
    }
  });
  return false;
}

void ClientCall::writes_done() {
  run_on_loop([this] {
    if (half_close_ || status_) return;
    half_close_ = true;
    body_.finish();
    if (conn_ && stream_id_ > 0) {
      conn_->session().resume(stream_id_, body_);
      flush();
    }
  });
}

bool ClientCall::start_finish(FinishOp& op) {
  finish_resumer_ = Resumer::here();
  run_on_loop([this, &op] {
    pending_finish_ = &op;
    finish_waiters();
  });
  return false;
}

void ClientCall::fail(Status status) {
  run_on_loop([this, status = std::move(status)]() mutable { abort(std::move(status)); });
}

void ClientCall::cancel() {
  // Always posted: ClientContext::cancel() calls this under its lock, which
  // complete() takes too.
  add_ref();
  impl_.loop().post([this] {
    abort(Status::cancelled("Cancelled by the client"));
    unref();
  });
}

void ClientCall::release() {
  run_on_loop([this] { abort(Status::cancelled("Call dropped by the client")); });
  unref();
}

}  // namespace pronto::detail
