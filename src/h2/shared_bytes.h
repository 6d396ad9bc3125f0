// h2/shared_bytes.h — an immutable byte string with a reference count, so
// that a stream body can lend its DATA to the connection's output without
// copying: the output keeps the bytes alive until they reached the socket,
// however soon the call that queued them goes away.
//
// Ownership: shared by every handle; the bytes are freed with the last one.
// Threading: one thread (the connection's loop); the count is not atomic.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "pronto/detail/buffer_cache.h"

namespace pronto::h2 {

class SharedBytes {
 public:
  SharedBytes() = default;
  // Adopts `bytes` (no copy: a heap buffer keeps its address).
  explicit SharedBytes(std::string bytes) : rep_(new Rep{1, std::move(bytes)}) {}
  SharedBytes(const SharedBytes& other) noexcept : rep_(other.rep_) {
    if (rep_) ++rep_->refs;
  }
  SharedBytes(SharedBytes&& other) noexcept : rep_(std::exchange(other.rep_, nullptr)) {}
  SharedBytes& operator=(SharedBytes other) noexcept {
    std::swap(rep_, other.rep_);
    return *this;
  }
  ~SharedBytes() { release(); }

  explicit operator bool() const noexcept { return rep_ != nullptr; }
  const char* data() const noexcept { return rep_ ? rep_->bytes.data() : nullptr; }
  std::size_t size() const noexcept { return rep_ ? rep_->bytes.size() : 0; }
  std::size_t use_count() const noexcept { return rep_ ? rep_->refs : 0; }
  void reset() noexcept {
    release();
    rep_ = nullptr;
  }

 private:
  struct Rep {
    std::size_t refs;
    std::string bytes;
  };
  void release() noexcept {
    if (rep_ && --rep_->refs == 0) {
      detail::recycle_if_large(rep_->bytes);  // a sent message's buffer serves the next one
      delete rep_;
    }
  }
  Rep* rep_ = nullptr;
};

}  // namespace pronto::h2
