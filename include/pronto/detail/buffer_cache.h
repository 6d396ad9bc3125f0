// pronto/detail/buffer_cache.h — large message buffers reused per event-loop
// thread. A MiB-sized message that goes through malloc gets freshly mapped
// memory (glibc maps such blocks, or trims the heap once they are freed), so
// every call pays a page fault per 4 KiB; a buffer kept and reused is warm.
//
// Only event-loop threads cache, and only a few buffers (see
// buffer_cache.cc); elsewhere these are plain allocations and frees. A
// buffer may be given back on another thread than the one it came from: it
// joins that thread's cache, if any.
// Threading: every function acts on the calling thread's cache only.
#pragma once

#include <cstddef>
#include <string>

namespace pronto::detail {

// Buffers below this capacity are never cached (malloc serves them well).
inline constexpr std::size_t kCachedBufferMin = 64 * 1024;

// The capacity to allocate for a buffer of `size` bytes that may be
// cached: rounded up to 16 KiB, so that buffers of nearby sizes (a request
// and its framed response) can stand in for each other.
inline constexpr std::size_t cached_capacity(std::size_t size) noexcept {
  constexpr std::size_t kStep = 16 * 1024;
  return size < kCachedBufferMin ? size : (size + kStep - 1) / kStep * kStep;
}

// A cached buffer of capacity >= `capacity`, emptied (size 0); an empty
// string with no capacity when the cache has none.
std::string take_buffer(std::size_t capacity);
// Makes `s` hold `size` bytes, keeping its bytes up to its old size. Bytes
// past the old size are unspecified: a large `s` may be swapped for a cached
// buffer, which is not zeroed first.
void resize_buffer(std::string& s, std::size_t size);
// Keeps `s` for reuse if it is large and the cache has room; else frees it.
void recycle_buffer(std::string&& s) noexcept;
// recycle_buffer for buffers that may be cached; small ones are left alone.
inline void recycle_if_large(std::string& s) noexcept {
  if (s.capacity() >= kCachedBufferMin) recycle_buffer(std::move(s));
}
// Turns the cache on for the calling thread (event loops do, at start).
void enable_buffer_cache() noexcept;

}  // namespace pronto::detail
