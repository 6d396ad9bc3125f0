// Runs of the pronto-bench binary: against helloworld-server (a child
// process on a free port) and against a port nobody listens on. Every child
// is killed and reaped by its owner's destructor.
#include <arpa/inet.h>
#include <fcntl.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Stops and reaps a child: SIGTERM, then SIGKILL if it lingers.
void reap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto give_up = Clock::now() + 5s;
  while (waitpid(pid, nullptr, WNOHANG) == 0) {
    if (Clock::now() > give_up) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
}

pid_t spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  pid_t pid = fork();
  if (pid == 0) {
    if (out_fd >= 0) dup2(out_fd, STDOUT_FILENO);
    if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

struct Output {
  int exit_code = -1;
  std::string out, err;
};

// Runs argv to completion (killed after `limit`), capturing stdout/stderr.
Output run(const std::vector<std::string>& argv, std::chrono::seconds limit = 60s) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return {};
  pid_t pid = spawn(argv, out_pipe[1], err_pipe[1]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  Output result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  const auto give_up = Clock::now() + limit;
  while (open_fds > 0 && Clock::now() < give_up) {
    if (poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  if (open_fds > 0) {
    ADD_FAILURE() << argv[0] << " did not finish in " << limit.count() << "s; killed";
    kill(pid, SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

#ifdef HELLOWORLD_SERVER
// helloworld-server --port=0 as a child, for the life of the object.
class GreeterProcess {
 public:
  GreeterProcess() {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return;
    pid_ = spawn({HELLOWORLD_SERVER, "--port=0", "--threads=1"}, p[1], -1);
    close(p[1]);
    out_ = p[0];
    std::string text;
    const auto give_up = Clock::now() + 20s;
    while (Clock::now() < give_up && text.find('\n') == std::string::npos) {
      pollfd pfd{out_, POLLIN, 0};
      if (poll(&pfd, 1, 100) <= 0) continue;
      char buf[256];
      ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    if (std::sscanf(text.c_str(), "listening on port %d", &port_) != 1) port_ = 0;
  }
  ~GreeterProcess() {
    reap(pid_);
    if (out_ >= 0) close(out_);
  }
  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
};
#endif

// A loopback port that refuses connections: bound but not listening, and
// held for the life of the object so nobody else takes it.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~ClosedPort() { close(fd_); }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

google::protobuf::Struct parse_json(const std::string& text) {
  google::protobuf::Struct s;
  auto st = google::protobuf::util::JsonStringToMessage(text, &s);
  EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << text;
  return s;
}

const google::protobuf::Value& field(const google::protobuf::Struct& s, const std::string& key) {
  static const google::protobuf::Value missing;
  auto it = s.fields().find(key);
  if (it == s.fields().end()) {
    ADD_FAILURE() << "no field " << key;
    return missing;
  }
  return it->second;
}

double number(const google::protobuf::Struct& s, const std::string& key) {
  return field(s, key).number_value();
}

std::vector<std::string> bench(std::vector<std::string> flags) {
  flags.insert(flags.begin(), PRONTO_BENCH_BIN);
  return flags;
}

#ifdef HELLOWORLD_SERVER
TEST(BenchRun, HelloworldJsonRequestTwoHundredCalls) {
  GreeterProcess server;
  ASSERT_GT(server.port(), 0) << "helloworld-server did not start";
  Output r = run(bench({"--target=" + server.target(), "--call=helloworld.Greeter/SayHello",
                        std::string("--proto=") + HELLOWORLD_PROTO, R"(--data={"name":"bench"})",
                        "--total=200", "--concurrency=10", "--format=json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto s = parse_json(r.out);
  EXPECT_EQ(number(s, "calls"), 200);
  EXPECT_EQ(number(s, "ok"), 200);
  EXPECT_EQ(number(s, "errors"), 0);
  EXPECT_EQ(number(s, "messages"), 200);
  EXPECT_EQ(field(s, "kind").string_value(), "unary");
  const auto& codes = field(s, "status_codes").struct_value();
  EXPECT_EQ(codes.fields().size(), 1u);
  EXPECT_EQ(number(codes, "OK"), 200);
  EXPECT_TRUE(field(s, "error_samples").struct_value().fields().empty());
  const auto& lat = field(s, "latency_us").struct_value();
  EXPECT_GT(number(lat, "min"), 0);
  EXPECT_LE(number(lat, "min"), number(lat, "p50"));
  EXPECT_LE(number(lat, "p50"), number(lat, "p99"));
  EXPECT_LE(number(lat, "p99"), number(lat, "max"));
  double in_histogram = 0;
  for (const auto& b : field(s, "histogram").list_value().values())
    in_histogram += number(b.struct_value(), "count");
  EXPECT_EQ(in_histogram, 200);
  EXPECT_GT(number(s, "calls_per_s"), 0);
}

TEST(BenchRun, HelloworldBinaryRequestOverTwoConnections) {
  GreeterProcess server;
  ASSERT_GT(server.port(), 0);
  const std::string file = ::testing::TempDir() + "/pronto_bench_hello.bin";
  std::ofstream(file, std::ios::binary) << std::string("\x0a\x05world", 7);  // HelloRequest{name: "world"}
  Output r =
      run(bench({"--target=" + server.target(), "--call=helloworld.Greeter/SayHello", "--binary_file=" + file,
                 "--connections=2", "--concurrency=4", "--total=50", "--format=json"}));
  std::remove(file.c_str());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto s = parse_json(r.out);
  EXPECT_EQ(number(s, "calls"), 50);
  EXPECT_EQ(number(s, "ok"), 50);
  EXPECT_EQ(number(s, "connections"), 2);
}

TEST(BenchRun, DurationBoundsTheRunAndTextSummary) {
  GreeterProcess server;
  ASSERT_GT(server.port(), 0);
  Output r = run(bench({"--target=" + server.target(), "--call=helloworld.Greeter/SayHello",
                        "--duration=1500ms", "--concurrency=4", "--progress"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Calls/s:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("p99.9"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Latency histogram"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 0 errors)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  OK "), std::string::npos) << r.out;
  // --progress without a terminal: whole lines on stderr, about one a second.
  EXPECT_NE(r.err.find("calls/s"), std::string::npos) << r.err;
  // "Duration:    1.50Xs"
  auto at = r.out.find("Duration:");
  ASSERT_NE(at, std::string::npos);
  const double seconds = std::stod(r.out.substr(r.out.find_first_of("0123456789", at)));
  EXPECT_GE(seconds, 1.49);
  EXPECT_LT(seconds, 5);
}

TEST(BenchRun, UnknownMethodIsASetupError) {
  Output r = run(bench({"--target=127.0.0.1:1", "--call=helloworld.Greeter/SayGoodbye",
                        std::string("--proto=") + HELLOWORLD_PROTO, R"(--data={"name":"x"})"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("methods: SayHello"), std::string::npos) << r.err;
  Output bad_json = run(bench({"--target=127.0.0.1:1", "--call=helloworld.Greeter/SayHello",
                               std::string("--proto=") + HELLOWORLD_PROTO, R"(--data={"nome":"x"})"}));
  EXPECT_EQ(bad_json.exit_code, 1);
  EXPECT_NE(bad_json.err.find("helloworld.HelloRequest"), std::string::npos) << bad_json.err;
}
#endif

TEST(BenchRun, ClosedPortCountsUnavailable) {
  ClosedPort port;
  Output r = run(bench({"--target=" + port.target(), "--call=helloworld.Greeter/SayHello", "--total=30",
                        "--concurrency=5", "--timeout=5s", "--format=json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto s = parse_json(r.out);
  EXPECT_EQ(number(s, "calls"), 30);
  EXPECT_EQ(number(s, "ok"), 0);
  EXPECT_EQ(number(s, "errors"), 30);
  const auto& codes = field(s, "status_codes").struct_value();
  EXPECT_EQ(codes.fields().size(), 1u);
  EXPECT_EQ(number(codes, "UNAVAILABLE"), 30);
  const auto& samples = field(s, "error_samples").struct_value();
  EXPECT_NE(field(samples, "UNAVAILABLE").string_value().find("connect"), std::string::npos);
  EXPECT_EQ(field(s, "histogram").list_value().values_size(), 0);
}

TEST(BenchRun, UsageErrorExitsTwo) {
  Output r = run(bench({"--target=127.0.0.1:1", "--call=helloworld.Greeter/SayHello", "--concurrency=many"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--concurrency"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  Output help = run(bench({"--help"}));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: pronto-bench"), std::string::npos);
}

}  // namespace
