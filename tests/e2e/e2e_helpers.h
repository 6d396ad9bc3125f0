// e2e_helpers.h — small helpers shared by the end-to-end tests.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "echo_service.h"

namespace pronto::test {

// A raw TCP connection to 127.0.0.1:port, reads time out after 5 s; -1 on
// failure. The caller closes it.
inline int connect_raw(int port) {
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

inline EchoRequest request(std::string message, int delay_ms = 0) {
  EchoRequest r;
  r.set_message(std::move(message));
  r.set_delay_ms(delay_ms);
  return r;
}

// Polls `pred` every 5 ms until it holds or `limit` passes; its last value.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// Text and binary metadata sent with a unary call come back as initial and
// trailing metadata (EchoService echoes "echo-*" keys).
inline void expect_metadata_round_trips(Echo::Stub& stub) {
  const std::string binary("\x00\x01\xfe\xff", 4);
  ClientContext ctx;
  auto r =
      stub.Unary(request("x"), {.metadata = {{"echo-text", "hello"}, {"echo-bin", binary}}, .context = &ctx});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(ctx.initial_metadata().get("initial-echo-text"), "hello");
  EXPECT_EQ(ctx.initial_metadata().get("initial-echo-bin"), binary);
  EXPECT_EQ(ctx.trailing_metadata().get("trailing-echo-text"), "hello");
  EXPECT_EQ(ctx.trailing_metadata().get("trailing-echo-bin"), binary);
}

}  // namespace pronto::test
