#include "transport/byte_stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <asio/bind_allocator.hpp>
#include <cerrno>
#include <system_error>

#include "transport/address.h"

namespace pronto::detail {

namespace {
// Pieces (iovecs) per sendmsg(): a MiB of DATA in 16 KiB frames is 128.
constexpr std::size_t kMaxWritePieces = 256;
}  // namespace

SocketStream::SocketStream(Socket socket) : socket_(std::move(socket)) {
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  const auto family = socket_.local_endpoint(ec).protocol().family();
  if (!ec && family != AF_UNIX) {
    // TCP_NODELAY: small gRPC frames must not wait for Nagle.
    int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
}

void SocketStream::wait_readable(std::shared_ptr<StreamEvents> owner) {
  socket_.async_wait(Socket::wait_read,
                     asio::bind_allocator(wait_memory_.allocator(),
                                          [owner = std::move(owner)](const asio::error_code& ec) {
                                            owner->on_stream_readable(ec);
                                          }));
}

void SocketStream::wait_writable(std::shared_ptr<StreamEvents> owner) {
  socket_.async_wait(Socket::wait_write, [owner = std::move(owner)](const asio::error_code& ec) {
    owner->on_stream_writable(ec);
  });
}

std::size_t SocketStream::read(std::uint8_t* data, std::size_t size, asio::error_code& ec) {
  std::size_t n = socket_.read_some(asio::buffer(data, size), ec);
  if (ec == asio::error::try_again) ec = asio::error::would_block;
  return n;
}

bool SocketStream::write(h2::OutputBuffer& out, std::string& error) {
  // One sendmsg() per up to kMaxWritePieces pieces (frame headers and
  // control frames copied together, DATA payload straight from the bodies),
  // until everything is written or the socket is full.
  while (!out.empty()) {
    iovec iov[kMaxWritePieces];
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = out.gather(iov, kMaxWritePieces);
    const ssize_t n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (error.empty()) error = std::error_code(errno, std::system_category()).message();
      return false;
    }
    out.consume(static_cast<std::size_t>(n));
  }
  return true;
}

void SocketStream::close() {
  asio::error_code ec;
  socket_.shutdown(Socket::shutdown_both, ec);
  socket_.close(ec);
}

std::string SocketStream::peer() {
  asio::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  return ec ? "unknown" : peer_string(ep);
}

}  // namespace pronto::detail
