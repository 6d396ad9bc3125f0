// tools/bench/histogram.cc — see histogram.h.
#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace pronto_bench {

namespace {
constexpr std::uint64_t kSub = std::uint64_t{1} << Histogram::kSubBits;
}

std::size_t Histogram::index_of(std::uint64_t ns) noexcept {
  if (ns < kSub) return static_cast<std::size_t>(ns);
  const int shift = std::bit_width(ns) - 1 - kSubBits;
  return static_cast<std::size_t>((shift + 1) * kSub + (ns >> shift) - kSub);
}

std::uint64_t Histogram::lower_of(std::size_t index) noexcept {
  if (index < kSub) return index;
  const std::size_t shift = index / kSub - 1;
  return (kSub + index % kSub) << shift;
}

std::uint64_t Histogram::upper_of(std::size_t index) noexcept {
  if (index < kSub) return index;
  const std::size_t shift = index / kSub - 1;
  return ((kSub + index % kSub + 1) << shift) - 1;  // wraps to the maximum for the last bucket
}

void Histogram::record(std::chrono::nanoseconds value) { record_ns(value.count() > 0 ? value.count() : 0); }

void Histogram::record_ns(std::uint64_t ns) {
  const std::size_t i = index_of(ns);
  if (i >= counts_.size()) counts_.resize(i + 1);
  ++counts_[i];
  if (count_ == 0 || ns < min_) min_ = ns;
  if (ns > max_) max_ = ns;
  ++count_;
  sum_ += static_cast<double>(ns);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size());
  for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

std::uint64_t Histogram::representative(std::size_t index) const noexcept {
  const std::uint64_t lo = lower_of(index), hi = upper_of(index);
  const std::uint64_t mid = lo + (hi - lo) / 2;
  return std::clamp(mid, min_, max_);
}

std::uint64_t Histogram::percentile_ns(double p) const noexcept {
  if (count_ == 0) return 0;
  if (p >= 100) return max_;
  if (p <= 0) return min_;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return representative(i);
  }
  return max_;
}

std::vector<Histogram::Bucket> Histogram::log_buckets() const {
  std::vector<Bucket> out;
  if (count_ == 0) return out;
  // Edges 1, 2, 5, 10, 20, 50, ... ns: the first one >= min, up to the first >= max.
  std::uint64_t decade = 1;
  int step = 0;  // 0: 1x, 1: 2x, 2: 5x
  auto edge = [&] { return decade * (step == 0 ? 1 : step == 1 ? 2 : 5); };
  auto next = [&] {
    if (++step == 3) {
      step = 0;
      decade *= 10;
    }
  };
  while (edge() < min_) next();
  while (true) {
    out.push_back({edge(), 0});
    if (edge() >= max_ || decade > (std::uint64_t{1} << 60)) break;
    next();
  }
  std::size_t b = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const std::uint64_t v = representative(i);
    while (b + 1 < out.size() && v > out[b].upper_ns) ++b;
    out[b].count += counts_[i];
  }
  return out;
}

}  // namespace pronto_bench
