// PingStrikePolicy (transport/keepalive.h): grpc-core's ping abuse policy,
// with time passed in.
#include "transport/keepalive.h"

#include <gtest/gtest.h>

namespace pronto::detail {
namespace {

using namespace std::chrono_literals;
const KeepaliveClock::time_point t0 = KeepaliveClock::time_point() + 1000h;

TEST(PingStrikePolicy, the_first_ping_is_never_a_strike_and_the_third_strike_is_too_many) {
  PingStrikePolicy p(5min, false, 2);
  EXPECT_FALSE(p.on_ping(t0, true));
  EXPECT_EQ(p.strikes(), 0);
  EXPECT_FALSE(p.on_ping(t0 + 10ms, true));
  EXPECT_FALSE(p.on_ping(t0 + 20ms, true));
  EXPECT_EQ(p.strikes(), 2);
  EXPECT_TRUE(p.on_ping(t0 + 30ms, true));
}

TEST(PingStrikePolicy, pings_at_least_min_time_apart_with_calls_open_are_no_strikes) {
  PingStrikePolicy p(5min, false, 2);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(p.on_ping(t0 + i * 5min, false));
  EXPECT_EQ(p.strikes(), 0);
  EXPECT_FALSE(p.on_ping(t0 + 45min + 4min, false));
  EXPECT_EQ(p.strikes(), 1);
}

TEST(PingStrikePolicy, without_calls_pings_need_two_hours_unless_permitted) {
  PingStrikePolicy strict(5min, false, 2);
  EXPECT_FALSE(strict.on_ping(t0, true));
  EXPECT_FALSE(strict.on_ping(t0 + 10min, true));
  EXPECT_EQ(strict.strikes(), 1);  // 10 min < 2 h with no call open
  EXPECT_FALSE(strict.on_ping(t0 + 10min + 2h, true));
  EXPECT_EQ(strict.strikes(), 1);

  PingStrikePolicy permitted(5min, true, 2);
  EXPECT_FALSE(permitted.on_ping(t0, true));
  EXPECT_FALSE(permitted.on_ping(t0 + 10min, true));
  EXPECT_EQ(permitted.strikes(), 0);
}

TEST(PingStrikePolicy, reset_on_sent_data_clears_strikes_and_the_last_ping) {
  PingStrikePolicy p(5min, false, 2);
  p.on_ping(t0, false);
  p.on_ping(t0 + 1s, false);
  p.on_ping(t0 + 2s, false);
  EXPECT_EQ(p.strikes(), 2);
  p.reset();
  EXPECT_EQ(p.strikes(), 0);
  EXPECT_FALSE(p.on_ping(t0 + 3s, false));  // first after the reset: free
  EXPECT_EQ(p.strikes(), 0);
}

TEST(PingStrikePolicy, zero_max_strikes_means_no_limit) {
  PingStrikePolicy p(5min, false, 0);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(p.on_ping(t0 + i * 1ms, true));
  EXPECT_EQ(p.strikes(), 99);
}

}  // namespace
}  // namespace pronto::detail
