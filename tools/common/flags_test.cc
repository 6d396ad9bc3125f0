// cli::Flags: both value spellings, every kind of flag, --help, and every
// usage error (message and, through parse_or_exit, exit status 2).
#include "flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Args = std::vector<std::string>;

// Every kind of flag, with its defaults, as a program would register them.
struct Program {
  std::string target = "localhost:50051";
  int port = 50051;
  std::int64_t bytes = 1 << 20;
  double seconds = 5;
  bool tls = false;
  bool progress = true;
  std::chrono::nanoseconds timeout = 20s;
  std::vector<std::string> metadata;
  std::string format = "text";
  cli::Flags flags{"prog", "Does things."};

  Program() {
    flags.string("target=HOST:PORT", &target, "server address")
        .integer("port", &port, 0, 65535, "port; 0 picks one")
        .integer("total-bytes", &bytes, std::int64_t{0}, std::numeric_limits<std::int64_t>::max(), "bytes")
        .number("seconds", &seconds, 0, 1e6, "how long")
        .section("Transport:")
        .boolean("tls", &tls, "TLS")
        .boolean("progress", &progress, "progress line")
        .duration("timeout", &timeout, "per call")
        .list("metadata=KEY:VALUE", &metadata, "request metadata")
        .custom(
            "format=text|json",
            [this](const std::string& v) -> std::string {
              if (v != "text" && v != "json") return "--format must be text or json, not '" + v + "'";
              format = v;
              return "";
            },
            "output format", "text");
  }
  std::string parse(const Args& args) { return flags.parse(args); }
};

TEST(Flags, DefaultsStandWhenNothingIsGiven) {
  Program p;
  EXPECT_EQ(p.parse({}), "");
  EXPECT_EQ(p.target, "localhost:50051");
  EXPECT_EQ(p.port, 50051);
  EXPECT_EQ(p.timeout, 20s);
  EXPECT_TRUE(p.progress);
  EXPECT_FALSE(p.flags.given("port"));
  EXPECT_FALSE(p.flags.help_requested());
}

TEST(Flags, EverySpelling) {
  Program p;
  ASSERT_EQ(
      p.parse({"--target", "h:1", "--port=0", "--total_bytes", "7", "--seconds=1.5", "--tls", "--no-progress",
               "--timeout", "250ms", "--metadata=a:1", "--metadata", "b:2", "--format=json"}),
      "");
  EXPECT_EQ(p.target, "h:1");
  EXPECT_EQ(p.port, 0);
  EXPECT_EQ(p.bytes, 7);
  EXPECT_EQ(p.seconds, 1.5);
  EXPECT_TRUE(p.tls);
  EXPECT_FALSE(p.progress);
  EXPECT_EQ(p.timeout, 250ms);
  EXPECT_EQ(p.metadata, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ(p.format, "json");
  EXPECT_TRUE(p.flags.given("port"));
  EXPECT_TRUE(p.flags.given("total-bytes"));  // either spelling asks
  EXPECT_TRUE(p.flags.given("progress"));

  Program q;
  ASSERT_EQ(q.parse({"--tls=true", "--progress=no", "--port=1", "--port=2", "--target="}), "");
  EXPECT_TRUE(q.tls);
  EXPECT_FALSE(q.progress);
  EXPECT_EQ(q.port, 2);  // the last one wins
  EXPECT_EQ(q.target, "");

  Program r;
  ASSERT_EQ(r.parse({"--tls", "--port", "9"}), "");  // a bare boolean does not take the next argument
  EXPECT_TRUE(r.tls);
  EXPECT_EQ(r.port, 9);
  for (const char* v : {"false", "0", "no"}) {
    Program b;
    b.tls = true;
    ASSERT_EQ(b.parse({std::string("--tls=") + v}), "") << v;
    EXPECT_FALSE(b.tls) << v;
  }
}

TEST(Flags, Help) {
  for (const char* arg : {"--help", "-h", "-help"}) {
    Program p;
    EXPECT_EQ(p.parse({"--port=1", arg, "--bogus"}), "") << arg;  // stops at --help
    EXPECT_TRUE(p.flags.help_requested()) << arg;
  }
  const std::string help = Program().flags.help();
  EXPECT_EQ(help.rfind("usage: prog [--target=HOST:PORT] [--port=N]", 0), 0u) << help;
  for (const char* want :
       {"Does things.", "  --target=HOST:PORT      server address (default: \"localhost:50051\")", "--port=N",
        "port; 0 picks one (default: 50051)", "Transport:\n  --tls", "(default: 20s)", "--metadata=KEY:VALUE",
        "(repeatable)", "--format=text|json", "  --help"}) {
    EXPECT_NE(help.find(want), std::string::npos) << want << "\n" << help;
  }
}

TEST(Flags, UsageErrors) {
  // (arguments, the error they make)
  const std::vector<std::pair<Args, std::string>> cases = {
      {{"--prot=1"}, "unknown flag --prot"},
      {{"--no-port"}, "unknown flag --no-port"},  // --no- is for booleans only
      {{"--no-tls=true"}, "--no-tls takes no value"},
      {{"positional"}, "unexpected argument 'positional' (flags are --name=value)"},
      {{"-p"}, "unexpected argument '-p' (flags are --name=value)"},
      {{"--"}, "unexpected argument '--' (flags are --name=value)"},
      {{"--port"}, "--port needs a value"},
      {{"--port=65536"}, "--port must be a whole number in 0..65535, not '65536'"},
      {{"--port=-1"}, "--port must be a whole number in 0..65535, not '-1'"},
      {{"--port=1x"}, "--port must be a whole number in 0..65535, not '1x'"},
      {{"--port="}, "--port must be a whole number in 0..65535, not ''"},
      {{"--port=99999999999999999999"},
       "--port must be a whole number in 0..65535, not '99999999999999999999'"},
      {{"--total-bytes=-5"}, "--total-bytes must be a whole number of at least 0, not '-5'"},
      {{"--seconds=abc"}, "--seconds must be a number in 0..1e+06, not 'abc'"},
      {{"--seconds=-1"}, "--seconds must be a number in 0..1e+06, not '-1'"},
      {{"--tls=maybe"}, "--tls takes true or false, not 'maybe'"},
      {{"--timeout=10x"}, "--timeout must be a duration like 10s, 500ms or 1m30s, not '10x'"},
      {{"--format=xml"}, "--format must be text or json, not 'xml'"},
  };
  for (const auto& [args, error] : cases) {
    Program p;
    EXPECT_EQ(p.parse(args), error) << args[0];
  }
}

TEST(Flags, RequiredFlags) {
  int port = 0;
  cli::Flags flags("server");
  flags.integer("port", &port, 0, 65535, "port").required();
  EXPECT_EQ(flags.parse(Args{}), "--port is required");
  EXPECT_EQ(flags.usage(), "usage: server --port=N\n");
  cli::Flags again("server");
  again.integer("port", &port, 0, 65535, "port").required();
  EXPECT_EQ(again.parse(Args{"--port=0"}), "");
  EXPECT_EQ(again.parse(Args{"--port=8"}), "");
  EXPECT_EQ(port, 8);
}

TEST(Flags, ArgvSkipsTheProgramName) {
  Program p;
  const char* argv[] = {"prog", "--port=7", nullptr};
  EXPECT_EQ(p.flags.parse(2, argv), "");
  EXPECT_EQ(p.port, 7);
  Program none;
  EXPECT_EQ(none.flags.parse(0, argv), "");
}

TEST(Flags, Durations) {
  EXPECT_EQ(cli::parse_duration("10s"), std::chrono::nanoseconds(10s));
  EXPECT_EQ(cli::parse_duration("250ms"), std::chrono::nanoseconds(250ms));
  EXPECT_EQ(cli::parse_duration("1m30s"), std::chrono::nanoseconds(90s));
  EXPECT_EQ(cli::parse_duration("2h"), std::chrono::nanoseconds(7200s));
  EXPECT_EQ(cli::parse_duration("1.5s"), std::chrono::nanoseconds(1500ms));
  EXPECT_EQ(cli::parse_duration("100us"), std::chrono::nanoseconds(100us));
  EXPECT_EQ(cli::parse_duration("100\xC2\xB5s"), std::chrono::nanoseconds(100us));
  EXPECT_EQ(cli::parse_duration("42ns"), std::chrono::nanoseconds(42));
  EXPECT_EQ(cli::parse_duration("3"), std::chrono::nanoseconds(3s));
  EXPECT_EQ(cli::parse_duration("0"), std::chrono::nanoseconds(0));
  for (const char* bad :
       {"", "s", "-1s", "10x", "10 s", "1.2.3s", "ms10", "1e3s", "5sec", "1m30", "1.2.3", "2e9s"}) {
    EXPECT_FALSE(cli::parse_duration(bad)) << bad;
  }
  EXPECT_EQ(cli::format_duration(20s), "20s");
  EXPECT_EQ(cli::format_duration(90s), "90s");
  EXPECT_EQ(cli::format_duration(std::chrono::minutes(2)), "2m");
  EXPECT_EQ(cli::format_duration(1500ms), "1500ms");
  EXPECT_EQ(cli::format_duration(std::chrono::nanoseconds(7)), "7ns");
  EXPECT_EQ(cli::format_duration(std::chrono::nanoseconds(0)), "0");
}

// The process-level behaviour: exit 2 and the message on stderr, exit 0
// and the help on stdout.
TEST(FlagsDeathTest, ParseOrExit) {
  auto run = [](std::vector<const char*> argv) {
    Program p;
    p.flags.parse_or_exit(static_cast<int>(argv.size()), argv.data());
    std::exit(3);  // parsed: neither help nor an error
  };
  EXPECT_EXIT(run({"prog", "--bogus=1"}), testing::ExitedWithCode(2),
              "prog: unknown flag --bogus\nusage: prog .*\nRun 'prog --help' for the flags.");
  EXPECT_EXIT(run({"prog", "--port=x"}), testing::ExitedWithCode(2), "prog: --port must be a whole number");
  EXPECT_EXIT(run({"prog", "stray"}), testing::ExitedWithCode(2), "unexpected argument 'stray'");
  EXPECT_EXIT(run({"prog", "--help"}), testing::ExitedWithCode(0), "");
  EXPECT_EXIT(run({"prog", "--port=1"}), testing::ExitedWithCode(3), "");
  EXPECT_EXIT(Program().flags.fail("--a and --b are exclusive"), testing::ExitedWithCode(2),
              "prog: --a and --b are exclusive");
}

TEST(FlagsDeathTest, RegisteringANameTwiceAborts) {
  int a = 0, b = 0;
  cli::Flags flags("prog");
  flags.integer("chunk-kib", &a, 0, 10, "");
  EXPECT_DEATH(flags.integer("chunk_kib", &b, 0, 10, ""), "flag --chunk_kib registered twice");
}

}  // namespace
