// transport/connection.h — one HTTP/2 connection on a byte stream (a socket,
// or one end of an in-memory pipe: transport/byte_stream.h): the read loop
// feeding the h2::Session and the batched writes of what it produces.
//
// Reading waits for readability and then reads into a per-loop buffer, so an
// idle connection holds no read buffer. Everything produced during a loop
// turn is written with one write() (retried asynchronously only when the
// stream is full).
// Ownership: shared_ptr; pending I/O and the calls on the connection hold
// references. The derived class (server or client) implements the session
// events. Threading: everything on the owning loop.
#pragma once

#include <cstddef>  // before asio: see transport/event_loop.h

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <coroutine>
#include <memory>
#include <string>
#include <vector>

#include "h2/session.h"
#include "transport/byte_stream.h"
#include "transport/event_loop.h"
#include "transport/keepalive.h"
#include "transport/tls.h"

namespace pronto::detail {

class Connection : public std::enable_shared_from_this<Connection>,
                   public h2::SessionEvents,
                   private StreamEvents {
 public:
  using Socket = SocketStream::Socket;

  // With `tls`, the stream carries TLS (the handshake runs first; ALPN h2 is
  // required).
  Connection(EventLoop& loop, std::unique_ptr<ByteStream> stream, h2::Session::Role role,
             const h2::SessionSettings& settings, std::unique_ptr<TlsFilter> tls = nullptr);
  // On a connected socket.
  Connection(EventLoop& loop, Socket socket, h2::Session::Role role, const h2::SessionSettings& settings,
             std::unique_ptr<TlsFilter> tls = nullptr)
      : Connection(loop, std::make_unique<SocketStream>(std::move(socket)), role, settings, std::move(tls)) {}
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends the connection preface/settings and starts reading. A TLS
  // handshake, or on a server the client's HTTP/2 preface (through its first
  // SETTINGS frame), not done within `handshake_timeout` closes the
  // connection: a peer that connects and stays silent costs a descriptor
  // for that long only.
  void start(std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10));
  // Keepalive (A8) for this connection: pings it sends, and (enforce) the
  // strike policy on the peer's. Before start(); without it, neither.
  void set_keepalive(const KeepaliveSettings& settings);
  // Graceful GOAWAY in two steps, as grpc-core: GOAWAY with last-stream-id
  // 2^31-1 (server only; a client gets a plain GOAWAY) and a PING; on its
  // ACK, or after `ack_timeout`, GOAWAY with the last stream processed.
  // The connection closes once its streams are done. Idempotent.
  void begin_graceful_goaway(std::chrono::milliseconds ack_timeout = std::chrono::seconds(20));
  // Step 2 now (no-op before step 1 or after step 2).
  void finish_goaway();
  bool goaway_begun() const noexcept { return goaway_step_ != 0; }
  // Writes what the session has to send at the end of this loop turn.
  void request_flush();
  // Closes the stream at once; on_closed() follows.
  void close();

  EventLoop& loop() noexcept { return loop_; }
  h2::Session& session() noexcept { return session_; }
  bool closed() const noexcept { return closed_; }
  // The peer's address ("inproc:<n>" on a memory pipe), worked out on first
  // use (an idle connection keeps no string for it).
  const std::string& peer() {
    if (peer_.empty()) [[unlikely]]
      find_peer();
    return peer_;
  }
  // The TLS peer certificate's identity (empty on plaintext or without one).
  const std::string& peer_identity() const noexcept { return peer_identity_; }
  // Why the connection closed, for the calls it takes down.
  const std::string& close_reason() const noexcept { return close_reason_; }

  // A coroutine made ready from inside a session event; run after the
  // session returns. `run(ctx, h)` resumes it (setting any ambient context).
  using ResumeFn = void (*)(void* ctx, std::coroutine_handle<> h);
  void defer_resume(ResumeFn run, void* ctx, std::coroutine_handle<> h) { ready_.push_back({run, ctx, h}); }

 protected:
  // The stream closed (peer gone, error, or close()). Called once.
  virtual void on_closed() = 0;
  // After each batch of input was processed (before the flush).
  virtual void on_input_processed() {}
  // At the end of start(): arm per-connection timers here.
  virtual void on_started() {}
  // The connection was closed for ping abuse or a keepalive timeout: sets
  // close_reason() (seen by the calls it takes down).
  void set_close_reason(std::string reason) { close_reason_ = std::move(reason); }

 private:
  struct Ready {
    ResumeFn run;
    void* ctx;
    std::coroutine_handle<> h;
  };
  void find_peer();
  void wait_readable();
  void on_readable();
  void drain_ready();
  void flush();
  // Writes `out` (the loop's buffer) now; what the stream does not take
  // moves to out_ and waits for writability.
  void write_now(h2::OutputBuffer& out);
  // Writes until `out` is empty or the stream is full; false on error.
  bool send_pieces(h2::OutputBuffer& out);
  void wait_writable();
  // SessionEvents: PINGs (keepalive, ping strikes, graceful GOAWAY).
  void on_ping(std::uint64_t opaque) override;
  void on_ping_ack(std::uint64_t opaque) override;
  struct Keepalive;
  void arm_keepalive(std::chrono::milliseconds after);
  void on_keepalive_timer();
  // StreamEvents: the stream's readiness waits completed.
  void on_stream_readable(const asio::error_code& ec) override;
  void on_stream_writable(const asio::error_code& ec) override;
  // This connection as the owner of a stream wait.
  std::shared_ptr<StreamEvents> events() {
    StreamEvents* events = this;
    return std::shared_ptr<StreamEvents>(shared_from_this(), events);
  }
  // Feeds received bytes (decrypting first on TLS). False: close.
  bool receive(const std::uint8_t* data, std::size_t size);
  // TLS handshake and (server) the client's preface done.
  bool handshake_done() const;

  EventLoop& loop_;
  std::unique_ptr<ByteStream> stream_;
  h2::Session session_;
  std::string peer_;
  std::string peer_identity_;
  std::string close_reason_;
  std::unique_ptr<TlsFilter> tls_;
  std::unique_ptr<asio::steady_timer> handshake_timer_;
  std::unique_ptr<Keepalive> keepalive_;           // with set_keepalive()
  std::unique_ptr<asio::steady_timer> goaway_timer_;  // step 1 -> step 2
  int goaway_step_ = 0;                             // graceful GOAWAY: 0, 1 or 2
  h2::OutputBuffer out_;  // bytes the stream did not take at once, being written
  std::vector<Ready> ready_;
  std::vector<Ready> spare_ready_;  // the last drained batch, for its capacity
  static constexpr std::size_t kKeptReadyCapacity = 16;
  bool writing_ = false;  // waiting for the stream to take more of out_
  bool flush_posted_ = false;
  bool closed_ = false;
  bool in_event_ = false;      // inside on_readable/flush: they flush at the end
  const bool is_server_;
};

}  // namespace pronto::detail
