#include "h2/outbound_body.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace pronto::h2 {

void OutboundBody::append_behind(std::string&& bytes) {
  const std::size_t n = bytes.size();
  if (n == 0) return;
  // Large ones are queued as they are; small ones are packed behind the
  // queued bytes.
  if (n >= kLendMin || !pack(bytes)) queue_.push_back(Chunk{std::move(bytes), SharedBytes(), 0});
  pending_ += n;
}

bool OutboundBody::pack(std::string_view bytes) {
  Chunk& c = last();
  if (c.shared) return false;  // lent: immutable
  // Growing a buffer copies it: only a small one (a large message is never
  // copied; it may take small ones into its spare capacity).
  if (c.bytes.size() + bytes.size() > c.bytes.capacity() && c.bytes.size() >= kLendMin) return false;
  c.bytes.append(bytes);
  return true;
}

void OutboundBody::take(OutputBuffer& out, std::size_t n) {
  assert(n <= pending_);
  pending_ -= n;
  while (n > 0) {
    Chunk& c = head_;
    const std::size_t k = std::min(n, c.size() - c.offset);
    if (k >= kLendMin) {
      if (!c.shared) {
        c.shared = SharedBytes(std::move(c.bytes));  // a heap buffer: its address stays
        c.bytes.clear();
      }
      out.append_shared(c.shared, c.shared.data() + c.offset, k);
    } else {
      out.append(c.data() + c.offset, k);
    }
    c.offset += k;
    n -= k;
    if (c.offset == c.size()) pop_head();
  }
}

void OutboundBody::read_across(unsigned char* dst, std::size_t n) {
  assert(n <= pending_);
  pending_ -= n;
  while (n > 0) {
    Chunk& c = head_;
    const std::size_t k = std::min(n, c.size() - c.offset);
    std::memcpy(dst, c.data() + c.offset, k);
    dst += k;
    c.offset += k;
    n -= k;
    if (c.offset == c.size()) pop_head();
  }
}

void OutboundBody::next_chunk() {
  head_ = std::move(queue_[queue_head_++]);
  if (queue_head_ == queue_.size()) {
    queue_.clear();
    queue_head_ = 0;
  }
}

void OutboundBody::discard() {
  queue_.clear();
  queue_head_ = 0;
  pending_ = 0;
  pop_head();  // with nothing queued: empties head_
}

}  // namespace pronto::h2
