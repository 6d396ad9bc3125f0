// tools/bench/options.h — pronto-bench's command line: what to call, how hard
// and for how long, and how to report.
//
// Parsed by the tree's flag parser (tools/common/flags.h): `--name=value` or
// `--name value`; `-` and `_` are the same in names (`--binary-file` =
// `--binary_file`); a bare boolean flag means true, --no-name false.
// Unknown flags and bad values are errors (nothing is silently ignored).
//
// Ownership: BenchOptions is a plain value. Threading: one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pronto/status.h"

namespace pronto_bench {

enum class OutputFormat { text, json };

struct BenchOptions {
  std::string target;   // host:port (any pronto::Channel target)
  std::string service;  // "helloworld.Greeter" (from --call)
  std::string method;   // "SayHello"

  // The request: JSON (--data, "@file" reads a file) needs --proto; raw
  // serialized bytes (--binary_file) do not. Neither: an empty message.
  std::optional<std::string> data;
  std::string binary_file;
  std::string proto;
  std::vector<std::string> import_paths;

  int connections = 1;   // channels, one HTTP/2 connection and loop thread each
  int concurrency = 50;  // calls in flight in total, spread over the channels
  // Run for `duration` or until `total` calls, whichever comes first;
  // neither given: 10 s.
  std::optional<std::chrono::nanoseconds> duration;
  std::optional<std::uint64_t> total;
  std::chrono::nanoseconds timeout = std::chrono::seconds(20);  // per call; 0: none
  std::vector<std::pair<std::string, std::string>> metadata;

  bool tls = false;
  std::string ca_file;
  std::string server_name;  // TLS name override (SNI and verification)
  std::string cert_file;    // mTLS client certificate
  std::string key_file;

  OutputFormat format = OutputFormat::text;
  std::optional<bool> progress;  // unset: when stderr is a terminal
  bool help = false;

  // "helloworld.Greeter/SayHello"
  std::string call_name() const { return service + "/" + method; }
  // "/helloworld.Greeter/SayHello", the HTTP/2 :path
  std::string path() const { return "/" + service + "/" + method; }
};

// Parses the arguments after argv[0]. INVALID_ARGUMENT naming the problem
// on a usage error. With --help, returns at once with `help` set.
pronto::Result<BenchOptions> parse_flags(const std::vector<std::string>& args);

// The --help text.
std::string usage_text();

}  // namespace pronto_bench
