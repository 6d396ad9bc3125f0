// transport/memory_pipe.h — an in-memory duplex byte pipe between two event
// loops: the transport of in-process channels (Server::in_process_channel).
// No file descriptor, no socket: each direction is a bounded ring buffer.
//
// It behaves like a connected socket pair: a writer that fills the peer's
// buffer is told so (write() stops short) and waits for writability, which
// comes once the reader has taken at least half of it; a reader waiting
// for bytes is woken when they arrive; closing one end lets the other read
// what was already written, then EOF, and fail its writes.
//
// Ownership: each end (PipeStream) is owned by its Connection; the shared
// state lives until both ends are gone. A parked wait holds its owner (the
// connection), as a pending socket wait does, until it completes; closing
// an end completes its parked waits with operation_aborted in a later turn.
// Threading: each end is used on its own loop; the ends may be on two
// different loops (a channel's and a server's). Wakeups cross loops by
// posting (EventLoop::Remote, safe after the peer's loop is gone); the
// buffers are guarded by one mutex per pipe, taken once per read, write or
// wait (per batch, never per byte).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "transport/byte_stream.h"
#include "transport/event_loop.h"

namespace pronto::detail {

struct PipeCore;

class PipeStream final : public ByteStream {
 public:
  PipeStream(std::shared_ptr<PipeCore> core, int side, EventLoop& loop, std::string peer);
  ~PipeStream() override;

  void wait_readable(std::shared_ptr<StreamEvents> owner) override;
  void wait_writable(std::shared_ptr<StreamEvents> owner) override;
  std::size_t read(std::uint8_t* data, std::size_t size, asio::error_code& ec) override;
  bool write(h2::OutputBuffer& out, std::string& error) override;
  void close() override;
  std::string peer() override { return peer_; }

 private:
  std::shared_ptr<PipeCore> core_;
  const int side_;  // 0 or 1: which end of core_
  EventLoop& loop_;
  std::string peer_;
};

class MemoryPipe {
 public:
  // Bytes one direction buffers at most (a socket's buffer is about this).
  static constexpr std::size_t kDefaultCapacity = 256 * 1024;

  // Two connected ends: the first used on loop `a`, the second on loop `b`
  // (the same loop is fine). Both report the peer "inproc:<n>", n counting
  // the pipes made by the process.
  static std::pair<std::unique_ptr<PipeStream>, std::unique_ptr<PipeStream>> create(
      EventLoop& a, EventLoop& b, std::size_t capacity = kDefaultCapacity);

  // The most bytes any pipe of the process has held in one direction (for
  // tests: never above the capacity, however much goes through).
  static std::size_t peak_buffered() noexcept;
  // Pipes whose shared state is alive (for tests: both ends gone frees it).
  static std::size_t live_pipes() noexcept;
};

}  // namespace pronto::detail
