// detail::take_buffer / resize_buffer / recycle_buffer: large buffers reused
// on threads that enabled the cache, never elsewhere. Each test runs on a
// thread of its own (the cache is per thread).
#include "pronto/detail/buffer_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "wire/deframer.h"

namespace pronto::detail {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

template <class F>
void on_fresh_thread(F f) {
  std::thread(f).join();
}

std::string large(std::size_t n, char c) { return std::string(n, c); }

TEST(BufferCache, off_by_default_nothing_is_kept) {
  on_fresh_thread([] {
    std::string s = large(kMiB, 'a');
    recycle_buffer(std::move(s));
    EXPECT_EQ(s.capacity(), std::string().capacity());  // freed
    EXPECT_EQ(take_buffer(kMiB).capacity(), std::string().capacity());
  });
}

TEST(BufferCache, a_recycled_buffer_is_taken_again_emptied) {
  on_fresh_thread([] {
    enable_buffer_cache();
    std::string s = large(kMiB, 'a');
    const char* where = s.data();
    recycle_buffer(std::move(s));
    std::string t = take_buffer(kMiB - 100);
    EXPECT_EQ(t.data(), where);
    EXPECT_TRUE(t.empty());
    EXPECT_GE(t.capacity(), kMiB);
    EXPECT_EQ(take_buffer(kMiB).capacity(), std::string().capacity());  // it was the only one
  });
}

TEST(BufferCache, take_picks_the_smallest_buffer_that_fits) {
  on_fresh_thread([] {
    enable_buffer_cache();
    std::string big = large(3 * kMiB, 'b'), mid = large(2 * kMiB, 'm'), small = large(kMiB, 's');
    const char* mid_at = mid.data();
    for (auto* s : {&big, &mid, &small}) recycle_buffer(std::move(*s));
    EXPECT_EQ(take_buffer(kMiB + 1).data(), mid_at);
    EXPECT_EQ(take_buffer(4 * kMiB).capacity(), std::string().capacity());  // none that large
  });
}

TEST(BufferCache, small_buffers_are_not_kept) {
  on_fresh_thread([] {
    enable_buffer_cache();
    std::string s = large(kCachedBufferMin - 1, 'x');
    s.shrink_to_fit();
    recycle_buffer(std::move(s));
    EXPECT_EQ(take_buffer(1).capacity(), std::string().capacity());
    EXPECT_EQ(take_buffer(kCachedBufferMin).capacity(), std::string().capacity());
  });
}

TEST(BufferCache, when_full_larger_buffers_replace_the_smallest) {
  on_fresh_thread([] {
    enable_buffer_cache();
    // Fill the cache with small-but-cacheable buffers, then offer large ones.
    for (int i = 0; i < 64; ++i) recycle_buffer(large(kCachedBufferMin, 'f'));
    std::string big = large(kMiB, 'g');
    const char* big_at = big.data();
    recycle_buffer(std::move(big));
    EXPECT_EQ(take_buffer(kMiB).data(), big_at);
    recycle_buffer(large(kCachedBufferMin, 'f'));  // full again
    // No larger than anything cached: dropped.
    std::string same = large(kCachedBufferMin, 't');
    const char* same_at = same.data();
    recycle_buffer(std::move(same));
    for (int i = 0; i < 64; ++i) {
      std::string t = take_buffer(kCachedBufferMin);
      if (t.capacity() < kCachedBufferMin) break;
      EXPECT_NE(t.data(), same_at);
    }
  });
}

TEST(BufferCache, resize_keeps_the_prefix_and_reuses_a_cached_buffer) {
  on_fresh_thread([] {
    enable_buffer_cache();
    std::string old = large(kMiB + 50, 'o');
    const char* old_at = old.data();
    recycle_buffer(std::move(old));
    std::string s = "12345";
    resize_buffer(s, kMiB);
    EXPECT_EQ(s.data(), old_at);  // no fresh allocation
    EXPECT_EQ(s.size(), kMiB);
    EXPECT_EQ(s.substr(0, 5), "12345");
  });
}

TEST(BufferCache, resize_without_a_cached_buffer_allocates_a_rounded_capacity) {
  on_fresh_thread([] {
    enable_buffer_cache();
    std::string s = "12345";
    resize_buffer(s, kMiB + 3);
    EXPECT_EQ(s.size(), kMiB + 3);
    EXPECT_EQ(s.substr(0, 5), "12345");
    EXPECT_GE(s.capacity(), cached_capacity(kMiB + 3));
  });
}

TEST(BufferCache, resize_of_small_sizes_is_a_plain_resize) {
  std::string s = "ab";
  resize_buffer(s, 10);
  EXPECT_EQ(s, std::string("ab\0\0\0\0\0\0\0\0", 10));
}

TEST(BufferCache, cached_capacity_rounds_large_sizes_to_16_KiB) {
  EXPECT_EQ(cached_capacity(100), 100u);
  EXPECT_EQ(cached_capacity(kCachedBufferMin), kCachedBufferMin);
  EXPECT_EQ(cached_capacity(kCachedBufferMin + 1), kCachedBufferMin + 16 * 1024);
  EXPECT_EQ(cached_capacity(kMiB + 3), kMiB + 16 * 1024);
}

TEST(BufferCache, deframer_takes_a_cached_buffer_at_the_full_length) {
  on_fresh_thread([] {
    enable_buffer_cache();
    std::string old = large(2 * kMiB, 'z');
    const char* old_at = old.data();
    recycle_buffer(std::move(old));
    std::string payload(kMiB + 4, 'p');
    std::string bytes;
    wire::append_frame(bytes, payload);
    wire::Deframer d;
    std::vector<wire::Message> out;
    ASSERT_TRUE(d.feed(bytes.substr(0, 16384), out).ok());
    EXPECT_GE(d.reserved_bytes(), payload.size());  // no eager phase: the memory was ours already
    ASSERT_TRUE(d.feed(bytes.substr(16384), out).ok());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].payload.data(), old_at);
    EXPECT_EQ(out[0].payload, payload);
  });
}

}  // namespace
}  // namespace pronto::detail
