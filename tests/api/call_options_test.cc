// The README's call style, every variant, with g++ 12. Before the fix,
//   co_await stub.async().Unary(req, {.timeout = 5s, .metadata = md});
// destroyed the CallOptions temporary's Metadata twice (g++ 12 runs the
// exception-only member cleanup of aggregate initialization on the normal path
// inside a co_await expression): a double free that ASan reports (`make asan`),
// and `.metadata = {{"k", "v"}}` did not compile ("array used as initializer").
// Each case checks the metadata reached the server (Echo copies "echo-*"
// request metadata to "initial-echo-*" response metadata).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <type_traits>

#include "echo_service.h"

namespace pronto::test {
namespace {

using namespace std::chrono_literals;

static_assert(std::is_aggregate_v<CallOptions>);
static_assert(std::is_trivially_destructible_v<decltype(CallOptions::metadata)>);

EchoRequest request(std::string message) {
  EchoRequest r;
  r.set_message(std::move(message));
  return r;
}

class CallOptionsStyles : public ::testing::Test {
 protected:
  EchoServer server_;
  std::shared_ptr<Channel> channel_ = Channel::create(server_.target());
  Echo::Stub stub_{channel_};
};

TEST_F(CallOptionsStyles, unary_in_co_await_every_variant) {
  auto body = [](Echo::Stub& stub) -> Task<int> {
    int ok = 0;
    Metadata md{{"echo-named", "n"}};
    std::string token = "t0k3n";
    EchoRequest req = request("x");
    {
      auto r = co_await stub.async().Unary(req, {.timeout = 5s});
      ok += r.ok();
    }
    {
      auto r = co_await stub.async().Unary(req, {.metadata = {{"echo-k", "v"}}});
      ok += r.ok();
    }
    {
      auto r = co_await stub.async().Unary(req, {.timeout = 5s, .metadata = {{"echo-k", "v"}, {"Echo-Two", token}}});
      ok += r.ok();
    }
    {
      auto r = co_await stub.async().Unary(req, {.timeout = 5s, .metadata = md});
      ok += r.ok();
    }
    {
      auto r = co_await stub.async().Unary(req, CallOptions{.timeout = 5s, .metadata = md});
      ok += r.ok();
    }
    {
      Metadata moved = md;
      auto r = co_await stub.async().Unary(req, {.timeout = 5s, .metadata = std::move(moved)});
      ok += r.ok();
    }
    {
      ClientContext ctx;
      auto r = co_await stub.async().Unary(req, {.timeout = 5s,
                                                 .metadata = {{"echo-k", "v"}, {"echo-t", "Bearer " + token}},
                                                 .compression = Compression::gzip,
                                                 .context = &ctx});
      ok += r.ok() && ctx.initial_metadata().get("initial-echo-k") == "v" &&
            ctx.initial_metadata().get("initial-echo-t") == "Bearer t0k3n";
    }
    {
      ClientContext ctx;
      auto r = co_await stub.async().Unary(req, {.metadata = md, .context = &ctx});
      ok += r.ok() && ctx.initial_metadata().get("initial-echo-named") == "n";
    }
    {
      // A failed call (deadline already over) destroys the same way.
      auto failing = request("x");
      failing.set_delay_ms(2000);
      auto r = co_await stub.async().Unary(failing, {.timeout = 1ms, .metadata = md});
      ok += r.status().code() == StatusCode::deadline_exceeded;
    }
    co_return ok;
  };
  EXPECT_EQ(block_on(body(stub_)), 9);
}

TEST_F(CallOptionsStyles, streaming_in_co_await_every_variant) {
  auto body = [](Echo::Stub& stub) -> Task<int> {
    int ok = 0;
    Metadata md{{"echo-named", "n"}};
    EchoRequest req = request("s");
    req.set_count(2);
    {
      // The whole call inside one co_await expression.
      auto m = co_await stub.async().ServerStream(req, {.timeout = 5s, .metadata = md}).read();
      ok += m.has_value();
    }
    {
      ClientContext ctx;
      auto reader = stub.async().ServerStream(
          req, {.timeout = 5s, .metadata = {{"echo-k", "v"}}, .compression = Compression::deflate, .context = &ctx});
      int n = 0;
      while (auto m = co_await reader.read()) ++n;
      Status st = co_await reader.finish();
      ok += st.ok() && n == 2 && ctx.initial_metadata().get("initial-echo-k") == "v";
    }
    {
      auto writer = stub.async().ClientStream({.timeout = 5s, .metadata = {{"echo-k", "v"}}});
      (void)co_await writer.write(request("a"));
      auto r = co_await writer.finish();
      ok += r.ok();
    }
    {
      // Empty upload, all in one expression.
      auto r = co_await stub.async().ClientStream({.metadata = md, .compression = Compression::gzip}).finish();
      ok += r.ok();
    }
    {
      ClientContext ctx;
      auto stream = stub.async().Bidi({.timeout = 5s, .metadata = md, .context = &ctx});
      (void)co_await stream.write(request("b"));
      stream.writes_done();
      auto m = co_await stream.read();
      while (co_await stream.read()) {
      }
      Status st = co_await stream.finish();
      ok += st.ok() && m.has_value() && ctx.initial_metadata().get("initial-echo-named") == "n";
    }
    {
      // Never half-closed (reading to the end keeps the request side
      // open, as finish() would not): ends at its deadline.
      auto stream = stub.async().Bidi({.timeout = 200ms, .metadata = {{"echo-k", "v"}}});
      while (co_await stream.read()) {
      }
      auto m = co_await stream.finish();
      ok += m.code() == StatusCode::deadline_exceeded;
    }
    co_return ok;
  };
  EXPECT_EQ(block_on(body(stub_)), 6);
}

TEST_F(CallOptionsStyles, blocking_every_variant) {
  Metadata md{{"echo-named", "n"}};
  EchoRequest req = request("x");
  EXPECT_TRUE(stub_.Unary(req, {.timeout = 5s}).ok());
  EXPECT_TRUE(stub_.Unary(req, {.metadata = {{"echo-k", "v"}}}).ok());
  EXPECT_TRUE(stub_.Unary(req, {.timeout = 5s, .metadata = md}).ok());
  ClientContext ctx;
  EXPECT_TRUE(stub_.Unary(req, {.timeout = 5s,
                                .metadata = {{"Echo-K", "v"}},
                                .compression = Compression::gzip,
                                .context = &ctx})
                  .ok());
  EXPECT_EQ(ctx.initial_metadata().get("initial-echo-k"), "v");  // lower-cased before sending
  req.set_count(3);
  int n = 0;
  for (const auto& m : stub_.ServerStream(req, {.timeout = 5s, .metadata = md})) n += !m.message().empty();
  EXPECT_EQ(n, 3);
  auto w = stub_.ClientStream({.metadata = {{"echo-k", "v"}}});
  EXPECT_TRUE(w.write(request("a")));
  EXPECT_TRUE(w.finish().ok());
  auto s = stub_.Bidi({.timeout = 5s, .metadata = md});
  EXPECT_TRUE(s.write(request("b")));
  s.writes_done();
  EXPECT_TRUE(s.read().has_value());
  while (s.read()) {
  }
  EXPECT_TRUE(s.finish().ok());
}

TEST(CallOptions, copies_share_metadata_until_changed) {
  Metadata md{{"a", "1"}};
  CallOptions a{.timeout = 1s, .metadata = md};
  CallOptions b = a;
  b.metadata.add("B", "2");
  EXPECT_EQ(a.metadata.size(), 1u);
  EXPECT_EQ(b.metadata.size(), 2u);
  EXPECT_EQ(b.metadata.get("b"), "2");
  a = b;
  EXPECT_EQ(a.metadata.size(), 2u);
  a.metadata.clear();
  EXPECT_TRUE(a.metadata.empty());
  EXPECT_EQ(b.metadata.size(), 2u);
  CallOptions c{.metadata = {{"k1", "1"}, {"k2", "2"}, {"k3", "3"}, {"", "empty key kept"}}};
  EXPECT_EQ(c.metadata.size(), 4u);
  EXPECT_FALSE(c.metadata.validate_for_send().ok());
  CallOptions d;
  EXPECT_TRUE(d.metadata.empty());
  d.metadata = md;
  EXPECT_EQ(d.metadata.get("A"), "1");
  const Metadata& view = d.metadata;
  EXPECT_EQ(view.size(), 1u);
}

}  // namespace
}  // namespace pronto::test
