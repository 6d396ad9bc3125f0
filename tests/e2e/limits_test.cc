// End-to-end: the limits of ServerOptions / ChannelOptions "Limits" blocks
// (max_header_list_size, max_connections, max_send_message_size). The
// handshake timeout and memory budgets have their tests in
// hostile_resources.py (handshake_timeout, stalled_*) and resource_limits_test.
#include <gtest/gtest.h>

#include <string>

#include "e2e_helpers.h"
#include "echo_service.h"

namespace pronto::test {
namespace {

using namespace std::chrono_literals;

TEST(Limits, server_max_header_list_size_fails_larger_request_headers_with_resource_exhausted) {
  EchoServer server({.event_loops = 1, .max_header_list_size = 1024});
  Echo::Stub stub(Channel::create(server.target()));
  auto big = stub.Unary(request("x"), {.metadata = {{"x-big", std::string(2000, 'a')}}});
  EXPECT_EQ(big.status().code(), StatusCode::resource_exhausted) << big.status().to_string();
  auto small = stub.Unary(request("x"), {.metadata = {{"x-small", std::string(500, 'a')}}});
  EXPECT_TRUE(small.ok()) << small.status().to_string();
  EXPECT_EQ(server.service.started_handlers.load(), 1);  // the large one never reached a handler
}

TEST(Limits, client_max_header_list_size_fails_larger_response_headers_with_resource_exhausted) {
  EchoServer server;
  // The server echoes echo-* metadata back as initial-echo-* and trailing-echo-*.
  Echo::Stub small_limit(Channel::create(server.target(), {.max_header_list_size = 1024}));
  auto r = small_limit.Unary(request("x"), {.metadata = {{"echo-text", std::string(2000, 'a')}}});
  EXPECT_EQ(r.status().code(), StatusCode::resource_exhausted) << r.status().to_string();
  Echo::Stub default_limit(Channel::create(server.target()));
  auto ok = default_limit.Unary(request("x"), {.metadata = {{"echo-text", std::string(2000, 'a')}}});
  EXPECT_TRUE(ok.ok()) << ok.status().to_string();
}

TEST(Limits, max_connections_closes_connections_past_the_limit_and_counts_closed_ones_back) {
  EchoServer server({.event_loops = 1, .max_connections = 2});
  auto a = Channel::create(server.target());
  auto b = Channel::create(server.target());
  ASSERT_TRUE(Echo::Stub(a).Unary(request("a")).ok());
  ASSERT_TRUE(Echo::Stub(b).Unary(request("b")).ok());
  auto c = Channel::create(server.target());
  auto third = Echo::Stub(c).Unary(request("c"), {.timeout = 5s});
  EXPECT_EQ(third.status().code(), StatusCode::unavailable) << third.status().to_string();
  a.reset();  // its connection closes: one place free again
  auto d = Channel::create(server.target());
  EXPECT_TRUE(eventually([&] { return Echo::Stub(d).Unary(request("d"), {.timeout = 5s}).ok(); }, 5s));
}

TEST(Limits, server_max_send_message_size_fails_a_larger_response_with_resource_exhausted) {
  EchoServer server({.event_loops = 1, .max_send_message_size = 100});
  Echo::Stub stub(Channel::create(server.target()));
  auto big = stub.Unary(request(std::string(200, 'a')));
  EXPECT_EQ(big.status().code(), StatusCode::resource_exhausted) << big.status().to_string();
  EXPECT_NE(big.status().message().find("max_send_message_size"), std::string::npos)
      << big.status().message();
  EXPECT_TRUE(stub.Unary(request(std::string(50, 'a'))).ok());
}

TEST(Limits, client_max_send_message_size_fails_a_larger_request_before_sending_it) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target(), {.max_send_message_size = 100}));
  auto big = stub.Unary(request(std::string(200, 'a')));
  EXPECT_EQ(big.status().code(), StatusCode::resource_exhausted) << big.status().to_string();
  EXPECT_EQ(server.service.started_handlers.load(), 0);
  EXPECT_TRUE(stub.Unary(request(std::string(50, 'a'))).ok());
  // Streaming: the large write fails the call.
  auto stream = stub.ClientStream();
  EXPECT_TRUE(stream.write(request("small")));
  EXPECT_FALSE(stream.write(request(std::string(200, 'a'))));
  auto r = stream.finish();
  EXPECT_EQ(r.status().code(), StatusCode::resource_exhausted) << r.status().to_string();
}

}  // namespace
}  // namespace pronto::test
