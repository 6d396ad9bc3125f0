// transport/byte_stream.h — what a Connection reads from and writes to: a
// non-blocking byte stream with readiness waits. Two kinds: SocketStream
// (a connected stream socket, below) and PipeStream (one end of an
// in-memory duplex pipe, transport/memory_pipe.h, for in-process channels).
//
// The interface is per batch, not per byte: one wait per readiness, one
// read() per chunk of up to 256 KiB, one write() per flush (the session's
// OutputBuffer, gathered). Waits complete on the stream's loop, never
// inline, by calling the owner's StreamEvents.
//
// Ownership: owned by its Connection (unique_ptr); a pending wait holds a
// reference to the owner (StreamEvents), which keeps the connection alive
// while it waits, as a pending socket operation does.
// Threading: the owning loop only (the destructor may run elsewhere).
#pragma once

#include <cstddef>  // before asio: see transport/event_loop.h

#include <asio/basic_stream_socket.hpp>
#include <asio/error_code.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "h2/output_buffer.h"
#include "pronto/status.h"
#include "transport/handler_memory.h"

namespace pronto::detail {

// What a stream reports to (the Connection). Called on the stream's loop.
class StreamEvents {
 public:
  // Readable (or at EOF, or failed: `ec`). operation_aborted: the stream
  // was closed while waiting.
  virtual void on_stream_readable(const asio::error_code& ec) = 0;
  // Writable again (or failed: `ec`, as above).
  virtual void on_stream_writable(const asio::error_code& ec) = 0;

 protected:
  ~StreamEvents() = default;
};

class ByteStream {
 public:
  virtual ~ByteStream() = default;

  // One wait of each kind at a time. `owner` is kept until the wait
  // completes (or the stream closes).
  virtual void wait_readable(std::shared_ptr<StreamEvents> owner) = 0;
  virtual void wait_writable(std::shared_ptr<StreamEvents> owner) = 0;
  // Reads up to `size` bytes. Nothing there yet: 0 and ec = would_block.
  // The peer closed (and everything it sent was read): 0 and ec = eof.
  virtual std::size_t read(std::uint8_t* data, std::size_t size, asio::error_code& ec) = 0;
  // Writes from the front of `out` until it is empty or the stream is full,
  // consuming what was written. False on error, with `error` set (if empty).
  virtual bool write(h2::OutputBuffer& out, std::string& error) = 0;
  // Closes at once. Pending waits complete with operation_aborted in a
  // later turn (keeping their owner alive until then).
  virtual void close() = 0;
  // The peer, e.g. "ipv4:127.0.0.1:5000", "unix:/path", "inproc:3".
  virtual std::string peer() = 0;
};

// A connected stream socket (TCP or unix). The socket path as it always
// was: readiness waits with no allocation, read(), sendmsg() of the pieces.
class SocketStream final : public ByteStream {
 public:
  // Bound to io_context's own executor rather than any_io_executor: 48 bytes
  // less in every connection and in every pending operation on it.
  using Socket = asio::basic_stream_socket<asio::generic::stream_protocol, asio::io_context::executor_type>;

  // Makes the socket non-blocking; TCP sockets get TCP_NODELAY.
  explicit SocketStream(Socket socket);

  void wait_readable(std::shared_ptr<StreamEvents> owner) override;
  void wait_writable(std::shared_ptr<StreamEvents> owner) override;
  std::size_t read(std::uint8_t* data, std::size_t size, asio::error_code& ec) override;
  bool write(h2::OutputBuffer& out, std::string& error) override;
  void close() override;
  std::string peer() override;

 private:
  Socket socket_;
  // The readiness wait for reading (one at a time; an idle connection always
  // has one).
  HandlerMemory<96> wait_memory_;
};

class EventLoop;

// Opens a connection's byte stream without a socket (called on the client
// loop it will run on): in-process channels (Server::in_process_channel).
using StreamConnector = std::function<Result<std::unique_ptr<ByteStream>>(EventLoop&)>;

}  // namespace pronto::detail
