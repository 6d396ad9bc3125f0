// pronto-bench's options: defaults, spellings, and every usage error names
// the flag at fault (durations and the syntax itself: tools/common/flags_test.cc).
#include "options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pronto_bench {
namespace {

using namespace std::chrono_literals;
using Args = std::vector<std::string>;

Args base(Args extra = {}) {
  Args args = {"--target=127.0.0.1:50051", "--call=helloworld.Greeter/SayHello"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The error for `args`, which must be a usage error.
std::string error_of(const Args& args) {
  auto r = parse_flags(args);
  EXPECT_FALSE(r.ok()) << "accepted";
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), pronto::StatusCode::invalid_argument);
  return r.status().message();
}

TEST(BenchFlags, Defaults) {
  auto r = parse_flags(base());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->target, "127.0.0.1:50051");
  EXPECT_EQ(r->service, "helloworld.Greeter");
  EXPECT_EQ(r->method, "SayHello");
  EXPECT_EQ(r->path(), "/helloworld.Greeter/SayHello");
  EXPECT_EQ(r->connections, 1);
  EXPECT_EQ(r->concurrency, 50);
  EXPECT_EQ(r->duration, std::chrono::nanoseconds(10s));
  EXPECT_FALSE(r->total);
  EXPECT_EQ(r->timeout, std::chrono::nanoseconds(20s));
  EXPECT_FALSE(r->data);
  EXPECT_FALSE(r->tls);
  EXPECT_EQ(r->format, OutputFormat::text);
  EXPECT_FALSE(r->progress);
}

TEST(BenchFlags, EverySpelling) {
  auto r = parse_flags({"--target", "localhost:1", "--call=/pkg.Svc/Do", "--binary-file", "req.bin",
                        "--total=200", "--connections=2", "--concurrency", "8", "--timeout=1.5s",
                        "--metadata=x-user: alice", "--metadata=trace-bin:\x01\x02", "--format=json",
                        "--progress", "--tls", "--ca_file=ca.pem", "--server-name=example.com"});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->target, "localhost:1");
  EXPECT_EQ(r->call_name(), "pkg.Svc/Do");
  EXPECT_EQ(r->binary_file, "req.bin");
  EXPECT_EQ(r->total, 200u);
  EXPECT_FALSE(r->duration);  // --total alone: no time limit
  EXPECT_EQ(r->connections, 2);
  EXPECT_EQ(r->concurrency, 8);
  EXPECT_EQ(r->timeout, std::chrono::nanoseconds(1500ms));
  ASSERT_EQ(r->metadata.size(), 2u);
  EXPECT_EQ(r->metadata[0], (std::pair<std::string, std::string>("x-user", "alice")));
  EXPECT_EQ(r->metadata[1].second, "\x01\x02");
  EXPECT_EQ(r->format, OutputFormat::json);
  EXPECT_EQ(r->progress, true);
  EXPECT_TRUE(r->tls);
  EXPECT_EQ(r->ca_file, "ca.pem");
  EXPECT_EQ(r->server_name, "example.com");

  auto dotted = parse_flags({"--target=h:1", "--call=pkg.sub.Svc.Do", "--progress=false", "--duration=2s",
                             "--total=5", "--timeout=0"});
  ASSERT_TRUE(dotted.ok()) << dotted.status().to_string();
  EXPECT_EQ(dotted->service, "pkg.sub.Svc");
  EXPECT_EQ(dotted->method, "Do");
  EXPECT_EQ(dotted->progress, false);
  EXPECT_EQ(dotted->duration, std::chrono::nanoseconds(2s));
  EXPECT_EQ(dotted->total, 5u);
  EXPECT_EQ(dotted->timeout.count(), 0);
}

TEST(BenchFlags, Help) {
  auto r = parse_flags({"--help"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->help);
  const std::string usage = usage_text();
  for (const char* want :
       {"usage: pronto-bench --target=HOST:PORT --call=PACKAGE.SERVICE/METHOD [flags]", "--concurrency=N",
        "(default: 50)", "--timeout=D", "(default: 20s)", "Transport:"}) {
    EXPECT_NE(usage.find(want), std::string::npos) << want << "\n" << usage;
  }
}

TEST(BenchFlags, UsageErrorsNameTheFlag) {
  struct Case {
    Args args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--call=a.B/C"}, "--target"},
      {{"--target=h:1"}, "--call"},
      {base({"--call=Greeter"}), "--call must look like"},
      {base({"--call=a.B/"}), "--call must look like"},
      {base({"--call=a.B/C/D"}), "--call must look like"},
      {base({"--concurency=5"}), "unknown flag --concurency"},
      {base({"positional"}), "unexpected argument 'positional'"},
      {base({"--total"}), "--total needs a value"},
      {base({"--connections=0"}), "--connections"},
      {base({"--concurrency=lots"}), "--concurrency"},
      {base({"--concurrency=-3"}), "--concurrency"},
      {base({"--connections=4", "--concurrency=2"}), "at least --connections"},
      {base({"--total=0"}), "--total must be positive"},
      {base({"--total=1e3"}), "--total"},
      {base({"--duration=0s"}), "--duration must be positive"},
      {base({"--duration=10x"}), "--duration"},
      {base({"--timeout=soon"}), "--timeout"},
      {base({"--data={}"}), "needs --proto"},
      {base({"--data={}", "--binary_file=f", "--proto=p.proto"}), "exclusive"},
      {base({"--import_path=dir"}), "--import_path is only used with --proto"},
      {base({"--format=xml"}), "--format"},
      {base({"--metadata=novalue"}), "--metadata must be KEY:VALUE"},
      {base({"--metadata=Bad Key:v"}), "--metadata"},
      {base({"--metadata=grpc-timeout:1S"}), "--metadata"},
      {base({"--tls", "--insecure"}), "exclusive"},
      {base({"--ca_file=ca.pem"}), "need --tls"},
      {base({"--tls", "--cert=c.pem"}), "--cert and --key go together"},
      {base({"--progress=maybe"}), "--progress"},
  };
  for (const auto& c : cases) {
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    SCOPED_TRACE(joined);
    const std::string err = error_of(c.args);
    EXPECT_NE(err.find(c.says), std::string::npos) << "error was: " << err;
  }
}

}  // namespace
}  // namespace pronto_bench
