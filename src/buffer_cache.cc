// The per-thread cache behind pronto/detail/buffer_cache.h.
#include "pronto/detail/buffer_cache.h"

#include <array>
#include <cstring>
#include <utility>

namespace pronto::detail {

namespace {

constexpr std::size_t kMinCached = kCachedBufferMin;
// Buffers for messages above the default 4 MiB receive limit are not kept.
constexpr std::size_t kMaxCached = 4 * 1024 * 1024 + 64 * 1024;
// At most this many buffers and bytes per thread: the buffers a call cycles
// through (its request, its framed response) for a few calls in flight.
// After a burst of large messages a loop thread keeps at most this much.
constexpr std::size_t kMaxBuffers = 8;
constexpr std::size_t kMaxBytes = 16 * 1024 * 1024;

class BufferCache {
 public:
  bool enabled = false;

  std::string take(std::size_t capacity) {
    std::size_t best = count_;
    for (std::size_t i = 0; i < count_; ++i) {
      if (buffers_[i].capacity() >= capacity &&
          (best == count_ || buffers_[i].capacity() < buffers_[best].capacity())) {
        best = i;
      }
    }
    if (best == count_) return std::string();
    std::string s = std::move(buffers_[best]);
    if (best != --count_) buffers_[best] = std::move(buffers_[count_]);
    bytes_ -= s.capacity();
    return s;
  }

  void give(std::string&& s) noexcept {
    const std::size_t cap = s.capacity();
    if (!enabled || cap < kMinCached || cap > kMaxCached) return;  // freed by the caller
    // Full: a larger buffer replaces the smallest one (large ones are the
    // costly ones to map afresh); else this one goes.
    while (count_ == kMaxBuffers || bytes_ + cap > kMaxBytes) {
      std::size_t smallest = 0;
      for (std::size_t i = 1; i < count_; ++i) {
        if (buffers_[i].capacity() < buffers_[smallest].capacity()) smallest = i;
      }
      if (count_ == 0 || buffers_[smallest].capacity() >= cap) return;
      bytes_ -= buffers_[smallest].capacity();
      std::string().swap(buffers_[smallest]);
      if (smallest != --count_) buffers_[smallest] = std::move(buffers_[count_]);
    }
    bytes_ += cap;
    buffers_[count_++] = std::move(s);
  }

 private:
  std::array<std::string, kMaxBuffers> buffers_;
  std::size_t count_ = 0;
  std::size_t bytes_ = 0;
};

thread_local BufferCache t_cache;

}  // namespace

std::string take_buffer(std::size_t capacity) {
  if (!t_cache.enabled || capacity < kMinCached) return std::string();
  std::string s = t_cache.take(capacity);
  s.clear();
  return s;
}

void resize_buffer(std::string& s, std::size_t size) {
  if (size > s.capacity() && size >= kMinCached && t_cache.enabled) {
    std::string cached = t_cache.take(size);
    if (cached.capacity() >= size) {
      // Keep s's bytes at the front; past them, the cached buffer's old
      // bytes stay (no zeroing) as long as it held at least `size`.
      if (cached.size() < s.size()) cached.resize(s.size());
      std::memcpy(cached.data(), s.data(), s.size());
      cached.resize(size);
      s.swap(cached);
      return;
    }
    s.reserve(cached_capacity(size));  // cacheable once given back
  }
  s.resize(size);
}

void recycle_buffer(std::string&& s) noexcept {
  t_cache.give(std::move(s));
  std::string().swap(s);  // what was not kept is freed here
}

void enable_buffer_cache() noexcept { t_cache.enabled = true; }

}  // namespace pronto::detail
