// AccessLog: one line per call with method, peer, status, duration and
// message bytes, to a given sink or the pronto/log.h sink.
#include "pronto/access_log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "echo_service.h"

namespace pronto::test {
namespace {

EchoRequest request(std::string message) {
  EchoRequest r;
  r.set_message(std::move(message));
  return r;
}

struct Lines {
  std::mutex mu;
  std::vector<std::string> lines;
  AccessLog::Sink sink() {
    return [this](std::string_view l) {
      std::lock_guard lock(mu);
      lines.emplace_back(l);
    };
  }
};

TEST(AccessLog, one_line_per_call_with_method_peer_status_duration_and_bytes) {
  Lines got;
  EchoServer server({.event_loops = 1},
                    {std::make_shared<AccessLog>(AccessLog::Options{.sink = got.sink()})});
  auto channel = Channel::create(server.target());
  Echo::Stub stub(channel);
  auto ok = stub.Unary(request("hi"));  // 4 bytes in; "hi" back plus the peer string
  ASSERT_TRUE(ok.ok());
  auto req = request("x");
  req.set_status_code(static_cast<int>(StatusCode::permission_denied));
  ASSERT_EQ(stub.Unary(req).status().code(), StatusCode::permission_denied);
  auto unknown = blocking_unary_call<EchoResponse>(channel, "/no.Such/Method", request("x"));
  ASSERT_EQ(unknown.status().code(), StatusCode::unimplemented);
  server.server().shutdown(std::chrono::seconds(1));  // every on_finish has run
  std::lock_guard lock(got.mu);
  ASSERT_EQ(got.lines.size(), 3u);
  const std::regex shape(
      R"(^(\S+) peer=(ipv4:127\.0\.0\.1:\d+) status=([A-Z_]+) duration_ms=(\d+\.\d{3}) bytes_in=(\d+) bytes_out=(\d+)$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(got.lines[0], m, shape)) << got.lines[0];
  EXPECT_EQ(m[1], "/pronto.test.Echo/Unary");
  EXPECT_EQ(m[3], "OK");
  EXPECT_EQ(m[5], "4");
  EXPECT_EQ(std::stoul(m[6]), ok->ByteSizeLong());
  ASSERT_TRUE(std::regex_match(got.lines[1], m, shape)) << got.lines[1];
  EXPECT_EQ(m[3], "PERMISSION_DENIED");
  EXPECT_EQ(m[6], "0");
  ASSERT_TRUE(std::regex_match(got.lines[2], m, shape)) << got.lines[2];
  EXPECT_EQ(m[1], "/no.Such/Method");
  EXPECT_EQ(m[3], "UNIMPLEMENTED");
}

TEST(AccessLog, goes_to_the_log_sink_at_its_level_by_default) {
  std::mutex mu;
  std::vector<std::pair<LogLevel, std::string>> logged;
  set_log_sink([&](LogLevel level, std::string_view message) {
    std::lock_guard lock(mu);
    logged.emplace_back(level, std::string(message));
  });
  set_log_level(LogLevel::info);
  {
    EchoServer server({.event_loops = 1}, {std::make_shared<AccessLog>()});
    Echo::Stub stub(Channel::create(server.target()));
    ASSERT_TRUE(stub.Unary(request("hi")).ok());
    server.server().shutdown(std::chrono::seconds(1));
  }
  set_log_level(LogLevel::warning);
  set_log_sink({});
  std::lock_guard lock(mu);
  int lines = 0;
  for (auto& [level, message] : logged) {
    if (message.rfind("/pronto.test.Echo/Unary peer=", 0) == 0) {
      ++lines;
      EXPECT_EQ(level, LogLevel::info);
    }
  }
  EXPECT_EQ(lines, 1);
}

}  // namespace
}  // namespace pronto::test
