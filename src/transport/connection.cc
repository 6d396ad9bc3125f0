#include "transport/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <array>
#include <asio/bind_allocator.hpp>
#include <asio/write.hpp>

#include "transport/address.h"

namespace pronto::detail {

namespace {
// One read buffer per loop thread: reads complete synchronously after a
// readiness wait, so connections never hold it across turns.
thread_local std::array<std::uint8_t, 64 * 1024> t_read_buffer;
thread_local std::string t_plaintext;  // decrypted input of one read
thread_local std::string t_plain_out;  // session output before encryption
// Everything one flush produces. Usually the socket takes it all at once,
// so connections keep no output buffer (nor its capacity) between turns.
thread_local std::string t_out;
// Past this, a loop's output buffers are given back after use.
constexpr std::size_t kKeepCapacity = 4 << 20;

void trim(std::string& buffer) {
  if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
}
}  // namespace

Connection::Connection(EventLoop& loop, Socket socket, h2::Session::Role role,
                       const h2::SessionSettings& settings, std::unique_ptr<TlsFilter> tls)
    : loop_(loop),
      socket_(std::move(socket)),
      session_(role, *this, settings, role == h2::Session::Role::server ? loop.session_memory() : nullptr),
      tls_(std::move(tls)) {
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  const auto family = socket_.local_endpoint(ec).protocol().family();
  if (!ec && family != AF_UNIX) {
    // TCP_NODELAY: small gRPC frames must not wait for Nagle.
    int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
}

Connection::~Connection() = default;

void Connection::find_peer() {
  asio::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  peer_ = ec ? "unknown" : peer_string(ep);
}

void Connection::start(std::chrono::milliseconds handshake_timeout) {
  if (tls_) {
    handshake_timer_ = std::make_unique<asio::steady_timer>(loop_.io(), handshake_timeout);
    handshake_timer_->async_wait([self = shared_from_this()](const asio::error_code& ec) {
      if (ec || self->tls_->handshake_done()) return;
      self->close_reason_ = "TLS handshake timed out";
      self->close();
    });
  }
  flush();
  wait_readable();
}

void Connection::wait_readable() {
  if (closed_) return;
  socket_.async_wait(
      Socket::wait_read,
      asio::bind_allocator(wait_memory_.allocator(), [self = shared_from_this()](const asio::error_code& ec) {
        if (ec) {
          if (ec != asio::error::operation_aborted) self->close();
          return;
        }
        self->on_readable();
      }));
}

void Connection::on_readable() {
  in_event_ = true;
  bool more = true;
  // Read until the socket is drained (bounded, to stay fair to other
  // connections of the loop).
  for (int round = 0; round < 16 && more && !closed_; ++round) {
    asio::error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(t_read_buffer), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec || n == 0) {
      // Peer closed or error: flush what we can, then close.
      if (close_reason_.empty()) close_reason_ = ec ? ec.message() : "connection closed by the peer";
      in_event_ = false;
      drain_ready();
      close();
      return;
    }
    if (!receive(t_read_buffer.data(), n)) {
      // Protocol or TLS error: send what is queued (GOAWAY, alert); close.
      more = false;
    }
    on_input_processed();
    drain_ready();
    more = more && n == t_read_buffer.size();
  }
  in_event_ = false;
  flush();
  if (!closed_ && session_.want_read()) wait_readable();
}

bool Connection::receive(const std::uint8_t* data, std::size_t size) {
  if (!tls_) return session_.receive(data, size);
  t_plaintext.clear();
  const bool was_done = tls_->handshake_done();
  Status st = tls_->receive(data, size, t_plaintext);
  if (!st.ok()) {
    // Handshake failure (no ALPN h2, bad certificate, not TLS at all):
    // send any alert, then close.
    close_reason_ = st.message();
    session_.terminate(0);
    return false;
  }
  if (!was_done && tls_->handshake_done()) {
    peer_identity_ = tls_->peer_identity();
    if (handshake_timer_) handshake_timer_->cancel();
  }
  return t_plaintext.empty() ||
         session_.receive(reinterpret_cast<const std::uint8_t*>(t_plaintext.data()), t_plaintext.size());
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
  in_event_ = true;
  drain_ready();
  if (closed_) {
    in_event_ = false;
    return;
  }
  if (!writing_) {
    // Nothing of ours is waiting for the socket (out_ is empty): collect
    // into the loop's buffer. Collecting may run data providers, which may
    // make writers ready.
    std::string& out = t_out;
    out.clear();
    for (;;) {
      if (tls_) {
        t_plain_out.clear();
        session_.collect_output(t_plain_out);
        tls_->send(t_plain_out);
        tls_->take_output(out);
      } else {
        session_.collect_output(out);
      }
      if (ready_.empty()) break;
      drain_ready();
    }
    if (tls_) trim(t_plain_out);
    in_event_ = false;
    if (!out.empty()) write_now(out);
  }
  in_event_ = false;
  if (!writing_ && !session_.want_read() && !session_.want_write()) close();
}

void Connection::write_now(std::string& out) {
  asio::error_code ec;
  const std::size_t n = socket_.write_some(asio::buffer(out), ec);
  const bool failed = ec && ec != asio::error::would_block && ec != asio::error::try_again;
  if (!failed && n < out.size()) {
    // The socket is full: keep the rest until it drains.
    out_.assign(out, n);
    write_rest();
  }
  out.clear();
  trim(out);
  if (failed) close();
}

void Connection::write_rest() {
  writing_ = true;
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this()](const asio::error_code& ec, std::size_t) {
                      self->writing_ = false;
                      std::string().swap(self->out_);
                      if (ec) {
                        self->close();
                        return;
                      }
                      self->flush();
                    });
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  socket_.shutdown(Socket::shutdown_both, ec);
  socket_.close(ec);
  if (handshake_timer_) handshake_timer_->cancel();
  on_closed();
  request_flush();  // drain what on_closed() made ready
}

}  // namespace pronto::detail
