// Histogram: bucket layout, exact small values, percentiles on known data
// within the documented precision, merge, display buckets.
#include "histogram.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace pronto_bench {
namespace {

constexpr std::uint64_t kUs = 1000;
constexpr std::uint64_t kMs = 1000 * kUs;

// Within the histogram's precision: half a bucket, 1/64 of the value.
void expect_near_rel(std::uint64_t actual, std::uint64_t expected) {
  EXPECT_NEAR(static_cast<double>(actual), static_cast<double>(expected),
              static_cast<double>(expected) / 64 + 1)
      << "expected about " << expected;
}

TEST(BenchHistogram, BucketsTileTheRange) {
  for (std::size_t i = 0; i < 1500; ++i) {
    ASSERT_LE(Histogram::lower_of(i), Histogram::upper_of(i)) << i;
    ASSERT_EQ(Histogram::index_of(Histogram::lower_of(i)), i) << i;
    ASSERT_EQ(Histogram::index_of(Histogram::upper_of(i)), i) << i;
    ASSERT_EQ(Histogram::upper_of(i) + 1, Histogram::lower_of(i + 1)) << i;
  }
  // Relative width stays within 1/32 above the exact range.
  for (std::uint64_t v : {std::uint64_t{100}, 12345 * kUs, 987 * kMs, std::uint64_t{1} << 50}) {
    const std::size_t i = Histogram::index_of(v);
    EXPECT_LE(static_cast<double>(Histogram::upper_of(i) - Histogram::lower_of(i)),
              static_cast<double>(v) / 32);
  }
  EXPECT_EQ(Histogram::upper_of(Histogram::index_of(UINT64_MAX)), UINT64_MAX);
}

TEST(BenchHistogram, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.max_ns(), 0u);
  EXPECT_EQ(h.percentile_ns(50), 0u);
  EXPECT_EQ(h.mean_ns(), 0);
  EXPECT_TRUE(h.log_buckets().empty());
}

TEST(BenchHistogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 20; ++v) h.record_ns(v);
  EXPECT_EQ(h.percentile_ns(50), 10u);
  EXPECT_EQ(h.percentile_ns(90), 18u);
  EXPECT_EQ(h.percentile_ns(95), 19u);
  EXPECT_EQ(h.percentile_ns(100), 20u);
  EXPECT_EQ(h.min_ns(), 1u);
  EXPECT_DOUBLE_EQ(h.mean_ns(), 10.5);
}

TEST(BenchHistogram, PercentilesOfAUniformMillisecondRange) {
  // 1us, 2us, ..., 10000us: the k-th percentile is k*100us.
  Histogram h;
  for (std::uint64_t v = 1; v <= 10000; ++v) h.record(std::chrono::microseconds(v));
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_EQ(h.min_ns(), 1 * kUs);
  EXPECT_EQ(h.max_ns(), 10 * kMs);
  EXPECT_DOUBLE_EQ(h.mean_ns(), 5000.5 * kUs);
  expect_near_rel(h.percentile_ns(50), 5000 * kUs);
  expect_near_rel(h.percentile_ns(90), 9000 * kUs);
  expect_near_rel(h.percentile_ns(99), 9900 * kUs);
  expect_near_rel(h.percentile_ns(99.9), 9990 * kUs);
  EXPECT_EQ(h.percentile_ns(100), 10 * kMs);
  expect_near_rel(h.percentile_ns(1), 100 * kUs);
}

TEST(BenchHistogram, TailPercentilesSeeTheOutliers) {
  Histogram h;
  for (int i = 0; i < 990; ++i) h.record_ns(200 * kUs);
  for (int i = 0; i < 10; ++i) h.record_ns(50 * kMs);
  expect_near_rel(h.percentile_ns(50), 200 * kUs);
  expect_near_rel(h.percentile_ns(99), 200 * kUs);
  expect_near_rel(h.percentile_ns(99.9), 50 * kMs);
  EXPECT_EQ(h.max_ns(), 50 * kMs);
  // A single value is reported as itself (clamped to min..max).
  Histogram one;
  one.record_ns(123456789);
  EXPECT_EQ(one.percentile_ns(50), 123456789u);
  EXPECT_EQ(one.percentile_ns(99.9), 123456789u);
}

TEST(BenchHistogram, MergeEqualsRecordingEverything) {
  Histogram a, b, all;
  for (std::uint64_t v = 1; v <= 5000; ++v) {
    (v % 3 ? a : b).record_ns(v * 7919);
    all.record_ns(v * 7919);
  }
  Histogram merged;
  merged.merge(a);
  merged.merge(b);
  merged.merge(Histogram());
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min_ns(), all.min_ns());
  EXPECT_EQ(merged.max_ns(), all.max_ns());
  EXPECT_DOUBLE_EQ(merged.mean_ns(), all.mean_ns());
  for (double p : {10.0, 50.0, 90.0, 99.0, 99.9})
    EXPECT_EQ(merged.percentile_ns(p), all.percentile_ns(p)) << p;
}

TEST(BenchHistogram, LogBucketsFollowOneTwoFive) {
  Histogram h;
  h.record_ns(150 * kUs);
  h.record_ns(180 * kUs);
  h.record_ns(700 * kUs);
  h.record_ns(3 * kMs);
  auto buckets = h.log_buckets();
  ASSERT_EQ(buckets.size(), 5u);
  const std::uint64_t bounds[] = {200 * kUs, 500 * kUs, 1 * kMs, 2 * kMs, 5 * kMs};
  const std::uint64_t counts[] = {2, 0, 1, 0, 1};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(buckets[i].upper_ns, bounds[i]) << i;
    EXPECT_EQ(buckets[i].count, counts[i]) << i;
  }
}

}  // namespace
}  // namespace pronto_bench
