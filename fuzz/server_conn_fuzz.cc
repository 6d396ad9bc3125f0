// libFuzzer target: a server connection fed arbitrary client bytes, in
// memory, through the whole stack: transport::Connection, h2::Session
// (nghttp2), ServerConnection/ServerCall, interceptors and the handlers of
// fuzz_service.h (every call kind, no sleeps, no blocking work).
//
// Single-threaded: the server's EventLoop is never started; its io_context
// is polled from the fuzzer thread. Per input: a ServerConnection on one end
// of a socketpair(AF_UNIX); the input is written to the other end (in
// chunks, the loop polled until quiescent after each, the server's output
// drained and discarded), then EOF; the loop is polled until the connection
// is destroyed. Invariants: no crash or sanitizer report, the connection
// (and every call) is gone once the peer has closed, its fd is closed, no
// leaks.
//
// Input layout: byte 0 = flags, byte 1 = chunk size (0: one write), rest =
// the bytes of the client.
//   flags bit 0: prepend the HTTP/2 client preface (seeds set it, so the
//                fuzzer does not have to keep those 24 bytes intact)
//   flags bit 1: server with small limits (1 KiB messages, 2 streams)
//   flags bit 2: the loop has SessionMemory (the shared frame-buffer path)
//   flags bit 3: graceful shutdown (GOAWAY) after the input, before EOF
//   flags bit 4: cancel every call (server shutdown past its grace) before EOF
//   flags bit 5: half-close instead of a full close at the end (the server
//                can still write while it drains)
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "fuzz_service.h"
#include "pronto/detail/buffer_cache.h"
#include "server/server_connection.h"
#include "server/server_impl.h"
#include "transport/event_loop.h"

namespace {

using pronto::detail::Connection;
using pronto::detail::EventLoop;
using pronto::detail::ServerConnection;
using pronto::detail::ServerImpl;

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "server_conn_fuzz: %s\n", what);
  std::abort();
}

struct Env {
  pronto_fuzz::FuzzService service;
  ServerImpl normal{pronto::ServerOptions{.event_loops = 1, .blocking_threads = 1}};
  ServerImpl small{pronto::ServerOptions{.event_loops = 1,
                                         .blocking_threads = 1,
                                         .max_receive_message_size = 1024,
                                         .max_concurrent_streams = 2}};
  EventLoop plain_loop;
  EventLoop memory_loop;

  Env() {
    auto interceptor = std::make_shared<pronto_fuzz::FuzzInterceptor>();
    for (ServerImpl* s : {&normal, &small}) {
      s->add_service(service);
      s->add_interceptor(interceptor);
    }
    memory_loop.enable_session_memory();
    pronto::detail::enable_buffer_cache();
  }
};

Env& env() {
  static Env* e = new Env;  // never destroyed: reachable, not a leak
  return *e;
}

// With PRONTO_FUZZ_DUMP=<file> (debugging a harness or a seed), what the
// server wrote is appended there.
FILE* dump_file() {
  static FILE* f = std::getenv("PRONTO_FUZZ_DUMP") ? std::fopen(std::getenv("PRONTO_FUZZ_DUMP"), "ab") : nullptr;
  return f;
}

// Reads and discards what the server wrote.
void drain(int fd) {
  char buf[64 * 1024];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    if (FILE* f = dump_file()) {
      std::fwrite(buf, 1, static_cast<std::size_t>(n), f);
      std::fflush(f);
    }
  }
}

// Polls the loop (draining the server's output) until nothing more runs.
void settle(asio::io_context& io, int peer) {
  int idle = 0;
  for (int i = 0; i < 200000; ++i) {
    if (io.stopped()) io.restart();
    const std::size_t n = io.poll();
    drain(peer);
    // Twice idle in a row: the drain may have made the socket writable.
    if (n == 0 && ++idle >= 2) return;
    if (n != 0) idle = 0;
  }
  die("loop never went quiet (busy loop?)");
}

void write_all(asio::io_context& io, int peer, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(peer, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      settle(io, peer);  // the server reads (or has stopped reading: then give up below)
      const ssize_t again = ::send(peer, data.data(), data.size(), MSG_NOSIGNAL);
      if (again < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // server stopped reading
      if (again < 0) return;
      data.remove_prefix(static_cast<std::size_t>(again));
    } else {
      return;  // EPIPE etc.: the server closed
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Env& e = env();
  const std::uint8_t flags = data[0];
  const std::size_t chunk = data[1];
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  EventLoop& loop = (flags & 4) ? e.memory_loop : e.plain_loop;
  ServerImpl& server = (flags & 2) ? e.small : e.normal;
  asio::io_context& io = loop.io();

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair");
  const int server_fd = sv[0];
  const int peer = sv[1];
  ::fcntl(peer, F_SETFL, ::fcntl(peer, F_GETFL) | O_NONBLOCK);

  EventLoop::set_current(&loop);
  std::weak_ptr<ServerConnection> weak;
  {
    Connection::Socket socket(io, asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), server_fd);
    auto conn = std::make_shared<ServerConnection>(server, loop, std::move(socket), nullptr);
    weak = conn;
    conn->start();
  }
  settle(io, peer);

  if (flags & 1) write_all(io, peer, kPreface);
  while (!input.empty()) {
    const std::size_t n = chunk == 0 ? input.size() : std::min(chunk, input.size());
    write_all(io, peer, input.substr(0, n));
    input.remove_prefix(n);
    settle(io, peer);
  }

  if (flags & (8 | 16)) {
    if (auto conn = weak.lock()) {
      if (flags & 8) conn->begin_shutdown();
      if (flags & 16) conn->abort_calls();
    }
    settle(io, peer);
  }

  // The client goes away: every call must end and the connection be freed.
  if (flags & 32) {
    ::shutdown(peer, SHUT_WR);
    settle(io, peer);
  }
  ::close(peer);
  for (int i = 0; i < 100 && !weak.expired(); ++i) settle(io, -1);
  if (!weak.expired()) die("connection still alive after the peer closed (leaked calls or connection)");
  if (::fcntl(server_fd, F_GETFD) != -1) die("connection destroyed but its socket is still open");
  EventLoop::set_current(nullptr);
  return 0;
}
