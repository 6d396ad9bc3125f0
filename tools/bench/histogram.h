// tools/bench/histogram.h — a latency histogram with log-linear buckets
// (HDR style): values below 32 ns are exact; above, each power of two is cut
// into 32 equal buckets, so a value is known to within 1/32 (~3%) and
// percentiles are reported at the bucket's middle (error <= ~1.6%). The
// minimum, maximum and mean are exact. Memory grows with the largest value
// seen (about 6 KB for 100 ms), never with the number of samples.
//
// Ownership: a plain value. Threading: not synchronized; give each writer its
// own Histogram and merge() them.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace pronto_bench {

class Histogram {
 public:
  static constexpr int kSubBits = 5;  // 2^5 buckets per power of two

  void record(std::chrono::nanoseconds value);
  void record_ns(std::uint64_t ns);
  void merge(const Histogram& other);

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min_ns() const noexcept { return count_ ? min_ : 0; }
  std::uint64_t max_ns() const noexcept { return max_; }
  double mean_ns() const noexcept { return count_ ? sum_ / static_cast<double>(count_) : 0; }
  // The value at percentile p (0..100]: the smallest recorded value (to the
  // bucket's precision) with at least p% of samples at or below it. 0 when
  // empty; p >= 100 is the exact maximum.
  std::uint64_t percentile_ns(double p) const noexcept;

  // Display buckets on a 1-2-5 log scale (1us, 2us, 5us, 10us, ...) from the
  // minimum to the maximum: `count` samples are <= upper_ns and above the
  // previous bucket's bound.
  struct Bucket {
    std::uint64_t upper_ns;
    std::uint64_t count;
  };
  std::vector<Bucket> log_buckets() const;

  // The fine bucket layout (exposed for tests).
  static std::size_t index_of(std::uint64_t ns) noexcept;
  static std::uint64_t lower_of(std::size_t index) noexcept;
  static std::uint64_t upper_of(std::size_t index) noexcept;

 private:
  std::uint64_t representative(std::size_t index) const noexcept;

  std::vector<std::uint64_t> counts_;  // grown to the largest index seen
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace pronto_bench
