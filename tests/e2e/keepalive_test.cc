// End-to-end: keepalive (gRPC A8) and connection management (A9) with the
// pronto client and server. Raw-peer cases are in hostile_keepalive.py.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "client/channel_impl.h"
#include "e2e_helpers.h"
#include "echo_service.h"

namespace pronto::test {
namespace {

using namespace std::chrono_literals;

// Counts the server's "connection from X opened" debug lines while alive.
class ConnectionCounter {
 public:
  ConnectionCounter() {
    set_log_sink([this](LogLevel, std::string_view m) {
      if (m.find(" opened") != std::string_view::npos) opened.fetch_add(1);
    });
    set_log_level(LogLevel::debug);
  }
  ~ConnectionCounter() {
    set_log_level(LogLevel::warning);
    set_log_sink(nullptr);
  }
  std::atomic<int> opened{0};
};

TEST(ConnectionManagement, max_connection_age_rotates_connections_and_fails_no_call) {
  ConnectionCounter counter;
  EchoServer server({.event_loops = 1, .max_connection_age = 500ms});
  Echo::Stub stub(Channel::create(server.target()));
  int calls = 0, failed = 0;
  const auto end = Clock::now() + 3s;
  while (Clock::now() < end) {
    auto r = stub.Unary(request("age"), {.timeout = 5s});
    ++calls;
    if (!r.ok()) {
      ++failed;
      ADD_FAILURE() << r.status().to_string();
    }
  }
  EXPECT_GT(calls, 100);
  EXPECT_EQ(failed, 0);
  // 3 s / (500 ms +-10%): at least 4 connections.
  EXPECT_GE(counter.opened.load(), 4);
}

TEST(ConnectionManagement, max_connection_age_grace_cancels_a_call_that_outlives_it) {
  EchoServer server({.event_loops = 1, .max_connection_age = 200ms, .max_connection_age_grace = 200ms});
  Echo::Stub stub(Channel::create(server.target()));
  const auto start = Clock::now();
  auto r = stub.Unary(request("slow", 5000), {.timeout = 10s});
  EXPECT_EQ(r.status().code(), StatusCode::unavailable) << r.status().to_string();
  EXPECT_LT(Clock::now() - start, 2s);
  // A new call goes on a new connection.
  EXPECT_TRUE(stub.Unary(request("after")).ok());
}

TEST(Keepalive, client_pinging_too_often_gets_too_many_pings_and_doubles_its_keepalive_time) {
  EchoServer server;  // keepalive_min_time: 5 minutes
  auto channel = Channel::create(server.target(), {.keepalive_time = 100ms});
  Echo::Stub stub(channel);
  EXPECT_EQ(channel->impl().keepalive_time(), 100ms);
  // The 4th PING (100 ms apart, while the call waits) is the 3rd strike.
  auto r = stub.Unary(request("slow", 3000), {.timeout = 10s});
  EXPECT_EQ(r.status().code(), StatusCode::unavailable) << r.status().to_string();
  EXPECT_TRUE(eventually([&] { return channel->impl().keepalive_time() == 200ms; }))
      << channel->impl().keepalive_time().count();
  EXPECT_TRUE(stub.Unary(request("after")).ok());
}

TEST(Keepalive, client_pings_within_the_servers_minimum_are_fine) {
  EchoServer server({.event_loops = 1, .keepalive_min_time = 50ms});
  auto channel = Channel::create(server.target(), {.keepalive_time = 100ms});
  Echo::Stub stub(channel);
  auto r = stub.Unary(request("slow", 800), {.timeout = 10s});
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(channel->impl().keepalive_time(), 100ms);
}

// A TCP peer that accepts and reads, and never answers anything (no SETTINGS,
// no PING ACK): the client's keepalive must notice.
class SilentPeer {
 public:
  SilentPeer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      while (::read(c, buf, sizeof buf) > 0) {
      }
      ::close(c);
    });
  }
  ~SilentPeer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(Keepalive, a_server_that_does_not_ack_pings_is_dropped_and_the_call_fails_unavailable) {
  SilentPeer peer;
  Echo::Stub stub(Channel::create(peer.target(), {.keepalive_time = 100ms, .keepalive_timeout = 200ms}));
  const auto start = Clock::now();
  auto r = stub.Unary(request("x"), {.timeout = 10s});
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.status().code(), StatusCode::unavailable) << r.status().to_string();
  EXPECT_NE(r.status().message().find("keepalive"), std::string::npos) << r.status().message();
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
}

TEST(Keepalive, without_keepalive_a_silent_server_holds_the_call_until_its_deadline) {
  SilentPeer peer;
  Echo::Stub stub(Channel::create(peer.target()));
  auto r = stub.Unary(request("x"), {.timeout = 600ms});
  EXPECT_EQ(r.status().code(), StatusCode::deadline_exceeded) << r.status().to_string();
}

}  // namespace
}  // namespace pronto::test
