// End-to-end over Server::in_process_channel: the whole stack (client call,
// HTTP/2 sessions, connections, server call, handlers) over a memory pipe,
// with no socket and no listener.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e_helpers.h"
#include "echo_service.h"
#include "transport/memory_pipe.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PRONTO_TEST_SANITIZED 1
#else
#define PRONTO_TEST_SANITIZED 0
#endif

namespace pronto::test {
namespace {

using namespace std::chrono_literals;
using detail::MemoryPipe;

int open_descriptors() {
  int n = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the directory's own
}

// kB of "VmHWM" (peak RSS) or "VmRSS" from /proc/self/status.
long status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, len, field) == 0 && line[len] == ':') return std::stol(line.substr(len + 1));
  }
  return -1;
}
// Resets VmHWM to the current RSS; false if the kernel does not let us.
bool reset_peak_rss() {
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  return status_kb("VmHWM") <= status_kb("VmRSS") + 1024;
}

// A server with no listener at all, reached only in-process. The channel
// is made before start(): such a server needs no listen().
class InProcess : public ::testing::Test {
 protected:
  explicit InProcess(ServerOptions options = {.event_loops = 2}) : server_(std::make_unique<Server>(options)) {
    server_->add_service(service_);
    channel_ = server_->in_process_channel();
    Status st = server_->start();
    if (!st.ok()) throw std::runtime_error(st.to_string());
  }
  ~InProcess() override {
    if (server_) server_->shutdown(500ms);
  }

  EchoService service_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<Channel> channel_;
};

TEST_F(InProcess, unary_call_reaches_the_handler_with_an_inproc_peer) {
  EXPECT_FALSE(channel_->connected());  // opened by the first call
  EXPECT_EQ(channel_->target(), "inproc");
  Echo::Stub stub(channel_);
  auto r = stub.Unary(request("hi"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), "hi");
  EXPECT_EQ(r->peer().rfind("inproc:", 0), 0u) << r->peer();
  EXPECT_EQ(r->deadline_ms(), -1);
  EXPECT_TRUE(channel_->connected());
}

TEST_F(InProcess, all_four_call_kinds) {
  Echo::Stub stub(channel_);
  auto req = request("s");
  req.set_count(20);
  auto stream = stub.ServerStream(req);
  int n = 0;
  for (const auto& r : stream) EXPECT_EQ(r.index(), n++);
  EXPECT_EQ(n, 20);
  EXPECT_TRUE(stream.status().ok()) << stream.status().to_string();

  auto writer = stub.ClientStream();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(writer.write(request(std::to_string(i))));
  auto total = writer.finish();
  ASSERT_TRUE(total.ok()) << total.status().to_string();
  EXPECT_EQ(total->message(), "0123456789");
  EXPECT_EQ(total->index(), 10);

  auto bidi = stub.Bidi();
  for (int i = 0; i < 10; ++i) {
    const std::string m(1, static_cast<char>('a' + i));  // (GCC 12 -Wrestrict misfires on "m" + to_string)
    ASSERT_TRUE(bidi.write(request(m)));
    auto r = bidi.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->message(), m);
    EXPECT_EQ(r->index(), i);
  }
  bidi.writes_done();
  EXPECT_FALSE(bidi.read().has_value());
  EXPECT_TRUE(bidi.finish().ok());
  EXPECT_EQ(service_.completed_handlers.load(), 3);
}

TEST_F(InProcess, metadata_round_trips_both_ways) {
  Echo::Stub stub(channel_);
  expect_metadata_round_trips(stub);
}

TEST_F(InProcess, errors_keep_their_code_and_message) {
  Echo::Stub stub(channel_);
  auto req = request("x");
  req.set_status_code(static_cast<int>(StatusCode::not_found));
  req.set_status_message("nothing here ☺");
  auto r = stub.Unary(req);
  EXPECT_EQ(r.status().code(), StatusCode::not_found);
  EXPECT_EQ(r.status().message(), "nothing here ☺");
  auto missing = blocking_unary_call<EchoResponse>(channel_, "/pronto.test.Echo/Nope", request("x"));
  EXPECT_EQ(missing.status().code(), StatusCode::unimplemented);
}

TEST_F(InProcess, deadline_exceeded_fails_the_call_and_cancels_the_handler) {
  Echo::Stub stub(channel_);
  auto start = Clock::now();
  auto r = stub.Unary(request("slow", 5000), {.timeout = 100ms});
  EXPECT_EQ(r.status().code(), StatusCode::deadline_exceeded);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_TRUE(eventually([&] { return service_.cancelled_handlers.load() == 1; }));
  auto ok = stub.Unary(request("x"), {.timeout = 5s});
  ASSERT_TRUE(ok.ok());
  EXPECT_GT(ok->deadline_ms(), 4000);  // the deadline travels as on a socket
}

TEST_F(InProcess, client_cancellation_cancels_the_handler) {
  Echo::Stub stub(channel_);
  ClientContext ctx;
  std::thread canceller([&] {
    eventually([&] { return service_.started_handlers.load() == 1; });
    ctx.cancel();
  });
  auto r = stub.Unary(request("x", 10000), {.context = &ctx});
  canceller.join();
  EXPECT_EQ(r.status().code(), StatusCode::cancelled);
  EXPECT_TRUE(eventually([&] { return service_.cancelled_handlers.load() == 1; }));

  // A stream dropped unfinished is cancelled too.
  {
    auto bidi = stub.Bidi();
    ASSERT_TRUE(bidi.write(request("a")));
    ASSERT_TRUE(bidi.read().has_value());
  }
  EXPECT_TRUE(eventually([&] { return service_.cancelled_handlers.load() == 2; }));
  EXPECT_TRUE(stub.Unary(request("after")).ok());
}

TEST_F(InProcess, four_mebibyte_messages_both_ways) {
  Echo::Stub stub(channel_);
  // The largest request the default 4 MiB receive limit takes, and a
  // response just as large.
  const std::size_t size = 4 * 1024 * 1024 - 64;
  auto req = request("big");
  req.set_payload(std::string(size, 'q'));
  req.set_response_size(static_cast<int>(size));
  auto r = stub.Unary(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->payload().size(), size);
  EXPECT_EQ(r->payload(), std::string(size, 'p'));
  // Past the limit: RESOURCE_EXHAUSTED, as over a socket.
  req.set_payload(std::string(4 * 1024 * 1024 + 1, 'q'));
  req.set_response_size(0);
  EXPECT_EQ(stub.Unary(req).status().code(), StatusCode::resource_exhausted);
}

// 64 MiB from the server to a client that reads slowly: the server is held
// back (flow control down to the pipe, which fills and makes the server's
// connection wait), nothing buffers more than its bound.
TEST_F(InProcess, a_64_mib_stream_to_a_slow_reader_is_flow_controlled) {
  Echo::Stub stub(channel_);
  constexpr int kMessages = 64;
  constexpr int kSize = 1024 * 1024 - 64;
  ASSERT_TRUE(stub.Unary(request("warm up")).ok());
  const long rss_before = status_kb("VmRSS");
  const bool peak_measurable = reset_peak_rss();
  auto req = request("flood");
  req.set_count(kMessages);
  req.set_response_size(kSize);
  auto stream = stub.ServerStream(req);
  auto first = stream.read();
  ASSERT_TRUE(first.has_value());
  // The reader stalls: the handler cannot finish, it waits on the pipe.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(service_.completed_handlers.load(), 1);  // only the warm-up
  EXPECT_LE(MemoryPipe::peak_buffered(), MemoryPipe::kDefaultCapacity);
  EXPECT_GT(MemoryPipe::peak_buffered(), 0u);
  std::size_t bytes = first->payload().size();
  int n = 1;
  while (auto r = stream.read()) {
    bytes += r->payload().size();
    EXPECT_EQ(r->index(), n);
    ++n;
    if (n % 8 == 0) std::this_thread::sleep_for(20ms);  // stays slow
  }
  EXPECT_TRUE(stream.status().ok()) << stream.status().to_string();
  EXPECT_EQ(n, kMessages);
  EXPECT_EQ(bytes, std::size_t{kMessages} * kSize);
  EXPECT_LE(MemoryPipe::peak_buffered(), MemoryPipe::kDefaultCapacity);
  if (!PRONTO_TEST_SANITIZED && peak_measurable) {
    // Both sides live in this process: everything buffered anywhere (stream
    // windows, queues, the pipe, the message being built) stays far below
    // the 64 MiB that went through.
    const long peak_growth_kb = status_kb("VmHWM") - rss_before;
    std::printf("64 MiB through: peak RSS +%ld kB, pipe peak %zu bytes\n", peak_growth_kb,
                MemoryPipe::peak_buffered());
    EXPECT_LT(peak_growth_kb, 24 * 1024) << "peak RSS grew by " << peak_growth_kb << " kB";
  }
}

// 64 MiB the other way: a client-streaming upload.
TEST_F(InProcess, a_64_mib_upload_arrives_whole) {
  Echo::Stub stub(channel_);
  auto writer = stub.ClientStream();
  const std::string chunk(1024 * 1024 - 64, 'u');
  auto req = request("");
  req.set_payload(chunk);
  for (int i = 0; i < 64; ++i) ASSERT_TRUE(writer.write(req));
  auto r = writer.finish();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->index(), 64);
  EXPECT_LE(MemoryPipe::peak_buffered(), MemoryPipe::kDefaultCapacity);
}

TEST_F(InProcess, many_calls_in_parallel_from_several_threads) {
  Echo::Stub stub(channel_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  constexpr int kThreads = 8;
  constexpr int kCalls = 200;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const std::string m = std::to_string(t) + ":" + std::to_string(i);
        auto r = stub.Unary(request(m));
        ok += r.ok() && r->message() == m;
      }
    });
  }
  // Streams at the same time, on the same connection.
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) {
      auto req = request("s");
      req.set_count(50);
      req.set_response_size(10000);
      auto stream = stub.ServerStream(req);
      int n = 0;
      for (const auto& r : stream) n += r.payload().size() == 10000;
      ok += n == 50 && stream.status().ok();
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kCalls + 20);
}

TEST_F(InProcess, several_channels_spread_over_the_loops) {
  std::vector<std::shared_ptr<Channel>> channels;
  for (int i = 0; i < 6; ++i) channels.push_back(server_->in_process_channel());
  std::vector<std::string> peers;
  for (auto& c : channels) {
    auto r = Echo::Stub(c).Unary(request("x"));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    peers.push_back(r->peer());
  }
  std::sort(peers.begin(), peers.end());
  EXPECT_EQ(std::unique(peers.begin(), peers.end()), peers.end());  // one connection each
}

TEST_F(InProcess, server_shutdown_lets_a_call_finish_within_the_grace_period) {
  Echo::Stub stub(channel_);
  Result<EchoResponse> r = Status::unknown("not run");
  std::thread caller([&] { r = stub.Unary(request("x", 300)); });
  ASSERT_TRUE(eventually([&] { return service_.started_handlers.load() == 1; }));
  server_->shutdown(5s);
  caller.join();
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  auto late = stub.Unary(request("late"));
  EXPECT_EQ(late.status().code(), StatusCode::unavailable) << late.status().to_string();
  EXPECT_FALSE(channel_->connected());
}

TEST_F(InProcess, server_shutdown_cuts_calls_at_the_grace_period) {
  Echo::Stub stub(channel_);
  Result<EchoResponse> r = Status::unknown("not run");
  std::thread caller([&] { r = stub.Unary(request("x", 30000)); });
  ASSERT_TRUE(eventually([&] { return service_.started_handlers.load() == 1; }));
  auto start = Clock::now();
  server_->shutdown(200ms);
  caller.join();
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(r.status().code(), StatusCode::unavailable) << r.status().to_string();
  EXPECT_TRUE(eventually([&] { return service_.cancelled_handlers.load() == 1; }));
  EXPECT_EQ(stub.Unary(request("late")).status().code(), StatusCode::unavailable);
}

TEST_F(InProcess, channel_destroyed_before_the_server) {
  ASSERT_TRUE(Echo::Stub(channel_).Unary(request("x")).ok());
  const std::size_t pipes = MemoryPipe::live_pipes();
  ASSERT_GE(pipes, 1u);
  // A stream left open on the server when the channel goes: the server
  // sees the connection drop and cancels the handler.
  {
    Echo::Stub stub(channel_);
    auto bidi = stub.Bidi();
    ASSERT_TRUE(bidi.write(request("a")));
    ASSERT_TRUE(bidi.read().has_value());
    channel_.reset();  // the stream still holds the channel
  }
  // The server's side closed too (both ends of the pipe are gone).
  EXPECT_TRUE(eventually([&] { return MemoryPipe::live_pipes() == pipes - 1; }));
  EXPECT_TRUE(eventually([&] { return service_.cancelled_handlers.load() == 1; }));
  // The server is unaffected: a new channel works, and shutdown has no
  // connection left to wait for.
  auto other = server_->in_process_channel();
  EXPECT_TRUE(Echo::Stub(other).Unary(request("y")).ok());
  other.reset();
  auto start = Clock::now();
  server_->shutdown(5s);
  EXPECT_LT(Clock::now() - start, 2s);
  server_.reset();
}

TEST_F(InProcess, server_destroyed_before_the_channel) {
  Echo::Stub stub(channel_);
  ASSERT_TRUE(stub.Unary(request("x")).ok());
  server_.reset();  // no grace: a destroyed server shuts down at once
  auto r = stub.Unary(request("after"));
  EXPECT_EQ(r.status().code(), StatusCode::unavailable) << r.status().to_string();
  EXPECT_FALSE(channel_->connected());
  channel_.reset();
}

TEST(InProcessLifecycle, before_start_calls_fail_unavailable_then_connect_once_started) {
  EchoService service;
  Server server({.event_loops = 1});
  server.add_service(service);
  auto channel = server.in_process_channel();
  Echo::Stub stub(channel);
  auto r = stub.Unary(request("early"));
  EXPECT_EQ(r.status().code(), StatusCode::unavailable);
  EXPECT_FALSE(channel->connected());
  ASSERT_TRUE(server.start().ok());
  // No backoff after the failed attempt: the next call connects.
  EXPECT_TRUE(stub.Unary(request("now")).ok());
  server.shutdown(1s);
}

TEST(InProcessLifecycle, works_next_to_socket_listeners_with_interceptors) {
  class Count : public ServerInterceptor {
   public:
    std::atomic<int> started{0};
    Status on_start(ServerContext& ctx) override {
      ++started;
      ctx.add_initial_metadata("x-seen", "yes");
      return {};
    }
  };
  auto count = std::make_shared<Count>();
  EchoServer server({.event_loops = 2}, {count});
  auto channel = server.server().in_process_channel();
  ClientContext ctx;
  auto r = Echo::Stub(channel).Unary(request("x"), {.context = &ctx});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(ctx.initial_metadata().get("x-seen"), "yes");
  EXPECT_TRUE(Echo::Stub(Channel::create(server.target())).Unary(request("y")).ok());
  EXPECT_EQ(count->started.load(), 2);
}

TEST(InProcessLifecycle, opens_no_descriptor) {
  EchoService service;
  auto server = std::make_unique<Server>(ServerOptions{.event_loops = 2});
  server->add_service(service);
  // Without listen(), a server is reached only in process: say so (with a
  // first channel) before start().
  (void)server->in_process_channel();
  ASSERT_TRUE(server->start().ok());
  const int before = open_descriptors();
  ASSERT_GT(before, 0);
  {
    auto channel = server->in_process_channel();
    Echo::Stub stub(channel);
    ASSERT_TRUE(stub.Unary(request("x")).ok());
    auto req = request("s");
    req.set_count(10);
    auto stream = stub.ServerStream(req);
    for (const auto& r : stream) (void)r;
    EXPECT_TRUE(stream.status().ok());
    auto writer = stub.ClientStream();
    ASSERT_TRUE(writer.write(request("a")));
    EXPECT_TRUE(writer.finish().ok());
    auto bidi = stub.Bidi();
    ASSERT_TRUE(bidi.write(request("b")));
    EXPECT_TRUE(bidi.read().has_value());
    bidi.writes_done();
    EXPECT_TRUE(bidi.finish().ok());
    EXPECT_EQ(open_descriptors(), before);  // while connected: none
    // A deadline needs a timer on the channel's loop, and asio's reactor
    // behind it opens its own descriptors (not the connection's); they go
    // with the channel.
    EXPECT_TRUE(stub.Unary(request("x"), {.timeout = 5s}).ok());
    std::printf("descriptors: %d before, %d with a deadline timer on the channel loop\n", before,
                open_descriptors());
  }
  // (The channel's loop may finish on a thread of its own, a moment later.)
  EXPECT_TRUE(eventually([&] { return open_descriptors() == before; })) << open_descriptors();
  server->shutdown(1s);
  server.reset();
  // Every pipe's memory went with its connections.
  EXPECT_TRUE(eventually([] { return MemoryPipe::live_pipes() == 0; }));
}

}  // namespace
}  // namespace pronto::test
