// End-to-end: the memory budget and the handshake (preface) timeout, through
// the public API. The hostile-peer scripts (hostile_resources.py) cover the
// same bounds with raw HTTP/2 and measure RSS and CPU.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "echo_service.h"

namespace pronto::test {
namespace {

using namespace std::chrono_literals;
constexpr std::size_t MiB = 1 << 20;

EchoRequest with_payload(std::size_t bytes) {
  EchoRequest r;
  r.set_message("m");
  r.set_payload(std::string(bytes, 'x'));
  return r;
}

TEST(MemoryBudget, a_message_larger_than_the_connection_budget_fails_resource_exhausted_and_frees_it) {
  EchoServer server({.event_loops = 1, .max_connection_memory = 1 * MiB});
  Echo::Stub stub(Channel::create(server.target()));
  auto r = stub.Unary(with_payload(2 * MiB));
  EXPECT_EQ(r.status().code(), StatusCode::resource_exhausted) << r.status().to_string();
  EXPECT_NE(r.status().message().find("memory budget"), std::string::npos) << r.status().message();
  // Nothing of it stays charged: calls within the budget go on, repeatedly.
  for (int i = 0; i < 20; ++i) {
    auto ok = stub.Unary(with_payload(256 * 1024));
    ASSERT_TRUE(ok.ok()) << i << ": " << ok.status().to_string();
  }
}

TEST(MemoryBudget, the_server_budget_bounds_every_connection_together) {
  EchoServer server({.event_loops = 1, .max_connection_memory = 64 * MiB, .max_server_memory = 1 * MiB});
  Echo::Stub stub(Channel::create(server.target()));
  EXPECT_EQ(stub.Unary(with_payload(2 * MiB)).status().code(), StatusCode::resource_exhausted);
  EXPECT_TRUE(stub.Unary(with_payload(100 * 1024)).ok());
}

TEST(MemoryBudget, many_messages_that_fit_one_at_a_time_all_pass) {
  // 40 MiB through a 1 MiB budget: each message is released once read.
  EchoServer server({.event_loops = 1, .max_connection_memory = 1 * MiB});
  Echo::Stub stub(Channel::create(server.target()));
  auto call = stub.ClientStream();
  for (int i = 0; i < 80; ++i) ASSERT_TRUE(call.write(with_payload(512 * 1024))) << i;
  auto r = call.finish();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
}

// A raw TCP connection to the server; -1 on failure.
int connect_raw(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Reads until EOF or error; true on EOF/reset within the receive timeout.
bool closed_by_peer(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

TEST(HandshakeTimeout, a_plaintext_client_that_never_sends_the_preface_is_dropped) {
  EchoServer server({.event_loops = 1, .handshake_timeout = 200ms});
  const int fd = connect_raw(server.server().port());
  ASSERT_GE(fd, 0);
  const auto start = Clock::now();
  EXPECT_TRUE(closed_by_peer(fd));
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 3s);
  ::close(fd);
}

TEST(HandshakeTimeout, half_a_preface_is_not_enough) {
  EchoServer server({.event_loops = 1, .handshake_timeout = 200ms});
  const int fd = connect_raw(server.server().port());
  ASSERT_GE(fd, 0);
  const std::string half = "PRI * HTTP/2.0\r\n";
  ASSERT_EQ(::send(fd, half.data(), half.size(), MSG_NOSIGNAL), static_cast<ssize_t>(half.size()));
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
}

TEST(HandshakeTimeout, a_connection_that_sent_its_preface_stays_past_the_timeout) {
  EchoServer server({.event_loops = 1, .handshake_timeout = 200ms});
  Echo::Stub stub(Channel::create(server.target()));
  EchoRequest req;
  req.set_message("first");
  auto first = stub.Unary(req);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  std::this_thread::sleep_for(500ms);
  auto second = stub.Unary(req);
  ASSERT_TRUE(second.ok()) << second.status().to_string();
  EXPECT_EQ(first->peer(), second->peer());  // the same client port: the same connection
}

}  // namespace
}  // namespace pronto::test
