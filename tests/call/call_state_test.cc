// A call is freed exactly once, when handler, stream and timers are all done.
#include "call/call_state.h"

#include <gtest/gtest.h>

namespace pronto::call {
namespace {

TEST(CallLifetime, freed_once_when_handler_and_stream_are_done) {
  CallLifetime l;
  l.handler_started();
  EXPECT_FALSE(l.take_free());
  l.stream_closed();
  EXPECT_FALSE(l.take_free());  // the handler still runs
  l.handler_finished();
  EXPECT_TRUE(l.take_free());
  EXPECT_FALSE(l.take_free());  // once
}

TEST(CallLifetime, a_timer_holds_the_call) {
  CallLifetime l;
  l.handler_started();
  l.hold();
  l.handler_finished();
  l.stream_closed();
  EXPECT_FALSE(l.take_free());
  l.release();
  EXPECT_TRUE(l.take_free());
}

TEST(CallLifetime, a_handler_that_never_started_does_not_hold_the_call) {
  CallLifetime l;
  l.stream_closed();
  EXPECT_FALSE(l.take_free());
  l.handler_not_needed();
  EXPECT_TRUE(l.take_free());
  CallLifetime running;
  running.handler_started();
  running.handler_not_needed();  // no effect on a running handler
  running.stream_closed();
  EXPECT_FALSE(running.take_free());
}

}  // namespace
}  // namespace pronto::call
