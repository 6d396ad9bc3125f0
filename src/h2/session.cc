#include "h2/session.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace pronto::h2 {

// The nghttp2 callbacks, as static members of a friend so they reach the
// Session's privates.
struct SessionCallbacks {
  static Session& self(void* user_data) { return *static_cast<Session*>(user_data); }

  static int on_begin_headers(nghttp2_session* s, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    auto& session = self(user_data);
    const int32_t id = frame->hd.stream_id;
    void* existing = nghttp2_session_get_stream_user_data(s, id);
    void* bound = session.events_.on_begin_headers(id, existing);
    if (bound == nullptr) {
      nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    if (existing == nullptr) {
      nghttp2_session_set_stream_user_data(s, id, bound);
      ++session.open_streams_;
    }
    return 0;
  }

  static int on_header(nghttp2_session* s, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    void* stream = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    if (stream == nullptr) return 0;
    bool ok = self(user_data).events_.on_header(stream, {reinterpret_cast<const char*>(name), namelen},
                                                {reinterpret_cast<const char*>(value), valuelen});
    return ok ? 0 : refuse_header_block(s, frame->hd.stream_id);
  }
  // Our RST_STREAM goes first; nghttp2 then queues none of its own
  // (INTERNAL_ERROR) for a stream already closing, and skips the rest of the
  // block (NGHTTP2_IB_IGN_HEADER_BLOCK: decoded, never validated).
  [[gnu::noinline]] static int refuse_header_block(nghttp2_session* s, int32_t stream_id) {
    nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_ENHANCE_YOUR_CALM);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }

  static int on_frame_recv(nghttp2_session* s, const nghttp2_frame* frame, void* user_data) {
    auto& session = self(user_data);
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: {
        void* stream = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
        if (stream) session.events_.on_headers_end(stream, frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
        break;
      }
      case NGHTTP2_DATA:
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) {
          void* stream = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
          if (stream) session.events_.on_remote_end(stream);
        }
        break;
      case NGHTTP2_GOAWAY:
        session.events_.on_goaway(
            frame->goaway.last_stream_id, frame->goaway.error_code,
            {reinterpret_cast<const char*>(frame->goaway.opaque_data), frame->goaway.opaque_data_len});
        break;
      case NGHTTP2_PING: {
        std::uint64_t opaque = 0;
        for (uint8_t b : frame->ping.opaque_data) opaque = opaque << 8 | b;
        if (frame->hd.flags & NGHTTP2_FLAG_ACK) {
          session.events_.on_ping_ack(opaque);
        } else {
          session.events_.on_ping(opaque);
        }
        break;
      }
      case NGHTTP2_SETTINGS:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) session.peer_settings_received_ = true;
        break;
      default:
        break;
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session* s, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                           void* user_data) {
    // The connection window reopens at once: per-stream windows bound what
    // each call buffers. The stream window reopens as the call consumes.
    nghttp2_session_consume_connection(s, len);
    void* stream = nghttp2_session_get_stream_user_data(s, stream_id);
    if (stream == nullptr) {
      nghttp2_session_consume_stream(s, stream_id, len);
      return 0;
    }
    self(user_data).events_.on_data(stream, data, len);
    return 0;
  }

  static int on_stream_close(nghttp2_session* s, int32_t stream_id, uint32_t error_code, void* user_data) {
    auto& session = self(user_data);
    if (!session.reset_after_end_.empty())
      std::erase_if(session.reset_after_end_, [&](const auto& r) { return r.first == stream_id; });
    if (!session.throttled_.empty()) [[unlikely]]
      std::erase_if(session.throttled_, [&](const auto& r) { return r.first == stream_id; });
    void* stream = nghttp2_session_get_stream_user_data(s, stream_id);
    if (stream == nullptr) return 0;
    nghttp2_session_set_stream_user_data(s, stream_id, nullptr);
    --session.open_streams_;
    session.events_.on_stream_close(stream, error_code);
    return 0;
  }

  static int on_frame_send(nghttp2_session* s, const nghttp2_frame* frame, void* user_data) {
    auto& session = self(user_data);
    session.sent_headers_or_data_ |= frame->hd.type <= NGHTTP2_HEADERS;  // DATA (0) or HEADERS (1)
    if (session.reset_after_end_.empty() || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) [[likely]]
      return 0;
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    return reset_after(session, s, frame->hd.stream_id);
  }
  [[gnu::noinline]] static int reset_after(Session& session, nghttp2_session* s, int32_t stream_id) {
    auto& pending = session.reset_after_end_;
    auto it =
        std::find_if(pending.begin(), pending.end(), [&](const auto& r) { return r.first == stream_id; });
    if (it == pending.end()) return 0;
    nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, it->first, it->second);
    pending.erase(it);
    return 0;
  }

  // A large DATA payload does not pass through nghttp2's frame buffer: the
  // provider only sizes the frame (NO_COPY) and send_data moves the bytes
  // from the body to the output, by reference. A small one is copied into
  // the frame buffer here, as usual.
  static ssize_t read_body(nghttp2_session* s, int32_t stream_id, uint8_t* buf, size_t length,
                           uint32_t* data_flags, nghttp2_data_source* source, void* user_data) {
    auto& body = *static_cast<OutboundBody*>(source->ptr);
    auto& session = self(user_data);
    if (session.collecting_->size() >= session.data_limit_ && body.pending() > 0) [[unlikely]]
      return throttle(session, stream_id, body);
    const std::size_t n = std::min(length, body.pending());
    if (n == body.pending()) {
      if (body.ended()) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        if (body.has_trailers()) {
          *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
          nghttp2_submit_trailer(s, stream_id, body.trailers().data(), body.trailers().size());
        }
      } else if (n == 0) {
        body.deferred = true;
        return NGHTTP2_ERR_DEFERRED;
      }
    }
    if (n >= OutboundBody::kLendMin) {
      *data_flags |= NGHTTP2_DATA_FLAG_NO_COPY;  // send_data takes the bytes
    } else if (n > 0) {
      body.read(buf, n);
      if (void* stream = nghttp2_session_get_stream_user_data(s, stream_id)) {
        session.events_.on_body_drained(stream);
      }
    }
    return static_cast<ssize_t>(n);
  }
  // The output already holds the limit: this stream waits for the next
  // collect_output (deferred; nothing of it is packed, so a shared frame
  // buffer holds nothing across turns).
  [[gnu::noinline]] static ssize_t throttle(Session& session, int32_t stream_id, OutboundBody& body) {
    body.deferred = true;
    auto& list = session.throttled_;
    if (std::find_if(list.begin(), list.end(), [&](const auto& t) { return t.first == stream_id; }) == list.end())
      list.emplace_back(stream_id, &body);
    return NGHTTP2_ERR_DEFERRED;
  }

  static int send_data(nghttp2_session* s, nghttp2_frame* frame, const uint8_t* framehd, size_t length,
                       nghttp2_data_source* source, void* user_data) {
    auto& session = self(user_data);
    auto& body = *static_cast<OutboundBody*>(source->ptr);
    OutputBuffer& out = *session.collecting_;
    out.append(framehd, 9);  // no padding: we never ask nghttp2 for any
    body.take(out, length);
    if (void* stream = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id)) {
      session.events_.on_body_drained(stream);
    }
    return 0;
  }
};

namespace {

// Sharing the frame buffer relies on how nghttp2 uses it: allocated once in
// session creation (the only allocation of that size there), written only
// while packing a frame inside nghttp2_session_mem_send. True of every 1.x
// release checked (1.52 is what the build requires).
bool can_share_frame_buffer() {
  static const bool ok = [] {
    const nghttp2_info* info = nghttp2_version(0);
    return info != nullptr && info->version_num >= 0x013400 && info->version_num < 0x020000;
  }();
  return ok;
}

}  // namespace

Session::Session(Role role, SessionEvents& events, const SessionSettings& settings,
                 std::shared_ptr<SessionMemory> memory)
    : events_(events), memory_(std::move(memory)), role_(role) {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &SessionCallbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &SessionCallbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &SessionCallbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &SessionCallbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &SessionCallbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, &SessionCallbacks::on_frame_send);
  nghttp2_session_callbacks_set_send_data_callback(cbs, &SessionCallbacks::send_data);

  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_option_set_max_send_header_block_length(opt, 64 << 10);
  if (role == Role::server) {
    // nghttp2's rapid-reset guard (a token bucket of 1000 resets, refilled
    // at 33/s) tears down a connection whose client cancels calls quickly,
    // which is what any gRPC client does when many calls hit their
    // deadlines. The server bounds what resets can cost itself: calls whose
    // stream was reset still count against the connection's limit until
    // their handler returns (ServerConnection::on_begin_headers).
    nghttp2_option_set_stream_reset_rate_limit(opt, UINT64_MAX / 2, UINT64_MAX / 2);
  }

  nghttp2_mem mem{memory_.get(), &SessionMemory::malloc_hook, &SessionMemory::free_hook,
                  &SessionMemory::calloc_hook, &SessionMemory::realloc_hook};
  nghttp2_mem* allocator = memory_ ? &mem : nullptr;
  if (role == Role::server) {
    // A client session writes its preface into the frame buffer at
    // creation: only server sessions share it.
    std::optional<SessionMemory::FrameBufferGrant> grant;
    if (memory_ && can_share_frame_buffer()) grant.emplace(*memory_);
    nghttp2_session_server_new3(&session_, cbs, this, opt, allocator);
    shares_frame_buffer_ = grant && grant->taken();
  } else {
    nghttp2_session_client_new3(&session_, cbs, this, opt, allocator);
  }
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);

  std::vector<nghttp2_settings_entry> iv = {
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, settings.initial_window_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, settings.max_header_list_size},
  };
  if (role == Role::server) {
    iv.push_back({NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, settings.max_concurrent_streams});
  } else {
    iv.push_back({NGHTTP2_SETTINGS_ENABLE_PUSH, 0});
  }
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv.data(), iv.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<int32_t>(settings.connection_window_size));
}

Session::~Session() { nghttp2_session_del(session_); }

bool Session::receive(const std::uint8_t* data, std::size_t size) {
  if (terminated_) return false;
  ssize_t rv = nghttp2_session_mem_recv(session_, data, size);
  if (rv < 0) {
    terminate(rv == NGHTTP2_ERR_FLOODED ? NGHTTP2_ENHANCE_YOUR_CALM : NGHTTP2_PROTOCOL_ERROR);
    return false;
  }
  return true;
}

void Session::resume_throttled() {
  // nghttp2_session_resume_data only requeues the streams (no callback runs
  // here); those still over the limit throttle again while collecting.
  for (auto& [id, body] : throttled_) resume(id, *body);
  throttled_.clear();
}

void Session::collect_output(OutputBuffer& out, std::size_t data_limit) {
  // After a failure nghttp2 may still hold a half-sent frame, whose bytes a
  // shared frame buffer no longer has.
  if (send_failed_) return;
  if (!throttled_.empty()) [[unlikely]]
    resume_throttled();
  collecting_ = &out;
  // A terminated session sends its GOAWAY (and what else is queued), no DATA.
  data_limit_ = terminated_ ? 0 : data_limit;
  for (;;) {
    const uint8_t* p = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &p);
    if (n < 0) {
      terminated_ = true;
      send_failed_ = true;
      break;
    }
    if (n == 0) break;
    out.append(p, static_cast<std::size_t>(n));
  }
  collecting_ = nullptr;
}

void Session::collect_output(std::string& out) {
  OutputBuffer buffer;
  collect_output(buffer);
  buffer.move_to(out);
}

bool Session::want_read() const { return !terminated_ && nghttp2_session_want_read(session_); }
bool Session::want_write() const {
  if (terminated_) return !send_failed_ && nghttp2_session_get_outbound_queue_size(session_) > 0;
  return !send_failed_ && nghttp2_session_want_write(session_);
}

bool Session::submit_response(std::int32_t stream_id, const HeaderBlock& headers, OutboundBody* body) {
  nghttp2_data_provider provider{};
  provider.source.ptr = body;
  provider.read_callback = &SessionCallbacks::read_body;
  return nghttp2_submit_response(session_, stream_id, headers.data(), headers.size(),
                                 body ? &provider : nullptr) == 0;
}

std::int32_t Session::submit_request(const HeaderBlock& headers, OutboundBody* body, void* stream) {
  nghttp2_data_provider provider{};
  provider.source.ptr = body;
  provider.read_callback = &SessionCallbacks::read_body;
  int32_t id = nghttp2_submit_request(session_, nullptr, headers.data(), headers.size(),
                                      body ? &provider : nullptr, stream);
  if (id > 0) ++open_streams_;
  return id;
}

void Session::resume(std::int32_t stream_id, OutboundBody& body) {
  if (!body.deferred) return;
  body.deferred = false;
  nghttp2_session_resume_data(session_, stream_id);
}

void Session::reset_stream(std::int32_t stream_id, std::uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
}

void Session::reset_after_end_stream(std::int32_t stream_id, std::uint32_t error_code) {
  for (auto& r : reset_after_end_) {
    if (r.first == stream_id) {
      r.second = error_code;
      return;
    }
  }
  reset_after_end_.emplace_back(stream_id, error_code);
}

void Session::consume(std::int32_t stream_id, std::size_t size) {
  if (size > 0) nghttp2_session_consume_stream(session_, stream_id, size);
}

void Session::submit_shutdown_notice() { nghttp2_submit_shutdown_notice(session_); }

void Session::submit_goaway(std::uint32_t error_code) {
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        error_code, nullptr, 0);
}

void Session::submit_goaway(std::uint32_t error_code, std::int32_t last_stream_id, std::string_view debug_data) {
  if (last_stream_id < 0) last_stream_id = nghttp2_session_get_last_proc_stream_id(session_);
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last_stream_id, error_code,
                        reinterpret_cast<const uint8_t*>(debug_data.data()), debug_data.size());
}

void Session::submit_ping(std::uint64_t opaque) {
  uint8_t data[8];
  for (int i = 7; i >= 0; --i, opaque >>= 8) data[i] = static_cast<uint8_t>(opaque);
  nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, data);
}

void Session::terminate(std::uint32_t error_code, std::string_view debug_data) {
  if (terminated_) return;
  if (debug_data.empty()) {
    nghttp2_session_terminate_session(session_, error_code);
  } else {
    // nghttp2_session_terminate_session sends no debug data: the same
    // GOAWAY by hand, then no more input is read (terminated_).
    submit_goaway(error_code, -1, debug_data);
  }
  terminated_ = true;
}

std::int32_t Session::last_processed_stream_id() const {
  return nghttp2_session_get_last_proc_stream_id(session_);
}

}  // namespace pronto::h2
