// spawn and when_all (issue 9): many calls in flight from one coroutine.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "echo_service.h"

namespace pronto::test {
namespace {

using namespace std::chrono_literals;

EchoRequest request(std::string message) {
  EchoRequest r;
  r.set_message(std::move(message));
  return r;
}

class Concurrency : public ::testing::Test {
 protected:
  EchoServer server_{ServerOptions{.event_loops = 2}};
  std::shared_ptr<Channel> channel_ = Channel::create(server_.target());
  Echo::Stub stub_{channel_};
};

TEST_F(Concurrency, when_all_runs_100_unary_calls_at_once) {
  auto body = [](Echo::Stub& stub) -> Task<std::vector<Result<EchoResponse>>> {
    std::vector<Task<Result<EchoResponse>>> calls;
    for (int i = 0; i < 100; ++i) {
      auto req = request("m" + std::to_string(i));
      req.set_delay_ms(100);  // all must be in flight together to finish in time
      calls.push_back(stub.async().Unary(req, {.timeout = 20s}));
    }
    co_return co_await when_all(std::move(calls));
  };
  auto start = std::chrono::steady_clock::now();
  auto replies = block_on(body(stub_));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(replies.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(replies[i].ok()) << replies[i].status().to_string();
    EXPECT_EQ(replies[i]->message(), "m" + std::to_string(i));
  }
  // One after the other they would take 10 s.
  EXPECT_LT(took, 5s);
  EXPECT_EQ(server_.service.completed_handlers.load(), 100);
}

TEST_F(Concurrency, when_all_of_different_types_gives_a_tuple) {
  auto body = [](Echo::Stub& stub) -> Task<bool> {
    auto streamed = [](Echo::Stub& stub) -> Task<int> {
      auto req = request("s");
      req.set_count(3);
      auto reader = stub.async().ServerStream(req);
      int n = 0;
      while (co_await reader.read()) ++n;
      co_return n;
    };
    auto nothing = []() -> Task<void> { co_return; };
    auto [a, n, v] = co_await when_all(stub.async().Unary(request("a")), streamed(stub), nothing());
    co_return a.ok() && a->message() == "a" && n == 3 && v == std::monostate{};
  };
  EXPECT_TRUE(block_on(body(stub_)));
}

TEST_F(Concurrency, an_exception_propagates_from_when_all_after_every_task_completed) {
  std::atomic<int> finished{0};
  auto call = [](Echo::Stub& stub, std::atomic<int>& finished, int i) -> Task<int> {
    auto req = request("x");
    req.set_delay_ms(i == 1 ? 0 : 200);
    auto r = co_await stub.async().Unary(req);
    ++finished;
    if (i == 1) throw std::runtime_error("task 1 failed");
    co_return r.ok() ? i : -1;
  };
  auto body = [&](Echo::Stub& stub) -> Task<void> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(call(stub, finished, i));
    (void)co_await when_all(std::move(tasks));
  };
  try {
    block_on(body(stub_));
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task 1 failed");
  }
  EXPECT_EQ(finished.load(), 5);  // the slow ones finished before when_all threw
}

TEST_F(Concurrency, when_all_of_nothing_completes_at_once) {
  auto body = []() -> Task<std::size_t> {
    co_return (co_await when_all(std::vector<Task<int>>{})).size();
  };
  EXPECT_EQ(block_on(body()), 0u);
}

TEST_F(Concurrency, spawn_runs_detached_calls) {
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) {
    spawn([](Echo::Stub& stub, std::atomic<int>& done, int i) -> Task<void> {
      auto r = co_await stub.async().Unary(request("s" + std::to_string(i)));
      if (r.ok() && r->message() == "s" + std::to_string(i)) ++done;
    }(stub_, done, i));
  }
  for (int i = 0; i < 500 && done.load() < 20; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(done.load(), 20);
}

TEST(Spawn, runs_to_its_first_suspension_at_once) {
  bool started = false;
  spawn([](bool& started) -> Task<void> {
    started = true;
    co_return;
  }(started));
  EXPECT_TRUE(started);
}

}  // namespace
}  // namespace pronto::test
