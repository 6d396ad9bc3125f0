// metrics/buckets.h — A66's histogram bucket boundaries and the bucket an
// observation falls in (Prometheus `le` semantics: value <= bound).
//
// Pure constants and functions; any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace pronto::metrics {

// Latency boundaries in seconds, as A66 lists them, held in nanoseconds.
inline constexpr std::array<std::uint64_t, 41> kLatencyBoundsNs = {0,
                                                                   10'000,
                                                                   50'000,
                                                                   100'000,
                                                                   300'000,
                                                                   600'000,
                                                                   800'000,
                                                                   1'000'000,
                                                                   2'000'000,
                                                                   3'000'000,
                                                                   4'000'000,
                                                                   5'000'000,
                                                                   6'000'000,
                                                                   8'000'000,
                                                                   10'000'000,
                                                                   13'000'000,
                                                                   16'000'000,
                                                                   20'000'000,
                                                                   25'000'000,
                                                                   30'000'000,
                                                                   40'000'000,
                                                                   50'000'000,
                                                                   65'000'000,
                                                                   80'000'000,
                                                                   100'000'000,
                                                                   130'000'000,
                                                                   160'000'000,
                                                                   200'000'000,
                                                                   250'000'000,
                                                                   300'000'000,
                                                                   400'000'000,
                                                                   500'000'000,
                                                                   650'000'000,
                                                                   800'000'000,
                                                                   1'000'000'000,
                                                                   2'000'000'000,
                                                                   5'000'000'000,
                                                                   10'000'000'000,
                                                                   20'000'000'000,
                                                                   50'000'000'000,
                                                                   100'000'000'000};

// Size boundaries in bytes, as A66 lists them.
inline constexpr std::array<std::uint64_t, 14> kSizeBounds = {
    0,       1024,    2048,     4096,     16384,     65536,      262144,
    1048576, 4194304, 16777216, 67108864, 268435456, 1073741824, 4294967296};

// Index of the first bound >= value; bounds.size() for the +Inf bucket.
template <std::size_t N>
constexpr std::size_t bucket_index(const std::array<std::uint64_t, N>& bounds, std::uint64_t value) noexcept {
  std::size_t lo = 0, hi = N;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (bounds[mid] < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace pronto::metrics
