// The public API without traps (issue 9): Server::start()/run() errors,
// run()'s signal handling, channel targets, the log sink.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "e2e_helpers.h"
#include "echo_service.h"
#include "log.h"
#include "pronto/log.h"
#include "test_certs.h"

extern char** environ;

namespace pronto::test {
namespace {

using namespace std::chrono_literals;

std::string unique_name(std::string_view what) {
  static std::atomic<int> n{0};
  return "pronto-" + std::string(what) + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

#define EXPECT_MENTIONS(message, part) EXPECT_NE((message).find(part), std::string::npos) << (message)

// ---- start() errors --------------------------------------------------------

TEST(ServerStart, without_listen_is_failed_precondition) {
  Server server;
  EchoService svc;
  server.add_service(svc);
  Status st = server.start();
  EXPECT_EQ(st.code(), StatusCode::failed_precondition);
  EXPECT_MENTIONS(st.message(), "listen()");
}

TEST(ServerStart, bad_addresses_are_invalid_argument_naming_them) {
  for (std::string address : {"http://0.0.0.0:80", "localhost", "127.0.0.1:65536", "::1:5", "unix:"}) {
    Server server;
    EchoService svc;
    server.add_service(svc).listen("127.0.0.1:0").listen(address);
    Status st = server.start();
    EXPECT_EQ(st.code(), StatusCode::invalid_argument) << address;
    EXPECT_MENTIONS(st.message(), "'" + address + "'");
  }
}

TEST(ServerStart, busy_port_is_unavailable_naming_the_address_and_nothing_keeps_running) {
  EchoServer first;
  const std::string busy = "127.0.0.1:" + std::to_string(first.server().port());
  const std::string free_unix =
      "unix:" + (std::filesystem::temp_directory_path() / unique_name("busy")).string();
  Server second;
  EchoService svc;
  second.add_service(svc).listen(free_unix).listen(busy);
  Status st = second.start();
  EXPECT_EQ(st.code(), StatusCode::unavailable);
  EXPECT_MENTIONS(st.message(), "'" + busy + "'");
  EXPECT_MENTIONS(st.message(), "in use");
  // The listener bound before the failure is gone again.
  EXPECT_FALSE(std::filesystem::exists(free_unix.substr(5)));
  EXPECT_EQ(second.run().code(), StatusCode::unavailable);  // run() returns the same error
}

TEST(ServerStart, a_file_that_is_not_a_socket_is_not_removed) {
  auto path = std::filesystem::temp_directory_path() / unique_name("file");
  std::ofstream(path) << "precious";
  Server server;
  EchoService svc;
  server.add_service(svc).listen("unix:" + path.string());
  Status st = server.start();
  EXPECT_EQ(st.code(), StatusCode::unavailable);
  EXPECT_MENTIONS(st.message(), path.string());
  EXPECT_TRUE(std::filesystem::exists(path));
  std::filesystem::remove(path);
}

TEST(ServerStart, the_same_service_name_twice_is_already_exists) {
  Server server;
  EchoService a, b;
  server.add_service(a).add_service(b).listen("127.0.0.1:0");
  Status st = server.start();
  EXPECT_EQ(st.code(), StatusCode::already_exists);
  EXPECT_MENTIONS(st.message(), "'pronto.test.Echo'");
}

// A hand-written service that registers one method twice.
class Twice final : public Service {
 public:
  Twice() : Service("pronto.test.Twice") {
    add_unary<EchoRequest, EchoResponse, Twice>("Same", &Twice::Handle);
    add_unary<EchoRequest, EchoResponse, Twice>("Same", &Twice::Handle);
  }
  Task<Result<EchoResponse>> Handle(ServerContext&, const EchoRequest&) { co_return EchoResponse(); }
};

TEST(ServerStart, the_same_method_path_twice_is_already_exists) {
  Server server;
  Twice twice;
  server.add_service(twice).listen("127.0.0.1:0");
  Status st = server.start();
  EXPECT_EQ(st.code(), StatusCode::already_exists);
  EXPECT_MENTIONS(st.message(), "'/pronto.test.Twice/Same'");
}

TEST(ServerStart, started_twice_is_failed_precondition) {
  EchoServer server;
  EXPECT_EQ(server.server().start().code(), StatusCode::failed_precondition);
}

// ---- run() and signals -----------------------------------------------------

std::atomic<int> g_custom_handler_calls{0};
extern "C" void custom_handler(int) { ++g_custom_handler_calls; }

struct sigaction current_action(int sig) {
  struct sigaction sa {};
  ::sigaction(sig, nullptr, &sa);
  return sa;
}

// Runs `server` (listening on `address`) in a thread; ready once a call goes
// through.
class RunningServer {
 public:
  RunningServer(Server& server, const std::string& target) : server_(server) {
    thread_ = std::thread([this] {
      result_ = server_.run();
      done_ = true;
    });
    Echo::Stub stub(Channel::create(target, {.initial_backoff = 20ms}));
    ready_ = eventually([&] { return stub.Unary(request("ready")).ok(); });
  }
  ~RunningServer() {
    if (thread_.joinable()) {
      server_.shutdown(0ms);
      thread_.join();
    }
  }
  bool ready() const { return ready_; }
  bool done() const { return done_; }
  Status join() {
    thread_.join();
    return result_;
  }

 private:
  Server& server_;
  std::thread thread_;
  Status result_;
  std::atomic<bool> done_{false};
  bool ready_ = false;
};

TEST(ServerRun, sigterm_in_process_shuts_down_and_the_previous_handler_is_put_back) {
  struct sigaction custom {};
  custom.sa_handler = custom_handler;
  sigemptyset(&custom.sa_mask);
  struct sigaction saved_term {
  }, saved_int{};
  ::sigaction(SIGTERM, &custom, &saved_term);
  ::sigaction(SIGINT, &custom, &saved_int);
  g_custom_handler_calls = 0;
  {
    const std::string address = "unix-abstract:" + unique_name("run");
    Server server({.event_loops = 1, .shutdown_grace = 1s});
    EchoService svc;
    server.add_service(svc).listen(address);
    RunningServer running(server, address);
    ASSERT_TRUE(running.ready());
    EXPECT_NE(current_action(SIGTERM).sa_handler, custom_handler);  // run()'s own
    ::kill(::getpid(), SIGTERM);
    EXPECT_TRUE(eventually([&] { return running.done(); }, 5s));
    EXPECT_TRUE(running.join().ok());
  }
  EXPECT_EQ(g_custom_handler_calls.load(), 0);
  EXPECT_EQ(current_action(SIGTERM).sa_handler, custom_handler);
  EXPECT_EQ(current_action(SIGINT).sa_handler, custom_handler);
  ::kill(::getpid(), SIGINT);
  EXPECT_TRUE(eventually([] { return g_custom_handler_calls.load() == 1; }));
  ::sigaction(SIGTERM, &saved_term, nullptr);
  ::sigaction(SIGINT, &saved_int, nullptr);
}

TEST(ServerRun, returns_ok_after_shutdown_from_another_thread) {
  const auto before = current_action(SIGINT).sa_handler;
  const std::string address = "unix-abstract:" + unique_name("run");
  Server server({.event_loops = 1});
  EchoService svc;
  server.add_service(svc).listen(address);
  RunningServer running(server, address);
  ASSERT_TRUE(running.ready());
  server.shutdown(100ms);
  EXPECT_TRUE(eventually([&] { return running.done(); }, 5s));
  EXPECT_TRUE(running.join().ok());
  EXPECT_EQ(current_action(SIGINT).sa_handler, before);
}

TEST(ServerRun, after_start_serves_the_started_server) {
  Server server({.event_loops = 1});
  EchoService svc;
  server.add_service(svc).listen("127.0.0.1:0");
  ASSERT_TRUE(server.start().ok());
  const int port = server.port();  // known before run()
  ASSERT_GT(port, 0);
  const auto before = current_action(SIGTERM).sa_handler;
  RunningServer running(server, "127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(running.ready());
  // Served since start(): wait for run()'s handler before signalling.
  ASSERT_TRUE(eventually([&] { return current_action(SIGTERM).sa_handler != before; }));
  ::kill(::getpid(), SIGTERM);
  EXPECT_TRUE(eventually([&] { return running.done(); }, 5s));
  EXPECT_TRUE(running.join().ok());
}

TEST(ServerRun, without_handle_signals_leaves_the_handlers_alone) {
  const auto before = current_action(SIGTERM).sa_handler;
  const std::string address = "unix-abstract:" + unique_name("run");
  Server server({.event_loops = 1, .handle_signals = false});
  EchoService svc;
  server.add_service(svc).listen(address);
  RunningServer running(server, address);
  ASSERT_TRUE(running.ready());
  EXPECT_EQ(current_action(SIGTERM).sa_handler, before);
  server.shutdown(0ms);
  EXPECT_TRUE(running.join().ok());
}

// A pronto-run-server child process.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    args.insert(args.begin(), PRONTO_RUN_SERVER);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // The exit status, or -1 if it has not exited within `limit`.
  int wait_exit(std::chrono::milliseconds limit) {
    int status = 0;
    if (!eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, limit)) return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

// Waits until the child serves `target`.
bool serving(Echo::Stub& stub) {
  return eventually([&] { return stub.Unary(request("ready")).ok(); }, 10s);
}

TEST(ServerRun, child_exits_0_after_sigterm_cutting_a_long_call_at_the_grace) {
  const std::string address = "unix-abstract:" + unique_name("child");
  Child child({"--address=" + address, "--grace-ms=500"});
  Echo::Stub stub(Channel::create(address, {.initial_backoff = 20ms}));
  ASSERT_TRUE(serving(stub));
  Result<EchoResponse> r = Status::unknown("not run");
  std::thread caller([&] { r = stub.Unary(request("long", 30000)); });
  std::this_thread::sleep_for(200ms);  // the call is in the server
  const auto start = Clock::now();
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait_exit(10s), 0);
  const auto took = Clock::now() - start;
  caller.join();
  EXPECT_GE(took, 450ms);  // the grace period was given
  EXPECT_LT(took, 4s);
  EXPECT_FALSE(r.ok());
}

TEST(ServerRun, child_exits_0_after_sigint_once_a_short_call_has_finished) {
  const std::string address = "unix-abstract:" + unique_name("child");
  Child child({"--address=" + address, "--grace-ms=5000"});
  Echo::Stub stub(Channel::create(address, {.initial_backoff = 20ms}));
  ASSERT_TRUE(serving(stub));
  Result<EchoResponse> r = Status::unknown("not run");
  std::thread caller([&] { r = stub.Unary(request("short", 600)); });
  std::this_thread::sleep_for(200ms);
  const auto start = Clock::now();
  child.signal(SIGINT);
  EXPECT_EQ(child.wait_exit(10s), 0);
  EXPECT_LT(Clock::now() - start, 4s);  // not the whole grace: the call finished
  caller.join();
  EXPECT_TRUE(r.ok()) << r.status().to_string();
}

TEST(ServerRun, a_second_signal_ends_the_grace_period) {
  const std::string address = "unix-abstract:" + unique_name("child");
  Child child({"--address=" + address, "--grace-ms=30000"});
  Echo::Stub stub(Channel::create(address, {.initial_backoff = 20ms}));
  ASSERT_TRUE(serving(stub));
  Result<EchoResponse> r = Status::unknown("not run");
  std::thread caller([&] { r = stub.Unary(request("long", 60000)); });
  std::this_thread::sleep_for(200ms);
  const auto start = Clock::now();
  child.signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  child.signal(SIGINT);
  EXPECT_EQ(child.wait_exit(10s), 0);
  EXPECT_LT(Clock::now() - start, 5s);
  caller.join();
  EXPECT_FALSE(r.ok());
}

TEST(ServerRun, child_exits_2_when_run_cannot_start) {
  Child child({"--address=localhost"});  // no port
  EXPECT_EQ(child.wait_exit(10s), 2);
}

// ---- channel targets -------------------------------------------------------

TEST(ChannelTarget, a_bad_target_fails_calls_at_once_naming_the_problem) {
  auto channel = Channel::create("http://localhost:1");
  Status st = channel->target_status();
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_MENTIONS(st.message(), "'http://localhost:1'");
  EXPECT_MENTIONS(st.message(), "unsupported scheme 'http'");
  Echo::Stub stub(channel);
  const auto start = Clock::now();
  auto r = stub.Unary(request("x"));
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(r.status().code(), StatusCode::invalid_argument);
  EXPECT_EQ(r.status().message(), st.message());
  // Streaming calls too.
  auto stream = stub.ServerStream(request("x"));
  for ([[maybe_unused]] const auto& m : stream) {
  }
  EXPECT_EQ(stream.status().code(), StatusCode::invalid_argument);
  EXPECT_TRUE(Channel::create("localhost:1")->target_status().ok());
}

TEST(ChannelTarget, unix_abstract_end_to_end) {
  const std::string address = "unix-abstract:" + unique_name("abstract");
  Server server({.event_loops = 1});
  EchoService svc;
  server.add_service(svc).listen(address);
  ASSERT_TRUE(server.start().ok());
  EXPECT_EQ(server.ports(), std::vector<int>{0});
  Echo::Stub stub(Channel::create(address));
  auto r = stub.Unary(request("abstract"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), "abstract");
  server.shutdown(0ms);
}

TEST(ChannelTarget, grpc_forms_reach_the_server) {
  EchoServer server;
  const std::string port = std::to_string(server.server().port());
  for (std::string target :
       {"dns:///127.0.0.1:" + port, "dns:127.0.0.1:" + port, "dns://8.8.8.8/localhost:" + port,
        "ipv4:127.0.0.1:" + port, "localhost:" + port}) {
    Echo::Stub stub(Channel::create(target));
    auto r = stub.Unary(request("x"));
    EXPECT_TRUE(r.ok()) << target << ": " << r.status().to_string();
  }
}

TEST(ChannelTarget, an_address_list_falls_through_to_the_next_address) {
  int dead_port;
  {
    EchoServer tmp;
    dead_port = tmp.server().port();
  }
  EchoServer server;
  Echo::Stub stub(Channel::create("ipv4:127.0.0.1:" + std::to_string(dead_port) +
                                  ",127.0.0.1:" + std::to_string(server.server().port())));
  auto r = stub.Unary(request("x"));
  EXPECT_TRUE(r.ok()) << r.status().to_string();
}

TEST(ChannelTarget, unix_triple_slash_end_to_end) {
  auto path = std::filesystem::temp_directory_path() / unique_name("uds");
  EchoServer server({.event_loops = 1}, {}, "unix:" + path.string());
  Echo::Stub stub(Channel::create("unix://" + path.string()));
  auto r = stub.Unary(request("x"));
  EXPECT_TRUE(r.ok()) << r.status().to_string();
}

// ---- the log sink ----------------------------------------------------------

// Captures what pronto logs while it lives; puts the default sink back.
class CapturedLog {
 public:
  explicit CapturedLog(LogLevel level) {
    set_log_level(level);
    set_log_sink([this](LogLevel l, std::string_view m) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(l, std::string(m));
    });
  }
  ~CapturedLog() {
    set_log_sink(nullptr);
    set_log_level(LogLevel::warning);
  }
  // The first message containing `part`, if any.
  std::optional<std::pair<LogLevel, std::string>> find(std::string_view part) {
    std::lock_guard lock(mu_);
    for (auto& l : lines_)
      if (l.second.find(part) != std::string::npos) return l;
    return std::nullopt;
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return lines_.size();
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

// Opens a plain TCP connection to a TLS port and sends an HTTP/2 preface:
// the TLS handshake fails.
void plaintext_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  ASSERT_GT(::write(fd, preface, sizeof preface - 1), 0);
  char buffer[256];
  while (::read(fd, buffer, sizeof buffer) > 0) {  // until the server closes
  }
  ::close(fd);
}

class Log : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCerts(); }
  static void TearDownTestSuite() { delete certs_; }
  static TlsServerOptions server_tls() {
    return {.cert_file = certs_->server_cert, .key_file = certs_->server_key};
  }
  static TestCerts* certs_;
};
TestCerts* Log::certs_ = nullptr;

TEST_F(Log, a_failed_tls_handshake_reaches_the_sink_at_debug) {
  CapturedLog log(LogLevel::debug);
  EchoServer server({.event_loops = 1}, {}, "127.0.0.1:0", server_tls());
  plaintext_to(server.server().port());
  ASSERT_TRUE(eventually([&] { return log.find("TLS handshake with client ipv4:127.0.0.1:").has_value(); }));
  EXPECT_EQ(log.find("TLS handshake")->first, LogLevel::debug);
  auto listening =
      log.find("listening on 127.0.0.1:0 with TLS (port " + std::to_string(server.server().port()));
  ASSERT_TRUE(listening.has_value());
  EXPECT_EQ(listening->first, LogLevel::info);
}

TEST_F(Log, the_level_filters_what_reaches_the_sink) {
  CapturedLog log(LogLevel::warning);
  {
    EchoServer server({.event_loops = 1}, {}, "127.0.0.1:0", server_tls());
    plaintext_to(server.server().port());
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(log.size(), 0u);  // per-connection noise and info stay out by default
  EXPECT_FALSE(detail::log_enabled(LogLevel::info));
  EXPECT_TRUE(detail::log_enabled(LogLevel::warning));
  set_log_level(LogLevel::error);
  detail::log(LogLevel::warning, "filtered");
  detail::log(LogLevel::error, "kept");
  EXPECT_FALSE(log.find("filtered"));
  EXPECT_EQ(log.find("kept")->first, LogLevel::error);
  EXPECT_EQ(log_level(), LogLevel::error);
}

TEST(LogFormat, long_messages_and_a_throwing_sink) {
  CapturedLog log(LogLevel::debug);
  const std::string big(5000, 'b');
  detail::logf(LogLevel::info, "big %s end", big.c_str());
  ASSERT_TRUE(log.find(" end").has_value());
  EXPECT_EQ(log.find(" end")->second, "big " + big + " end");
  set_log_sink([](LogLevel, std::string_view) { throw std::runtime_error("sink failed"); });
  detail::log(LogLevel::error, "ignored");  // does not throw
  EXPECT_EQ(to_string(LogLevel::warning), "warning");
}

}  // namespace
}  // namespace pronto::test
