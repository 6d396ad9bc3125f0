// h2/session.h — a sans-I/O HTTP/2 session over nghttp2, client or server.
//
// Bytes in (receive) -> events (SessionEvents); submits -> bytes out
// (collect_output). No sockets, no timers: the transport drives it.
// Ownership: the Session owns its nghttp2_session. Per-stream pointers given
// to submit_* / returned from on_begin_stream are owned by the caller.
// Threading: single thread (the connection's loop). Events are delivered from
// inside receive()/collect_output(); handlers must not destroy the Session or
// call receive() from an event, and must defer resuming user code until
// receive() returns (the transport keeps a ready queue for that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "h2/outbound_body.h"
#include "h2/output_buffer.h"
#include "h2/session_memory.h"

struct nghttp2_session;

namespace pronto::h2 {

class SessionEvents {
 public:
  // A HEADERS frame begins on `stream_id`. `stream` is the pointer bound to
  // the stream (nullptr for a new server stream); return the pointer to bind
  // (nullptr refuses the stream with RST_STREAM REFUSED_STREAM).
  virtual void* on_begin_headers(std::int32_t stream_id, void* stream) = 0;
  // One header field. Return false to stop examining this header block:
  // the stream is reset with ENHANCE_YOUR_CALM (gRPC's RESOURCE_EXHAUSTED)
  // and the rest of the block is only HPACK-decoded (the table must stay in
  // step), never validated or delivered field by field. For header blocks
  // far past any limit: a block that references one large table entry
  // thousands of times then costs almost nothing to discard.
  virtual bool on_header(void* stream, std::string_view name, std::string_view value) = 0;
  // The header block is complete. end_stream: the peer half-closed with it.
  virtual void on_headers_end(void* stream, bool end_stream) = 0;
  virtual void on_data(void* stream, const std::uint8_t* data, std::size_t size) = 0;
  // END_STREAM arrived on a DATA frame.
  virtual void on_remote_end(void* stream) = 0;
  // The stream is gone (error_code 0: closed normally). Its pointer and
  // OutboundBody are no longer referenced by the session after this.
  virtual void on_stream_close(void* stream, std::uint32_t error_code) = 0;
  // A DATA provider drained part of a body (so a blocked writer may go on).
  virtual void on_body_drained(void* stream) = 0;
  // The peer sent GOAWAY (debug_data: its opaque debug data, e.g. gRPC's
  // "too_many_pings").
  virtual void on_goaway(std::int32_t last_stream_id, std::uint32_t error_code, std::string_view debug_data) {}
  // The peer sent a PING (nghttp2 has queued the ACK already).
  virtual void on_ping(std::uint64_t opaque) {}
  // The peer acknowledged one of our PINGs.
  virtual void on_ping_ack(std::uint64_t opaque) {}

 protected:
  ~SessionEvents() = default;
};

struct SessionSettings {
  std::uint32_t max_concurrent_streams = 100;
  std::uint32_t initial_window_size = 1 << 20;  // per stream
  std::uint32_t connection_window_size = 16 << 20;
  std::uint32_t max_header_list_size = 16 << 10;
};

class Session {
 public:
  enum class Role { client, server };
  // With `memory`, nghttp2 allocates from it (see session_memory.h; a
  // server session then shares the loop's frame buffer); otherwise malloc.
  Session(Role role, SessionEvents& events, const SessionSettings& settings = {},
          std::shared_ptr<SessionMemory> memory = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Feeds received bytes. Returns false on any error from nghttp2 (the
  // session is then terminated with GOAWAY and must be fed nothing more;
  // flush collect_output() and close).
  bool receive(const std::uint8_t* data, std::size_t size);
  // Appends every frame ready to send to `out`. DATA payload is moved from
  // the stream bodies, large slices by reference (no copy). Always drains
  // nghttp2's output and copies every frame header out at once (a shared
  // frame buffer relies on it).
  // Once `out` holds `data_limit` bytes, no more DATA is produced: streams
  // with DATA to send are deferred (throttled) and resumed by the next
  // collect_output, so what sits unsent in front of a socket that does not
  // take it stays bounded (the limit plus one frame). Control frames and
  // headers are never held back.
  void collect_output(OutputBuffer& out, std::size_t data_limit = SIZE_MAX);
  // The same, copied into a string (tests, tools).
  void collect_output(std::string& out);
  // False once the session is done (GOAWAY exchanged and no open streams).
  bool want_read() const;
  bool want_write() const;
  bool terminated() const noexcept { return terminated_; }
  // Streams whose DATA was held back by a collect_output limit.
  bool throttled() const noexcept { return !throttled_.empty(); }
  // The peer's first SETTINGS frame arrived (for a server: the client's
  // connection preface is complete).
  bool peer_settings_received() const noexcept { return peer_settings_received_; }

  // Server: response headers, then the body (may be null: headers only, with
  // END_STREAM — a trailers-only response).
  bool submit_response(std::int32_t stream_id, const HeaderBlock& headers, OutboundBody* body);
  // Client: a request; returns the new stream id (<0 on failure).
  std::int32_t submit_request(const HeaderBlock& headers, OutboundBody* body, void* stream);
  // More bytes (or the end) were queued on a deferred body.
  void resume(std::int32_t stream_id, OutboundBody& body);
  void reset_stream(std::int32_t stream_id, std::uint32_t error_code);
  // RST_STREAM(error_code) once our END_STREAM (trailers or last DATA) has
  // been sent: "here is the full response, stop sending the request".
  void reset_after_end_stream(std::int32_t stream_id, std::uint32_t error_code);
  // The application took `size` bytes of the stream's DATA: reopen windows.
  void consume(std::int32_t stream_id, std::size_t size);
  // Server graceful shutdown, step 1 (GOAWAY with max stream id) and step 2
  // (GOAWAY with the last stream processed).
  void submit_shutdown_notice();
  void submit_goaway(std::uint32_t error_code = 0);
  // GOAWAY with a chosen last stream id (<0: the last stream processed) and
  // debug data. Streams above last_stream_id that the peer opens later are
  // ignored; the session ends once the open ones are done.
  void submit_goaway(std::uint32_t error_code, std::int32_t last_stream_id, std::string_view debug_data);
  // A PING carrying `opaque` (its ACK comes back as on_ping_ack(opaque)).
  void submit_ping(std::uint64_t opaque);
  // Ends the session with GOAWAY(error_code, debug_data); nothing more is
  // processed (flush collect_output() and close).
  void terminate(std::uint32_t error_code, std::string_view debug_data = {});
  // Set whenever a HEADERS or DATA frame is sent; the caller clears it
  // (keepalive's ping-strike policy resets on sent data, as grpc-core does).
  bool take_sent_headers_or_data() noexcept { return std::exchange(sent_headers_or_data_, false); }
  std::int32_t last_processed_stream_id() const;
  std::size_t open_streams() const noexcept { return open_streams_; }

  nghttp2_session* raw() noexcept { return session_; }
  // Whether this session uses its SessionMemory's shared frame buffer.
  bool shares_frame_buffer() const noexcept { return shares_frame_buffer_; }

 private:
  friend struct SessionCallbacks;
  nghttp2_session* session_ = nullptr;
  SessionEvents& events_;
  std::shared_ptr<SessionMemory> memory_;
  Role role_;
  bool terminated_ = false;
  bool send_failed_ = false;  // nghttp2_session_mem_send failed: send nothing more
  bool shares_frame_buffer_ = false;
  bool peer_settings_received_ = false;
  bool sent_headers_or_data_ = false;
  std::size_t open_streams_ = 0;
  OutputBuffer* collecting_ = nullptr;  // during collect_output: where DATA goes
  std::size_t data_limit_ = SIZE_MAX;   // during collect_output
  // Streams deferred by data_limit_ (with their bodies), resumed by the next
  // collect_output; an entry goes when its stream closes.
  std::vector<std::pair<std::int32_t, OutboundBody*>> throttled_;
  void resume_throttled();
  // (stream id, error code) of reset_after_end_stream; rarely more than one.
  std::vector<std::pair<std::int32_t, std::uint32_t>> reset_after_end_;
};

}  // namespace pronto::h2
