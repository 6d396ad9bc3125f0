// wire/deframer.h — incremental gRPC length-prefixed message parser.
//
// Input: the bytes of one direction of one stream, in DATA-frame-sized chunks
// of any size. Output: whole messages (compressed flag + payload), each
// copied once from the input into a buffer of its exact length (see
// deframer.cc for when that buffer is reserved).
// Ownership: the Deframer owns the partial message it buffers. Single thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pronto/status.h"

namespace pronto::wire {

inline constexpr std::size_t kFrameHeaderSize = 5;
inline constexpr std::size_t kDefaultMaxMessageSize = 4 * 1024 * 1024;

struct Message {
  bool compressed = false;
  std::string payload;
};

class Deframer {
 public:
  explicit Deframer(std::size_t max_message_size = kDefaultMaxMessageSize) : max_(max_message_size) {}

  // Consumes all of [data, data+size), appending every completed message to
  // `out`. Returns non-OK (and stays failed: later feeds return the same
  // status) when a header declares a length above the limit
  // (RESOURCE_EXHAUSTED, detected from the 5-byte header alone, before any of
  // the payload is buffered) or has a flag byte other than 0 or 1 (INTERNAL).
  // Messages completed earlier in the same call are still appended.
  Status feed(const std::uint8_t* data, std::size_t size, std::vector<Message>& out);
  Status feed(std::string_view bytes, std::vector<Message>& out) {
    return feed(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), out);
  }

  // True when no partial message is buffered (a stream may end here cleanly).
  bool at_message_boundary() const noexcept { return header_have_ == 0 && !in_payload_; }
  // Bytes currently buffered for the partial message (header + payload so far).
  std::size_t buffered_bytes() const noexcept { return header_have_ + payload_.size(); }
  // Memory reserved for the partial payload (at least its buffered bytes).
  std::size_t reserved_bytes() const noexcept { return in_payload_ ? payload_.capacity() : 0; }
  // What the partial message commits once whole: its declared length (or
  // the buffer reserved for it, if larger); 0 between messages.
  std::size_t partial_length() const noexcept {
    return in_payload_ ? std::max(payload_.size() + need_, payload_.capacity()) : 0;
  }
  // Drops the partial message and fails: later feeds return `why`.
  void abandon(Status why);
  std::size_t max_message_size() const noexcept { return max_; }
  void set_max_message_size(std::size_t max) noexcept { max_ = max; }

 private:
  // The partial payload outgrew its buffer: move it to one of `total` bytes.
  void enlarge(std::size_t total);

  std::size_t max_;
  std::uint8_t header_[kFrameHeaderSize]{};
  std::size_t header_have_ = 0;
  bool in_payload_ = false;
  bool compressed_ = false;
  std::size_t need_ = 0;  // payload bytes still missing
  std::string payload_;
  Status failed_;
};

// Appends the 5-byte prefix and the payload to `out`.
void append_frame(std::string& out, std::string_view payload, bool compressed = false);
// Writes the 5-byte prefix for a payload of `length` bytes at `dst`.
inline void write_frame_header(std::uint8_t* dst, std::uint32_t length, bool compressed = false) noexcept {
  dst[0] = compressed ? 1 : 0;
  dst[1] = static_cast<std::uint8_t>(length >> 24);
  dst[2] = static_cast<std::uint8_t>(length >> 16);
  dst[3] = static_cast<std::uint8_t>(length >> 8);
  dst[4] = static_cast<std::uint8_t>(length);
}

}  // namespace pronto::wire
