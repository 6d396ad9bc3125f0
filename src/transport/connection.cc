#include "transport/connection.h"

#include <utility>

#include "log.h"

namespace pronto::detail {

namespace {
// One read buffer per loop thread, allocated by its first read: reads
// complete synchronously after a readiness wait, so connections never hold
// it across turns. 256 KiB: a large message arrives in few read() calls
// (each one also runs the kernel's ACK and window processing).
constexpr std::size_t kReadBufferSize = 256 * 1024;
// At most this much is read per readiness, to stay fair to the other
// connections of the loop.
constexpr std::size_t kReadBudget = 1024 * 1024;
thread_local std::unique_ptr<std::uint8_t[]> t_read_buffer;
thread_local std::string t_plaintext;       // decrypted input of one read
thread_local h2::OutputBuffer t_plain_out;  // session output before encryption
thread_local std::string t_plain_flat;      // the same, contiguous, for one SSL_write
// Everything one flush produces. Usually the socket takes it all at once,
// so connections keep no output buffer (nor its capacity) between turns.
thread_local h2::OutputBuffer t_out;
// Past this, a loop's output buffers are given back after use.
constexpr std::size_t kKeepCapacity = 4 << 20;
// DATA collected from the session per flush round: what may sit unsent in
// front of a socket that does not take it (plus one frame and control frames).
constexpr std::size_t kMaxUnsentOutput = 256 * 1024;
// Rounds of collect-and-write per flush while the socket takes everything.
constexpr int kFlushRounds = 4;

void trim(std::string& buffer) {
  if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
}
}  // namespace

Connection::Connection(EventLoop& loop, std::unique_ptr<ByteStream> stream, h2::Session::Role role,
                       const h2::SessionSettings& settings, std::unique_ptr<TlsFilter> tls)
    : loop_(loop),
      stream_(std::move(stream)),
      session_(role, *this, settings, role == h2::Session::Role::server ? loop.session_memory() : nullptr),
      tls_(std::move(tls)),
      is_server_(role == h2::Session::Role::server) {}

struct Connection::Keepalive {
  Keepalive(asio::io_context& io, const KeepaliveSettings& s)
      : settings(s), policy(s.min_time, s.permit_peer_without_calls, s.max_ping_strikes), timer(io) {}
  KeepaliveSettings settings;
  PingStrikePolicy policy;
  asio::steady_timer timer;
  bool awaiting_ack = false;
};

Connection::~Connection() = default;

void Connection::set_keepalive(const KeepaliveSettings& settings) {
  if (settings.time == kKeepaliveNever && !settings.enforce) return;
  keepalive_ = std::make_unique<Keepalive>(loop_.io(), settings);
}

void Connection::arm_keepalive(std::chrono::milliseconds after) {
  keepalive_->timer.expires_after(after);
  keepalive_->timer.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (!ec && !self->closed_) self->on_keepalive_timer();
  });
}

void Connection::on_keepalive_timer() {
  Keepalive& k = *keepalive_;
  if (k.awaiting_ack) {
    // No ACK within keepalive_timeout: the peer (or the path) is gone.
    close_reason_ = "keepalive watchdog timeout";
    logf(LogLevel::debug, "%s: %s", peer().c_str(), close_reason_.c_str());
    close();
    return;
  }
  if (k.settings.permit_without_calls || session_.open_streams() > 0) {
    session_.submit_ping(kKeepalivePingOpaque);
    k.awaiting_ack = true;
    arm_keepalive(k.settings.timeout);
    request_flush();
  } else {
    arm_keepalive(k.settings.time);
  }
}

void Connection::on_ping(std::uint64_t) {
  if (!keepalive_ || !keepalive_->settings.enforce) return;
  Keepalive& k = *keepalive_;
  if (session_.take_sent_headers_or_data()) k.policy.reset();
  if (k.policy.on_ping(KeepaliveClock::now(), session_.open_streams() == 0)) {
    // grpc-core: GOAWAY ENHANCE_YOUR_CALM "too_many_pings", then close.
    close_reason_ = kTooManyPings;
    logf(LogLevel::debug, "%s: %s", peer().c_str(), kTooManyPings);
    session_.terminate(0xb /* ENHANCE_YOUR_CALM */, kTooManyPings);
  }
}

void Connection::on_ping_ack(std::uint64_t opaque) {
  if (opaque == kKeepalivePingOpaque && keepalive_ && keepalive_->awaiting_ack) {
    keepalive_->awaiting_ack = false;
    arm_keepalive(keepalive_->settings.time);
  } else if (opaque == kGoawayPingOpaque && goaway_step_ == 1) {
    finish_goaway();
  }
}

void Connection::begin_graceful_goaway(std::chrono::milliseconds ack_timeout) {
  if (goaway_step_ != 0 || closed_) return;
  goaway_step_ = 1;
  if (!is_server_) {
    session_.submit_goaway(0);
    goaway_step_ = 2;
    request_flush();
    return;
  }
  session_.submit_shutdown_notice();  // last-stream-id 2^31-1; streams still accepted
  session_.submit_ping(kGoawayPingOpaque);
  goaway_timer_ = std::make_unique<asio::steady_timer>(loop_.io(), ack_timeout);
  goaway_timer_->async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (!ec) self->finish_goaway();
  });
  request_flush();
}

void Connection::finish_goaway() {
  if (goaway_step_ != 1 || closed_) return;
  goaway_step_ = 2;
  if (goaway_timer_) goaway_timer_->cancel();
  session_.submit_goaway(0);  // the last stream processed
  request_flush();
}

void Connection::find_peer() { peer_ = stream_->peer(); }

bool Connection::handshake_done() const {
  return (!tls_ || tls_->handshake_done()) && (!is_server_ || session_.peer_settings_received());
}

void Connection::start(std::chrono::milliseconds handshake_timeout) {
  if (tls_ || is_server_) {
    // Until the TLS handshake and (server) the client's connection preface
    // are done. The timer goes once they are: an idle connection keeps none.
    handshake_timer_ = std::make_unique<asio::steady_timer>(loop_.io(), handshake_timeout);
    handshake_timer_->async_wait([self = shared_from_this()](const asio::error_code& ec) {
      if (!ec && !self->handshake_done()) {
        self->close_reason_ = self->tls_ && !self->tls_->handshake_done() ? "TLS handshake timed out"
                                                                          : "HTTP/2 preface timed out";
        logf(LogLevel::debug, "%s: %s", self->peer().c_str(), self->close_reason_.c_str());
        self->close();
      }
      self->handshake_timer_.reset();
    });
  }
  if (keepalive_ && keepalive_->settings.time != kKeepaliveNever) arm_keepalive(keepalive_->settings.time);
  on_started();
  flush();
  wait_readable();
}

void Connection::wait_readable() {
  if (closed_) return;
  stream_->wait_readable(events());
}

void Connection::on_stream_readable(const asio::error_code& ec) {
  if (closed_) return;  // a wait that completed as the stream closed
  if (ec) {
    if (ec != asio::error::operation_aborted) close();
    return;
  }
  on_readable();
}

void Connection::on_readable() {
  in_event_ = true;
  if (!t_read_buffer) t_read_buffer.reset(new std::uint8_t[kReadBufferSize]);
  std::uint8_t* const buffer = t_read_buffer.get();
  bool more = true;
  // Read until the socket is drained, or the budget is spent.
  for (std::size_t total = 0; total < kReadBudget && more && !closed_;) {
    asio::error_code ec;
    std::size_t n = stream_->read(buffer, kReadBufferSize, ec);
    if (ec == asio::error::would_block) break;
    if (ec || n == 0) {
      // Peer closed or error: flush what we can, then close.
      if (close_reason_.empty()) close_reason_ = ec ? ec.message() : "connection closed by the peer";
      in_event_ = false;
      drain_ready();
      close();
      return;
    }
    if (!receive(buffer, n)) {
      // Protocol or TLS error: send what is queued (GOAWAY, alert); close.
      more = false;
    }
    on_input_processed();
    drain_ready();
    total += n;
    more = more && n == kReadBufferSize;
  }
  in_event_ = false;
  flush();
  if (!closed_ && session_.want_read()) wait_readable();
}

bool Connection::receive(const std::uint8_t* data, std::size_t size) {
  if (!tls_) {
    const bool ok = session_.receive(data, size);
    if (handshake_timer_ && session_.peer_settings_received()) [[unlikely]]
      handshake_timer_->cancel();
    return ok;
  }
  t_plaintext.clear();
  const bool was_done = tls_->handshake_done();
  Status st = tls_->receive(data, size, t_plaintext);
  if (!st.ok()) {
    // Handshake failure (no ALPN h2, bad certificate, not TLS at all):
    // send any alert, then close.
    close_reason_ = st.message();
    // The peer's doing, as often as it likes (a port scanner, a plaintext
    // client): debug only.
    if (log_enabled(LogLevel::debug)) {
      logf(LogLevel::debug, "%s %s %s: %s", was_done ? "TLS with" : "TLS handshake with",
           is_server_ ? "client" : "server", peer().c_str(), st.message().c_str());
    }
    session_.terminate(0);
    return false;
  }
  if (!was_done && tls_->handshake_done()) peer_identity_ = tls_->peer_identity();
  const bool ok =
      t_plaintext.empty() ||
      session_.receive(reinterpret_cast<const std::uint8_t*>(t_plaintext.data()), t_plaintext.size());
  if (handshake_timer_ && handshake_done()) handshake_timer_->cancel();
  return ok;
}

void Connection::drain_ready() {
  // Resumed coroutines may make more coroutines ready (and may add to
  // ready_ while we iterate): take the batch first.
  while (!ready_.empty()) {
    std::vector<Ready> batch = std::move(spare_ready_);  // empty; keeps its capacity
    batch.swap(ready_);
    for (auto& r : batch) r.run(r.ctx, r.h);
    batch.clear();
    // Small batches reuse the storage (no malloc per turn); a burst's large
    // storage is not kept by a connection that may go idle.
    if (batch.capacity() <= kKeptReadyCapacity) spare_ready_ = std::move(batch);
  }
  if (ready_.capacity() > kKeptReadyCapacity) ready_ = {};
}

void Connection::request_flush() {
  // Also on a closed connection: its ready queue (cancelled calls resuming,
  // calls destroying themselves) must still be drained.
  if (in_event_ || flush_posted_) return;
  flush_posted_ = true;
  loop_.post([self = shared_from_this()] {
    self->flush_posted_ = false;
    self->flush();
  });
}

void Connection::flush() {
  // Each round collects at most kMaxUnsentOutput of DATA and writes it;
  // streams held back by that bound are collected again only once the
  // socket took everything (here, or when it becomes writable again), so a
  // peer that does not read costs at most the bound here plus each
  // stream's own queue bound.
  for (int round = 0;; ++round) {
    in_event_ = true;
    drain_ready();
    if (closed_) {
      in_event_ = false;
      return;
    }
    h2::OutputBuffer& out = t_out;  // empty between flushes
    if (!writing_) {
      // Nothing of ours is waiting for the socket (out_ is empty): collect
      // into the loop's buffer. Collecting may run data providers, which may
      // make writers ready.
      for (;;) {
        if (tls_) {
          // The bound counts what this flush already encrypted: plaintext
          // is moved out of t_plain_out at every pass.
          const std::size_t room = out.size() < kMaxUnsentOutput ? kMaxUnsentOutput - out.size() : 0;
          session_.collect_output(t_plain_out, room);
          t_plain_flat.clear();
          t_plain_out.move_to(t_plain_flat);
          tls_->send(t_plain_flat);
          tls_->take_output(out);
        } else {
          session_.collect_output(out, kMaxUnsentOutput);
        }
        if (ready_.empty()) break;
        drain_ready();
      }
      if (tls_) trim(t_plain_flat);
    }
    in_event_ = false;
    if (!out.empty()) write_now(out);
    if (writing_ || closed_ || !session_.throttled()) break;
    if (round + 1 == kFlushRounds) {
      // The socket keeps taking it: go on in a later turn, after the loop's
      // other connections.
      request_flush();
      return;
    }
  }
  if (!writing_ && !session_.want_read() && !session_.want_write()) close();
}

bool Connection::send_pieces(h2::OutputBuffer& out) { return stream_->write(out, close_reason_); }

void Connection::write_now(h2::OutputBuffer& out) {
  const bool ok = send_pieces(out);
  if (ok && !out.empty()) {
    // The socket is full: this connection keeps the rest (and the body
    // buffers it points into) until the socket drains.
    std::swap(out_, out);
    wait_writable();
  }
  out.clear();
  out.trim(kKeepCapacity);
  if (!ok) close();
}

void Connection::wait_writable() {
  writing_ = true;
  stream_->wait_writable(events());
}

void Connection::on_stream_writable(const asio::error_code& ec) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    if (ec != asio::error::operation_aborted) close();
    return;
  }
  if (!send_pieces(out_)) {
    close();
    return;
  }
  if (!out_.empty()) {
    wait_writable();
    return;
  }
  out_ = h2::OutputBuffer();  // keep nothing while idle
  flush();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  stream_->close();
  if (handshake_timer_) handshake_timer_->cancel();
  if (keepalive_) keepalive_->timer.cancel();
  if (goaway_timer_) goaway_timer_->cancel();
  on_closed();
  request_flush();  // drain what on_closed() made ready
}

}  // namespace pronto::detail
