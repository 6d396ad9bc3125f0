// h2/outbound_body.h — the bytes one stream still has to send, drained by
// the session's data provider: queued DATA bytes, then optional trailers.
//
// Queued buffers are kept as they were handed over, in order: a large one
// (a framed message) is adopted without a copy and later lent to the
// OutputBuffer by reference (it becomes SharedBytes then), so its bytes go
// from the serializer to write() untouched; small ones are packed together
// and copied into the output.
//
// Ownership: owned by the call object of its stream; the Session keeps a
// pointer to it from submit until the stream closes, so it must outlive the
// nghttp2 stream. Bytes lent to an OutputBuffer live on there as long as
// needed. Single thread (the connection's loop).
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "h2/header_block.h"
#include "h2/output_buffer.h"
#include "h2/shared_bytes.h"
#include "pronto/detail/buffer_cache.h"

namespace pronto::h2 {

class OutboundBody {
 public:
  // Buffers of at least this size are queued as they are (never copied);
  // DATA slices of at least this size are lent to the output, not copied.
  static constexpr std::size_t kLendMin = 8 * 1024;

  // Queue bytes to send as DATA: adopted as they are when large or when
  // nothing is queued, else packed behind the queued bytes.
  void append(std::string&& bytes) {
    if (pending_ == 0) {
      // Nothing queued (a unary response): head_ is empty; adopt.
      pending_ = bytes.size();
      head_.bytes = std::move(bytes);
    } else {
      append_behind(std::move(bytes));
    }
  }
  std::size_t pending() const noexcept { return pending_; }
  // Moves the next n pending bytes (n <= pending()) to `out`: slices of at
  // least kLendMin by reference, smaller ones copied.
  void take(OutputBuffer& out, std::size_t n);
  // Copies the next n pending bytes (n <= pending()) to dst.
  void read(unsigned char* dst, std::size_t n) {
    const std::size_t left = head_.size() - head_.offset;
    if (n > left) return read_across(dst, n);
    std::memcpy(dst, head_.data() + head_.offset, n);  // the common case: within the head chunk
    head_.offset += n;
    pending_ -= n;
    if (n == left) pop_head();
  }
  void discard();

  // No more DATA after what is queued. With trailers set, they follow the
  // data in a HEADERS frame that ends the stream; without, the last DATA
  // frame ends it.
  void finish() noexcept { end_ = true; }
  void finish_with_trailers(HeaderBlock trailers) {
    trailers_ = std::move(trailers);
    has_trailers_ = true;
    end_ = true;
  }
  bool ended() const noexcept { return end_; }
  bool has_trailers() const noexcept { return has_trailers_; }
  const HeaderBlock& trailers() const noexcept { return trailers_; }

  // Set by the session: a provider is attached and has deferred.
  bool deferred = false;

 private:
  // One queued buffer: `bytes` until a slice of it is lent, then `shared`.
  struct Chunk {
    std::string bytes;
    SharedBytes shared;
    std::size_t offset = 0;  // bytes already taken
    const char* data() const noexcept { return shared ? shared.data() : bytes.data(); }
    std::size_t size() const noexcept { return shared ? shared.size() : bytes.size(); }
  };
  Chunk& last() noexcept { return queue_.size() > queue_head_ ? queue_.back() : head_; }
  // Appends small bytes to the last chunk when that copies no large buffer.
  bool pack(std::string_view bytes);
  void append_behind(std::string&& bytes);
  void read_across(unsigned char* dst, std::size_t n);
  // The head chunk is done: the next one moves up, or the body is empty.
  void pop_head() {
    if (queue_head_ < queue_.size()) return next_chunk();
    // Drop a lent buffer (the output holds what it needs); keep a small
    // one's capacity for the next message.
    head_.shared.reset();
    if (head_.bytes.capacity() > kKeepCapacity) detail::recycle_buffer(std::move(head_.bytes));
    head_.bytes.clear();
    head_.offset = 0;
  }
  void next_chunk();

  // A drained head chunk keeps its buffer up to this size.
  static constexpr std::size_t kKeepCapacity = 64 * 1024;

  // The chunk being sent, then the queue (from queue_head_). A unary
  // response lives in head_ alone: no allocation for the queue.
  Chunk head_;
  std::vector<Chunk> queue_;
  std::size_t queue_head_ = 0;
  std::size_t pending_ = 0;
  bool end_ = false;
  bool has_trailers_ = false;
  HeaderBlock trailers_;
};

}  // namespace pronto::h2
