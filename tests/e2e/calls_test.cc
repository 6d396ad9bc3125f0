// End-to-end: a real server and client on loopback, all four call kinds.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "e2e_helpers.h"
#include "echo_service.h"
#include "pronto/log.h"

namespace pronto::test {
namespace {

using namespace std::chrono_literals;

// ASCII text of n bytes that differs from position to position.
std::string text(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 1000 + seed) % 26);
  return s;
}

class Calls : public ::testing::Test {
 protected:
  EchoServer server_;
  std::shared_ptr<Channel> channel_ = Channel::create(server_.target());
  Echo::Stub stub_{channel_};
};

TEST_F(Calls, unary_returns_the_response) {
  auto r = stub_.Unary(request("hi"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), "hi");
  EXPECT_EQ(r->deadline_ms(), -1);  // no deadline set
  EXPECT_EQ(r->peer().rfind("ipv4:127.0.0.1:", 0), 0u) << r->peer();
}

TEST_F(Calls, unary_error_carries_code_and_non_ascii_message_exactly) {
  const std::string message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
  auto req = request("x");
  req.set_status_code(static_cast<int>(StatusCode::not_found));
  req.set_status_message(message);
  auto r = stub_.Unary(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::not_found);
  EXPECT_EQ(r.status().message(), message);
}

TEST_F(Calls, every_status_code_round_trips) {
  for (int code = 1; code <= 16; ++code) {
    auto req = request("x");
    req.set_status_code(code);
    req.set_status_message("code " + std::to_string(code));
    auto r = stub_.Unary(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(static_cast<int>(r.status().code()), code);
    EXPECT_EQ(r.status().message(), "code " + std::to_string(code));
  }
}

TEST_F(Calls, unknown_method_and_unknown_service_are_unimplemented) {
  auto r = blocking_unary_call<EchoResponse>(channel_, "/pronto.test.Echo/Nope", request("x"));
  EXPECT_EQ(r.status().code(), StatusCode::unimplemented);
  auto r2 = blocking_unary_call<EchoResponse>(channel_, "/no.Such/Service", request("x"));
  EXPECT_EQ(r2.status().code(), StatusCode::unimplemented);
}

TEST_F(Calls, handler_exception_becomes_unknown_and_server_lives_on) {
  auto req = request("x");
  req.set_throw_exception(true);
  auto r = stub_.Unary(req);
  EXPECT_EQ(r.status().code(), StatusCode::unknown);
  // The exception's text stays on the server (it may name internals)...
  EXPECT_EQ(r.status().message().find("boom"), std::string::npos);
  EXPECT_EQ(r.status().message(), "handler threw an exception");
  // ...where it is logged as an error.
  std::mutex mu;
  std::vector<std::string> logged;
  set_log_sink([&](LogLevel level, std::string_view m) {
    std::lock_guard lock(mu);
    if (level == LogLevel::error) logged.emplace_back(m);
  });
  EXPECT_EQ(stub_.Unary(req).status().code(), StatusCode::unknown);
  set_log_sink({});
  std::lock_guard lock(mu);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("/pronto.test.Echo/Unary"), std::string::npos) << logged[0];
  EXPECT_NE(logged[0].find("boom"), std::string::npos) << logged[0];
  EXPECT_TRUE(stub_.Unary(request("after")).ok());
}

TEST_F(Calls, server_streaming_is_a_range_then_ok) {
  auto req = request("s");
  req.set_count(50);
  auto stream = stub_.ServerStream(req);
  int expected = 0;
  for (const auto& r : stream) EXPECT_EQ(r.index(), expected++);
  EXPECT_EQ(expected, 50);
  EXPECT_TRUE(stream.status().ok());
}

TEST_F(Calls, server_streaming_can_fail_after_some_messages) {
  auto req = request("s");
  req.set_count(10);
  req.set_fail_after(3);
  req.set_status_code(static_cast<int>(StatusCode::aborted));
  req.set_status_message("stopped at 3");
  auto stream = stub_.ServerStream(req);
  int n = 0;
  for (const auto& r : stream) {
    (void)r;
    ++n;
  }
  EXPECT_EQ(n, 3);
  EXPECT_EQ(stream.status().code(), StatusCode::aborted);
  EXPECT_EQ(stream.status().message(), "stopped at 3");
}

TEST_F(Calls, server_streaming_large_volume_respects_flow_control) {
  auto req = request("big");
  req.set_count(200);
  req.set_response_size(64 * 1024);  // 12.5 MiB in total, well past every window
  auto stream = stub_.ServerStream(req);
  int n = 0;
  for (const auto& r : stream) {
    EXPECT_EQ(r.payload().size(), 64u * 1024);
    ++n;
  }
  EXPECT_EQ(n, 200);
  EXPECT_TRUE(stream.status().ok());
}

TEST_F(Calls, client_streaming_collects_every_message) {
  auto writer = stub_.ClientStream();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(writer.write(request(std::to_string(i % 10))));
  auto r = writer.finish();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->index(), 100);
  EXPECT_EQ(r->message().size(), 100u);
}

TEST_F(Calls, client_streaming_with_zero_messages) {
  auto writer = stub_.ClientStream();
  auto r = writer.finish();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->index(), 0);
}

TEST_F(Calls, client_streaming_large_upload) {
  auto writer = stub_.ClientStream();
  EchoRequest big;
  big.set_payload(std::string(1 << 20, 'u'));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer.write(big));
  auto r = writer.finish();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->index(), 20);
}

TEST_F(Calls, large_unary_messages_arrive_intact_both_ways) {
  // Over the 1 MiB stream window each way: the request and the echoed
  // response are sent by reference in several DATA frames and windows.
  const std::string big = text((1 << 20) + 12345, 1);
  auto r = stub_.Unary(request(big));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), big);
}

TEST_F(Calls, concurrent_large_unary_calls_stay_intact) {
  std::atomic<int> intact{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string big = text(300000 + 1000 * t + i, t * 5 + i);
        auto r = stub_.Unary(request(big));
        if (r.ok() && r->message() == big) ++intact;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(intact.load(), 20);
}

TEST_F(Calls, bidi_ping_pong_interleaves) {
  auto stream = stub_.Bidi();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(stream.write(request("m" + std::to_string(i))));
    auto r = stream.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->message(), "m" + std::to_string(i));
    EXPECT_EQ(r->index(), i);
  }
  stream.writes_done();
  EXPECT_FALSE(stream.read().has_value());
  EXPECT_TRUE(stream.finish().ok());
}

TEST_F(Calls, bidi_client_keeps_writing_from_another_thread_while_reading) {
  auto stream = stub_.Bidi();
  std::thread writer([&] {
    for (int i = 0; i < 500; ++i) stream.write(request(std::to_string(i)));
    stream.writes_done();
  });
  int n = 0;
  while (auto r = stream.read()) EXPECT_EQ(r->index(), n++);
  writer.join();
  EXPECT_EQ(n, 500);
  EXPECT_TRUE(stream.finish().ok());
}

TEST_F(Calls, bidi_server_error_ends_the_stream) {
  auto stream = stub_.Bidi();
  ASSERT_TRUE(stream.write(request("ok")));
  ASSERT_TRUE(stream.read().has_value());
  auto bad = request("bad");
  bad.set_status_code(static_cast<int>(StatusCode::invalid_argument));
  bad.set_status_message("bad input");
  stream.write(bad);
  EXPECT_FALSE(stream.read().has_value());
  auto st = stream.finish();
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_EQ(st.message(), "bad input");
}

TEST_F(Calls, coroutine_api_awaits_a_unary_call) {
  auto r = detail::block_on([](Echo::Stub stub) -> Task<Result<EchoResponse>> {
    auto first = co_await stub.async().Unary(request("a"));
    if (!first) co_return first.status();
    co_return co_await stub.async().Unary(request(first->message() + "b"));
  }(stub_));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), "ab");
}

TEST_F(Calls, one_connection_carries_many_concurrent_calls) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto r = stub_.Unary(request(std::to_string(t * 100 + i)));
        if (r.ok() && r->message() == std::to_string(t * 100 + i)) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 400);
  EXPECT_TRUE(channel_->connected());
}

TEST_F(Calls, dropping_a_stream_early_cancels_the_server_handler) {
  {
    auto req = request("s");
    req.set_count(1000000);
    req.set_response_size(1024);
    auto stream = stub_.ServerStream(req);
    int n = 0;
    for (const auto& r : stream) {
      (void)r;
      if (++n == 5) break;
    }
  }  // destroyed unfinished: cancelled
  for (int i = 0; i < 200 && server_.service.cancelled_handlers.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server_.service.cancelled_handlers.load(), 1);
}

TEST_F(Calls, streaming_calls_start_with_their_first_operation) {
  {
    auto req = request("never");
    req.set_count(3);
    auto dropped = stub_.async().ServerStream(req);             // never used: never sent
    auto dropped_writer = stub_.async().ClientStream();         // likewise
    auto dropped_bidi = stub_.async().Bidi();
  }
  // The unary call goes on the same connection after them: had the streams
  // been sent, their handlers would have started first.
  ASSERT_TRUE(stub_.Unary(request("after")).ok());
  EXPECT_EQ(server_.service.started_handlers.load(), 1);
  auto req = request("s");
  req.set_count(2);
  auto reader = stub_.async().ServerStream(req);
  EXPECT_EQ(server_.service.started_handlers.load(), 1);
  int n = block_on([](decltype(reader)& r) -> Task<int> {
    int count = 0;
    while (co_await r.read()) ++count;
    co_return count;
  }(reader));
  EXPECT_EQ(n, 2);
  EXPECT_EQ(server_.service.started_handlers.load(), 2);
}

TEST_F(Calls, finish_drops_unread_messages_so_a_flow_controlled_server_can_end) {
  auto req = request("s");
  req.set_count(200);
  req.set_response_size(64 * 1024);  // 12.8 MB: far more than the stream window
  auto reader = stub_.ServerStream(req);
  ASSERT_TRUE(reader.read().has_value());
  Status st = reader.finish();  // would wait forever if unread messages held the window shut
  EXPECT_TRUE(st.ok()) << st.to_string();
  EXPECT_EQ(reader.status(), st);
  EXPECT_FALSE(reader.read().has_value());
  // Bidi: finish() half-closes too, so a server reading to the end answers.
  auto bidi = stub_.Bidi();
  ASSERT_TRUE(bidi.write(request("one")).ok());
  EXPECT_TRUE(bidi.finish().ok());
}

TEST_F(Calls, client_and_server_writes_yield_a_status) {
  auto writer = stub_.async().ClientStream();
  Status first = block_on([](decltype(writer)& w) -> Task<Status> { co_return co_await w.write(request("a")); }(writer));
  EXPECT_TRUE(first.ok()) << first.to_string();
  auto result = block_on(writer.finish());
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  // After the call is over a write fails with CANCELLED; finish() told why.
  Status late = block_on([](decltype(writer)& w) -> Task<Status> { co_return co_await w.write(request("b")); }(writer));
  EXPECT_EQ(late.code(), StatusCode::cancelled);
  auto blocking = stub_.ClientStream();
  EXPECT_TRUE(blocking.write(request("x")).ok());
  EXPECT_TRUE(blocking.finish().ok());
}

}  // namespace
}  // namespace pronto::test
