#include "h2/output_buffer.h"

#include <algorithm>
#include <cassert>

namespace pronto::h2 {

void OutputBuffer::append_piece(const void* data, std::size_t size) {
  if (size == 0) return;
  pieces_.push_back(Piece{nullptr, bytes_.size(), size, SharedBytes()});
  bytes_.append(static_cast<const char*>(data), size);
  size_ += size;
  last_is_copy_ = true;
}

void OutputBuffer::append_shared(const SharedBytes& owner, const char* data, std::size_t size) {
  if (size == 0) return;
  assert(data >= owner.data() && data + size <= owner.data() + owner.size());
  size_ += size;
  // The next slice of the same buffer (consecutive DATA frames of one
  // message are separated by copied frame headers, so this is rare).
  if (!last_is_copy_ && pieces_.size() > first_) {
    Piece& last = pieces_.back();
    if (last.data + last.size == data) {
      last.size += size;
      return;
    }
  }
  pieces_.push_back(Piece{data, 0, size, owner});
  last_is_copy_ = false;
}

std::size_t OutputBuffer::gather(iovec* iov, std::size_t max) const {
  std::size_t n = 0;
  for (std::size_t i = first_; i < pieces_.size() && n < max; ++i, ++n) {
    const Piece& p = pieces_[i];
    const std::size_t skip = i == first_ ? first_done_ : 0;
    iov[n].iov_base = const_cast<char*>(piece_data(p) + skip);
    iov[n].iov_len = p.size - skip;
  }
  return n;
}

void OutputBuffer::consume(std::size_t n) {
  assert(n <= size_);
  size_ -= n;
  while (n > 0) {
    Piece& p = pieces_[first_];
    const std::size_t left = p.size - first_done_;
    if (n < left) {
      first_done_ += n;
      return;
    }
    n -= left;
    p.owner.reset();  // the body buffer may go now
    ++first_;
    first_done_ = 0;
  }
  if (size_ == 0) clear();
}

void OutputBuffer::move_to(std::string& out) {
  out.reserve(out.size() + size_);
  for (std::size_t i = first_; i < pieces_.size(); ++i) {
    const Piece& p = pieces_[i];
    const std::size_t skip = i == first_ ? first_done_ : 0;
    out.append(piece_data(p) + skip, p.size - skip);
  }
  clear();
}

void OutputBuffer::clear() noexcept {
  bytes_.clear();  // keeps its capacity: the next turn reuses it
  pieces_.clear();
  first_ = 0;
  first_done_ = 0;
  size_ = 0;
  last_is_copy_ = false;
}

}  // namespace pronto::h2
