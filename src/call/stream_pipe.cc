#include "call/stream_pipe.h"

#include <utility>
#include <vector>

#include "wire/compression.h"
#include "wire/framer.h"

namespace pronto::call {

static_assert(detail::kFramePrefixSize == wire::kFrameHeaderSize);

// ---- inbound ----------------------------------------------------------------

Status InboundPipe::receive(const std::uint8_t* data, std::size_t size) {
  unconsumed_ += size;
  // Scratch shared by the loop's calls: filled and emptied within this call.
  thread_local std::vector<wire::Message> scratch;
  scratch.clear();
  Status st = deframer_.feed(data, size, scratch);
  for (auto& m : scratch) {
    received_bytes_ += m.payload.size();
    if (m.compressed) {
      if (encoding_ == Compression::identity) {
        st = Status::internal("compressed message without grpc-encoding");
        break;
      }
      auto plain = wire::decompress(encoding_, m.payload, deframer_.max_message_size());
      if (!plain) {
        st = plain.status();
        break;
      }
      m.payload = std::move(*plain);
    }
    if (++received_ > 1 && expect_one_) [[unlikely]] {
      st = Status::internal(std::string("cardinality violation: more than one ") + what_ +
                            " message where exactly one is due");
      break;
    }
    queue_.push(std::move(m));
  }
  scratch.clear();
  return st;
}

bool InboundPipe::start_read(detail::ReadOp& op) {
  if (queue_.empty()) {
    reader_ = &op;
    return false;
  }
  wire::Message m = queue_.pop();
  op.message = std::move(m.payload);
  op.compressed = m.compressed;
  return true;
}

detail::ReadOp* InboundPipe::deliver() {
  if (!reader_ || queue_.empty()) return nullptr;
  detail::ReadOp* op = std::exchange(reader_, nullptr);
  wire::Message m = queue_.pop();
  op->message = std::move(m.payload);
  op->compressed = m.compressed;
  return op;
}

detail::ReadOp* InboundPipe::end() {
  if (!reader_ || !queue_.empty()) return deliver();
  detail::ReadOp* op = std::exchange(reader_, nullptr);
  op->message.reset();
  return op;
}

std::optional<std::string> InboundPipe::take_message() {
  if (queue_.empty()) return std::nullopt;
  return queue_.pop().payload;
}

std::size_t InboundPipe::take_credit() noexcept {
  // Reopen the window only while the reader keeps up: with a message
  // already waiting unread, the peer must wait.
  if (unconsumed_ == 0 || queue_.size() > 1) return 0;
  return std::exchange(unconsumed_, 0);
}

void InboundPipe::abandon(Status why) {
  deframer_.abandon(std::move(why));
  while (!queue_.empty()) queue_.pop();
}

// ---- outbound ---------------------------------------------------------------

void OutboundPipe::queue(std::string&& message, bool prefix_reserved, bool compress) {
  // A message serialized behind room for the prefix is framed in place and
  // queued as it is: no copy on its way to the socket.
  wire::frame_message(message, prefix_reserved, compress ? encoding_ : Compression::identity);
  ++sent_;
  sent_bytes_ += message.size() - detail::kFramePrefixSize;
  body_.append(std::move(message));
}

bool OutboundPipe::admit(detail::WriteOp& op, std::size_t bound) {
  if (body_.pending() <= bound) {
    op.ok = true;
    return true;
  }
  writer_ = &op;
  return false;
}

detail::WriteOp* OutboundPipe::drained(std::size_t bound) {
  if (!writer_ || body_.pending() > bound) return nullptr;
  writer_->ok = true;
  return std::exchange(writer_, nullptr);
}

detail::WriteOp* OutboundPipe::fail_writer() {
  if (!writer_) return nullptr;
  writer_->ok = false;
  return std::exchange(writer_, nullptr);
}

}  // namespace pronto::call
