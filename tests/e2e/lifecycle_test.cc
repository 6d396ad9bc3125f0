// End-to-end: deadlines, cancellation, metadata, limits, transports,
// reconnect and shutdown.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "e2e_helpers.h"
#include "echo_service.h"

namespace pronto::test {
namespace {

using namespace std::chrono_literals;

TEST(Deadlines, exceeded_deadline_fails_the_call_and_cancels_the_handler) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  auto start = Clock::now();
  auto r = stub.Unary(request("slow", 5000), {.timeout = 100ms});
  auto took = Clock::now() - start;
  EXPECT_EQ(r.status().code(), StatusCode::deadline_exceeded);
  EXPECT_LT(took, 2s);
  EXPECT_TRUE(eventually([&] { return server.service.cancelled_handlers.load() == 1; }));
}

TEST(Deadlines, server_sees_the_client_deadline) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  auto r = stub.Unary(request("x"), {.timeout = 10s});
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->deadline_ms(), 9000);
  EXPECT_LE(r->deadline_ms(), 10000);
}

TEST(Deadlines, calls_inside_a_handler_inherit_the_remaining_deadline) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  auto req = request("x");
  req.set_relay_target(server.target());
  auto r = stub.Relay(req, {.timeout = 3s});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), "relayed:x");
  EXPECT_GT(r->deadline_ms(), 0);
  EXPECT_LE(r->deadline_ms(), 3000);

  // The inner call sleeps 5 s but inherits 300 ms: it fails with DEADLINE_EXCEEDED.
  req.set_delay_ms(5000);
  auto start = Clock::now();
  auto r2 = stub.Relay(req, {.timeout = 300ms});
  EXPECT_EQ(r2.status().code(), StatusCode::deadline_exceeded);
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST(Deadlines, expired_deadline_fails_without_reaching_the_server) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  auto r = stub.Unary(request("x"), {.deadline = Clock::now() - 1s});
  EXPECT_EQ(r.status().code(), StatusCode::deadline_exceeded);
  EXPECT_EQ(server.service.started_handlers.load(), 0);
}

// Runs `calls` blocking Unary calls on each of `threads` threads and counts
// the status codes.
std::map<StatusCode, int> call_from_threads(Echo::Stub& stub, const EchoRequest& req, CallOptions options,
                                            int threads, int calls) {
  std::mutex mu;
  std::map<StatusCode, int> codes;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < calls; ++i) {
        auto r = stub.Unary(req, options);
        std::lock_guard lock(mu);
        ++codes[r.status().code()];
      }
    });
  }
  for (auto& t : pool) t.join();
  return codes;
}

// Calls hitting their deadlines make the client reset their streams, many
// per second. The server must not take that for an HTTP/2 rapid-reset
// attack and tear the connection down (nghttp2's own guard would, past
// 1,000 resets).
TEST(Deadlines, a_burst_of_calls_hitting_their_deadlines_keeps_the_connection) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  constexpr int kThreads = 8, kCalls = 250;
  auto codes = call_from_threads(stub, request("slow", 10000), {.timeout = 1ms}, kThreads, kCalls);
  EXPECT_EQ(codes[StatusCode::deadline_exceeded], kThreads * kCalls);
  EXPECT_EQ(codes[StatusCode::unavailable], 0);
  EXPECT_GT(server.service.cancelled_handlers.load(), 1000);  // the resets did reach the server
  auto after = stub.Unary(request("after"));
  EXPECT_TRUE(after.ok()) << after.status().to_string();
}

TEST(Limits, handlers_of_reset_streams_still_count_and_further_streams_are_refused) {
  // 10 streams per connection: at most 40 calls, counting those whose
  // stream the client reset while their handler keeps running.
  EchoServer server({.event_loops = 1, .blocking_threads = 48, .max_concurrent_streams = 10});
  Echo::Stub stub(Channel::create(server.target()));
  auto deaf = request("deaf", 400);
  deaf.set_ignore_cancellation(true);
  auto codes = call_from_threads(stub, deaf, {.timeout = 20ms}, 10, 12);
  EXPECT_EQ(server.service.started_handlers.load(), 40);
  EXPECT_GT(codes[StatusCode::unavailable], 0);  // refused streams
  EXPECT_EQ(codes[StatusCode::deadline_exceeded] + codes[StatusCode::unavailable], 120);
  // Once the handlers return, the same connection takes calls again.
  EXPECT_TRUE(eventually([&] { return stub.Unary(request("after")).ok(); }));
}

TEST(Cancellation, client_context_cancel_cancels_the_handler) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  ClientContext ctx;
  std::thread canceller([&] {
    eventually([&] { return server.service.started_handlers.load() == 1; });
    ctx.cancel();
  });
  auto r = stub.Unary(request("x", 10000), {.context = &ctx});
  canceller.join();
  EXPECT_EQ(r.status().code(), StatusCode::cancelled);
  EXPECT_TRUE(eventually([&] { return server.service.cancelled_handlers.load() == 1; }));
}

TEST(Metadata, round_trips_both_ways_including_binary) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  expect_metadata_round_trips(stub);
}

TEST(Metadata, trailers_only_error_still_carries_trailing_metadata) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  auto req = request("x");
  req.set_status_code(static_cast<int>(StatusCode::not_found));
  ClientContext ctx;
  auto r = stub.Unary(req, {.metadata = {{"echo-k", "v"}}, .context = &ctx});
  EXPECT_EQ(r.status().code(), StatusCode::not_found);
  EXPECT_EQ(ctx.trailing_metadata().get("trailing-echo-k"), "v");
}

TEST(Metadata, invalid_keys_and_values_fail_locally) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  EXPECT_EQ(stub.Unary(request("x"), {.metadata = {{"bad key", "v"}}}).status().code(), StatusCode::internal);
  EXPECT_EQ(stub.Unary(request("x"), {.metadata = {{"grpc-custom", "v"}}}).status().code(),
            StatusCode::internal);
  EXPECT_EQ(stub.Unary(request("x"), {.metadata = {{"k", "bad\nvalue"}}}).status().code(),
            StatusCode::internal);
  EXPECT_EQ(server.service.started_handlers.load(), 0);
}

class BearerAuth : public ServerInterceptor {
 public:
  std::atomic<int> finished{0};
  Status on_start(ServerContext& ctx) override {
    auto token = ctx.client_metadata().get("authorization");
    if (!token || *token != "Bearer secret") return Status::unauthenticated("missing or bad token");
    ctx.add_initial_metadata("x-auth", "ok");
    return {};
  }
  void on_finish(ServerContext&, const Status&) override { ++finished; }
};

class Order : public ServerInterceptor {
 public:
  Order(std::string name, std::vector<std::string>& log) : name_(std::move(name)), log_(log) {}
  Status on_start(ServerContext&) override {
    log_.push_back("start " + name_);
    return {};
  }
  void on_finish(ServerContext&, const Status& st) override {
    log_.push_back("finish " + name_ + " " + std::string(status_code_name(st.code())));
  }

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

TEST(Interceptors, server_interceptor_rejects_without_a_token_and_adds_metadata) {
  auto auth = std::make_shared<BearerAuth>();
  EchoServer server({.event_loops = 1}, {auth});
  Echo::Stub stub(Channel::create(server.target()));
  auto r = stub.Unary(request("x"));
  EXPECT_EQ(r.status().code(), StatusCode::unauthenticated);
  EXPECT_EQ(server.service.started_handlers.load(), 0);
  ClientContext ctx;
  auto ok = stub.Unary(request("x"), {.metadata = {{"authorization", "Bearer secret"}}, .context = &ctx});
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ctx.initial_metadata().get("x-auth"), "ok");
  EXPECT_TRUE(eventually([&] { return auth->finished.load() == 2; }));
}

TEST(Interceptors, server_interceptors_chain_in_order_and_unwind_in_reverse) {
  std::vector<std::string> log;
  EchoServer server({.event_loops = 1},
                    {std::make_shared<Order>("a", log), std::make_shared<Order>("b", log)});
  Echo::Stub stub(Channel::create(server.target()));
  auto req = request("x");
  req.set_status_code(static_cast<int>(StatusCode::not_found));
  EXPECT_EQ(stub.Unary(req).status().code(), StatusCode::not_found);
  ASSERT_TRUE(eventually([&] { return log.size() == 4; }));
  EXPECT_EQ(log,
            (std::vector<std::string>{"start a", "start b", "finish b NOT_FOUND", "finish a NOT_FOUND"}));
}

TEST(Interceptors, unknown_methods_pass_through_server_interceptors) {
  std::vector<std::string> log;
  auto auth = std::make_shared<BearerAuth>();
  EchoServer server({.event_loops = 1}, {std::make_shared<Order>("a", log), auth});
  auto channel = Channel::create(server.target());
  // Without a token the interceptor answers first: an unauthenticated
  // client cannot probe which methods exist.
  auto r = blocking_unary_call<EchoResponse>(channel, "/pronto.test.Echo/Nope", request("x"));
  EXPECT_EQ(r.status().code(), StatusCode::unauthenticated);
  auto r2 = blocking_unary_call<EchoResponse>(channel, "/no.Such/Service", request("x"),
                                              {.metadata = {{"authorization", "Bearer secret"}}});
  EXPECT_EQ(r2.status().code(), StatusCode::unimplemented);
  ASSERT_TRUE(eventually([&] { return log.size() == 4; }));
  EXPECT_EQ(log, (std::vector<std::string>{"start a", "finish a UNAUTHENTICATED", "start a",
                                           "finish a UNIMPLEMENTED"}));
  EXPECT_EQ(server.service.started_handlers.load(), 0);
}

class ClientAuth : public ClientInterceptor {
 public:
  std::vector<std::string> seen;
  std::mutex mu;
  Status on_start(ClientCallInfo& call) override {
    if (call.method.find("Relay") != std::string::npos) return Status::permission_denied("no relays");
    call.metadata.add("echo-injected", "yes");
    return {};
  }
  void on_finish(const ClientCallInfo& call, const Status& st) override {
    std::lock_guard lock(mu);
    seen.push_back(call.method + " " + std::string(status_code_name(st.code())));
  }
};

TEST(Interceptors, client_interceptor_adds_metadata_sees_status_and_can_reject) {
  EchoServer server;
  auto interceptor = std::make_shared<ClientAuth>();
  Echo::Stub stub(Channel::create(server.target(), {.interceptors = {interceptor}}));
  ClientContext ctx;
  ASSERT_TRUE(stub.Unary(request("x"), {.context = &ctx}).ok());
  EXPECT_EQ(ctx.initial_metadata().get("initial-echo-injected"), "yes");
  EXPECT_EQ(stub.Relay(request("x")).status().code(), StatusCode::permission_denied);
  std::lock_guard lock(interceptor->mu);
  ASSERT_EQ(interceptor->seen.size(), 1u);
  EXPECT_EQ(interceptor->seen[0], "/pronto.test.Echo/Unary OK");
}

TEST(Limits, oversize_request_is_resource_exhausted_and_server_lives_on) {
  EchoServer server({.event_loops = 1, .max_receive_message_size = 1024});
  Echo::Stub stub(Channel::create(server.target()));
  auto req = request("x");
  req.set_payload(std::string(4096, 'x'));
  EXPECT_EQ(stub.Unary(req).status().code(), StatusCode::resource_exhausted);
  EXPECT_TRUE(stub.Unary(request("small")).ok());
}

TEST(Limits, oversize_response_is_resource_exhausted_on_the_client) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target(), {.max_receive_message_size = 1024}));
  auto req = request("x");
  req.set_response_size(4096);
  EXPECT_EQ(stub.Unary(req).status().code(), StatusCode::resource_exhausted);
  EXPECT_TRUE(stub.Unary(request("small")).ok());
}

TEST(Transports, ipv6_loopback) {
  EchoServer server({.event_loops = 1}, {}, "[::1]:0");
  Echo::Stub stub(Channel::create(server.target()));
  auto r = stub.Unary(request("v6"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->peer().rfind("ipv6:[::1]:", 0), 0u) << r->peer();
}

TEST(Transports, unix_domain_socket) {
  auto path =
      std::filesystem::temp_directory_path() / ("pronto-test-" + std::to_string(::getpid()) + ".sock");
  {
    EchoServer server({.event_loops = 1}, {}, "unix:" + path.string());
    Echo::Stub stub(Channel::create("unix:" + path.string()));
    auto r = stub.Unary(request("uds"));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->message(), "uds");
  }
  EXPECT_FALSE(std::filesystem::exists(path));  // removed at shutdown
}

TEST(Transports, unreachable_target_is_unavailable) {
  // Bind and close to get a port nobody listens on.
  int port;
  {
    EchoServer tmp;
    port = tmp.server().port();
  }
  Echo::Stub stub(Channel::create("127.0.0.1:" + std::to_string(port)));
  EXPECT_EQ(stub.Unary(request("x")).status().code(), StatusCode::unavailable);
}

TEST(Transports, channel_reconnects_after_the_server_restarts) {
  auto server = std::make_unique<EchoServer>();
  const int port = server->server().port();
  auto channel = Channel::create("127.0.0.1:" + std::to_string(port), {.initial_backoff = 50ms});
  Echo::Stub stub(channel);
  ASSERT_TRUE(stub.Unary(request("1")).ok());
  server.reset();
  EXPECT_TRUE(eventually([&] { return !channel->connected(); }));
  server = std::make_unique<EchoServer>(ServerOptions{.event_loops = 1},
                                        std::vector<std::shared_ptr<ServerInterceptor>>{},
                                        "127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(eventually([&] { return stub.Unary(request("2")).ok(); }));
}

TEST(Shutdown, in_flight_call_finishes_within_the_grace_period) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  Result<EchoResponse> r = Status::unknown("not run");
  std::thread caller([&] { r = stub.Unary(request("x", 300)); });
  ASSERT_TRUE(eventually([&] { return server.service.started_handlers.load() == 1; }));
  server.server().shutdown(5s);
  caller.join();
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(stub.Unary(request("late")).status().code(), StatusCode::unavailable);
}

TEST(Shutdown, calls_past_the_grace_period_are_cancelled) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  Result<EchoResponse> r = Status::unknown("not run");
  std::thread caller([&] { r = stub.Unary(request("x", 30000)); });
  ASSERT_TRUE(eventually([&] { return server.service.started_handlers.load() == 1; }));
  auto start = Clock::now();
  server.server().shutdown(200ms);
  caller.join();
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(eventually([&] { return server.service.cancelled_handlers.load() == 1; }));
}

TEST(Server, several_event_loops_serve_several_connections) {
  EchoServer server({.event_loops = 2});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int c = 0; c < 4; ++c) {
    threads.emplace_back([&] {
      Echo::Stub stub(Channel::create(server.target()));
      for (int i = 0; i < 20; ++i) ok += stub.Unary(request("x")).ok();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST(Server, listen_on_a_busy_port_fails_cleanly) {
  EchoServer first;
  Server second;
  EchoService svc;
  second.add_service(svc).listen("127.0.0.1:" + std::to_string(first.server().port()));
  Status st = second.start();
  EXPECT_EQ(st.code(), StatusCode::unavailable);
}

}  // namespace
}  // namespace pronto::test
