// call/stream_pipe.h — the message pipe of one call, shared by client and
// server: the inbound half turns received DATA into messages (deframe,
// decompress, count, queue, hand to a waiting reader) and decides when the
// stream's window may reopen; the outbound half frames, compresses and
// queues messages on the stream's body and paces the writer.
//
// Sans-I/O: the pipe never touches the session or resumes anyone. Methods
// that complete a waiting operation return it; the call resumes it its own
// way (the server on its connection's ready queue, the client on the loop
// the operation came from) and applies window credit to the session.
// Ownership: owned by its call. Ops are owned by the awaiting coroutines and
// only referenced while pending. Threading: the call's loop only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "h2/outbound_body.h"
#include "pronto/compression.h"
#include "pronto/detail/call_core.h"
#include "pronto/status.h"
#include "wire/deframer.h"
#include "wire/message_queue.h"

namespace pronto::call {

class InboundPipe {
 public:
  explicit InboundPipe(std::size_t max_message_size) : deframer_(max_message_size) {}

  // grpc-encoding of the messages that arrive compressed.
  void set_encoding(Compression c) noexcept { encoding_ = c; }
  // Exactly one message is due (unary request or response): a second one
  // fails the call with INTERNAL (a cardinality violation, as grpc-go).
  // `what` names it in the error ("request", "response").
  void expect_one(const char* what) noexcept {
    expect_one_ = true;
    what_ = what;
  }

  // DATA bytes arrived. Counted for the window, then deframed; every whole
  // message is decompressed and queued. Non-OK (INTERNAL, RESOURCE_EXHAUSTED)
  // when the bytes are not a valid message stream: the call fails with it.
  Status receive(const std::uint8_t* data, std::size_t size);
  // DATA bytes arrived for a call that is over: only counted for the window.
  void discard(std::size_t size) noexcept { unconsumed_ += size; }

  // A read starts: completes at once from the queue (true, op.message set),
  // or waits (false) for deliver().
  bool start_read(detail::ReadOp& op);
  // Hands the next queued message to the waiting reader, if both exist;
  // returns the completed op (to resume) or nullptr.
  detail::ReadOp* deliver();
  // The stream ended (or the call is over): a waiting reader gets nullopt;
  // returns it (to resume) or nullptr. Queued messages stay readable.
  detail::ReadOp* end();
  bool reading() const noexcept { return reader_ != nullptr; }
  // The next queued message without a reader (a unary response), if any.
  std::optional<std::string> take_message();

  // Window credit due now: the received bytes not yet credited, unless the
  // reader is behind (more than one message waiting unread: the peer must
  // wait). Resets the count when it returns non-zero.
  std::size_t take_credit() noexcept;
  std::size_t uncredited() const noexcept { return unconsumed_; }

  bool at_message_boundary() const noexcept { return deframer_.at_message_boundary(); }
  std::uint32_t messages_received() const noexcept { return received_; }
  // Message bytes received as they came (compressed; no prefix), for metrics.
  std::uint64_t bytes_received() const noexcept { return received_bytes_; }
  bool queued() const noexcept { return !queue_.empty(); }
  // Memory held: the partial message at its declared length plus the
  // queued messages (for memory budgets).
  std::size_t footprint() const noexcept { return deframer_.partial_length() + queue_.bytes(); }
  // Drops the queued messages (still counted for the window).
  void drop_queued() noexcept {
    while (!queue_.empty()) queue_.pop();
  }
  // Drops everything buffered; later DATA fails with `why`.
  void abandon(Status why);
  std::size_t max_message_size() const noexcept { return deframer_.max_message_size(); }

 private:
  wire::Deframer deframer_;
  wire::MessageQueue queue_;
  detail::ReadOp* reader_ = nullptr;
  std::size_t unconsumed_ = 0;
  std::uint32_t received_ = 0;
  std::uint64_t received_bytes_ = 0;
  Compression encoding_ = Compression::identity;
  bool expect_one_ = false;
  const char* what_ = "message";
};

class OutboundPipe {
 public:
  // A writer is suspended once this much is queued on its stream.
  static constexpr std::size_t kMaxQueuedBytes = 256 * 1024;

  // grpc-encoding of this side's messages (set before the first write).
  void set_encoding(Compression c) noexcept { encoding_ = c; }
  Compression encoding() const noexcept { return encoding_; }

  // Frames one message (in place when serialized behind a reserved prefix;
  // compressed when `compress` and the call has an encoding) and queues it.
  void queue(std::string&& message, bool prefix_reserved, bool compress);
  // After queue(): the write completes at once (true) while no more than
  // `bound` bytes wait on the stream; else it waits (false) for drained().
  bool admit(detail::WriteOp& op, std::size_t bound);
  // The body drained: the waiting writer, if it may go on now (op.ok set);
  // returns it (to resume) or nullptr.
  detail::WriteOp* drained(std::size_t bound);
  // The call is over: the waiting writer fails (op.ok false); returns it or
  // nullptr.
  detail::WriteOp* fail_writer();

  std::size_t pending() const noexcept { return body_.pending(); }
  // Messages queued and their bytes as framed (compressed; no prefix), for
  // metrics.
  std::uint32_t messages_sent() const noexcept { return sent_; }
  std::uint64_t bytes_sent() const noexcept { return sent_bytes_; }
  h2::OutboundBody& body() noexcept { return body_; }

 private:
  h2::OutboundBody body_;
  detail::WriteOp* writer_ = nullptr;
  std::uint32_t sent_ = 0;
  std::uint64_t sent_bytes_ = 0;
  Compression encoding_ = Compression::identity;
};

}  // namespace pronto::call
