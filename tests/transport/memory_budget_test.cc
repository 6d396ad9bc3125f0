// ConnectionBudget / SharedMemoryBudget: limits, pressure, and what a
// connection draws from (and gives back to) the server's pool.
#include "transport/memory_budget.h"

#include <gtest/gtest.h>

namespace pronto::detail {
namespace {

constexpr std::size_t MiB = 1 << 20;

TEST(MemoryBudget, reservations_fit_under_the_connection_limit_and_no_further) {
  SharedMemoryBudget pool(64 * MiB);
  ConnectionBudget conn(4 * MiB, &pool);
  EXPECT_TRUE(conn.try_reserve(3 * MiB));
  EXPECT_FALSE(conn.try_reserve(MiB + 1));
  EXPECT_EQ(conn.used(), 3 * MiB);  // a failed reservation takes nothing
  EXPECT_TRUE(conn.try_reserve(MiB));
  EXPECT_EQ(conn.used(), 4 * MiB);
}

TEST(MemoryBudget, the_pool_limits_all_connections_together) {
  SharedMemoryBudget pool(4 * MiB);
  ConnectionBudget a(4 * MiB, &pool), b(4 * MiB, &pool);
  EXPECT_TRUE(a.try_reserve(3 * MiB));
  EXPECT_FALSE(b.try_reserve(2 * MiB));
  EXPECT_TRUE(b.try_reserve(MiB / 2));
  EXPECT_LE(pool.used(), pool.limit());
}

TEST(MemoryBudget, the_last_bytes_of_the_pool_can_be_taken_without_chunk_rounding) {
  SharedMemoryBudget pool(MiB + 100);
  ConnectionBudget a(8 * MiB, &pool);
  EXPECT_TRUE(a.try_reserve(MiB + 100));  // rounding up to whole chunks would not fit
  EXPECT_EQ(pool.used(), MiB + 100);
}

TEST(MemoryBudget, outbound_reservations_never_fail_but_count) {
  SharedMemoryBudget pool(MiB);
  ConnectionBudget conn(MiB, &pool);
  conn.reserve(3 * MiB);
  EXPECT_EQ(conn.used(), 3 * MiB);
  EXPECT_GE(pool.used(), 3 * MiB);
  EXPECT_FALSE(conn.try_reserve(1));
  EXPECT_TRUE(conn.under_pressure());
}

TEST(MemoryBudget, pressure_starts_past_three_quarters_of_either_limit) {
  SharedMemoryBudget pool(8 * MiB);
  ConnectionBudget conn(4 * MiB, &pool);
  ASSERT_TRUE(conn.try_reserve(3 * MiB));
  EXPECT_FALSE(conn.under_pressure());
  ASSERT_TRUE(conn.try_reserve(1));
  EXPECT_TRUE(conn.under_pressure());
  conn.release(1);
  EXPECT_FALSE(conn.under_pressure());

  ConnectionBudget other(8 * MiB, &pool);
  ASSERT_TRUE(other.try_reserve(4 * MiB));  // the pool now holds 7 of 8 MiB
  EXPECT_TRUE(conn.under_pressure());
  EXPECT_TRUE(other.under_pressure());
}

TEST(MemoryBudget, a_connection_draws_in_chunks_and_gives_back_what_it_no_longer_needs) {
  SharedMemoryBudget pool(64 * MiB);
  {
    ConnectionBudget conn(64 * MiB, &pool);
    ASSERT_TRUE(conn.try_reserve(100));
    EXPECT_EQ(pool.used(), ConnectionBudget::kChunk);  // one chunk serves many small reservations
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(conn.try_reserve(100));
    EXPECT_EQ(pool.used(), ConnectionBudget::kChunk);
    ASSERT_TRUE(conn.try_reserve(10 * MiB));
    EXPECT_GE(pool.used(), 10 * MiB);
    conn.release(10 * MiB);
    EXPECT_LE(pool.used(), 3 * ConnectionBudget::kChunk);  // a burst's share goes back
  }
  EXPECT_EQ(pool.used(), 0u);  // everything, when the connection goes
}

TEST(MemoryBudget, the_peak_since_the_last_look_is_kept_until_taken) {
  SharedMemoryBudget pool(64 * MiB);
  {
    ConnectionBudget conn(64 * MiB, &pool);
    ASSERT_TRUE(conn.try_reserve(20 * MiB));
    conn.release(20 * MiB);
  }
  EXPECT_GE(pool.take_peak(), 20 * MiB);
  EXPECT_EQ(pool.take_peak(), 0u);
}

}  // namespace
}  // namespace pronto::detail
