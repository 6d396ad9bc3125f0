// pronto-interop-client — runs the interop test cases (grpc/grpc
// doc/interop-test-descriptions.md) against a TestService server, on pronto.
// Same flags and output as the reference clients (grpcpp-interop-client,
// python_interop_client.py; see tests/interop/README.md):
//
//   pronto-interop-client --server_port=N [--server_host=localhost]
//                         [--test_case=all|name[,name...]] [--use_tls=false]
//                         [--server_host_override=NAME] [--ca_file=PEM]
//                         [--soak_iterations=10] [--soak_max_failures=0]
//                         [--soak_per_iteration_max_acceptable_latency_ms=1000]
//                         [--soak_overall_timeout_seconds=10]
//                         [--soak_min_time_ms_between_rpcs=0]
//
// Prints `PASS name` (or `PASS name: details`, e.g. the soak cases' counts
// and latencies) or `FAIL name: reason` per case (one line each), then
// `N passed, M failed`. Exit status: 0 if every case passed, 1 if any
// failed, 2 on bad usage (unknown flag or case name, unreadable --ca_file).
//
// TLS: --use_tls=true connects with TLS (ALPN h2), verifying the server's
// certificate against --ca_file (default: the system roots) and the name
// --server_host_override (default: --server_host), which is then also the
// :authority. In plaintext, --server_host_override only sets the :authority,
// as the official clients' default-authority option does.
//
// `all` runs every case this client has, the soak cases included (as the
// official C++ client's `all` does). Not implemented: the auth
// (cloud-to-prod) cases, cacheable_unary (needs a caching proxy).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "cases/cases.h"
#include "interop_flags.h"  // tests/interop: every C++ peer's flags

namespace {

using pronto_interop::NamedCase;

constexpr char kProgram[] = "pronto-interop-client";
// The cases named by --test_case, in the order given; false on an unknown name.
bool select_cases(const std::string& spec, std::vector<NamedCase>& selected, std::string& error) {
  const auto& all = pronto_interop::all_cases();
  if (spec == "all") {
    selected = all;
    return true;
  }
  std::stringstream names(spec);
  for (std::string name; std::getline(names, name, ',');) {
    auto it = std::find_if(all.begin(), all.end(), [&](const NamedCase& c) { return c.name == name; });
    if (it == all.end()) {
      error = "unknown test case: " + name;
      return false;
    }
    selected.push_back(*it);
  }
  if (selected.empty()) {
    error = "--test_case names no case";
    return false;
  }
  return true;
}

// Runs one case; returns true when it passed. Always prints exactly one line.
bool run_case(const NamedCase& c, pronto_interop::CaseEnv& env) {
  std::string failure;
  env.note.clear();
  try {
    c.run(env);
  } catch (const pronto_interop::CaseFailure& f) {
    failure = f.reason;
  } catch (const std::exception& e) {  // a bug or a protocol surprise: still one line
    failure = std::string("exception: ") + e.what();
  }
  if (failure.empty() && env.note.empty()) {
    std::printf("PASS %.*s\n", static_cast<int>(c.name.size()), c.name.data());
  } else if (failure.empty()) {
    std::printf("PASS %.*s: %s\n", static_cast<int>(c.name.size()), c.name.data(), env.note.c_str());
  } else {
    std::printf("FAIL %.*s: %s\n", static_cast<int>(c.name.size()), c.name.data(), failure.c_str());
  }
  std::fflush(stdout);
  return failure.empty();
}

}  // namespace

int main(int argc, char** argv) {
  cli::Flags flags(
      kProgram,
      "The interop test cases on pronto, against any TestService server (tests/interop/README.md).");
  pronto_interop::SoakConfig soak;
  const interop::ClientFlags f = interop::parse_client_flags(flags, argc, argv, soak);

  // Resolve the case list before connecting, so a typo is a usage error.
  std::vector<NamedCase> selected;
  if (std::string error; !select_cases(f.test_case, selected, error)) flags.fail(error);

  pronto::ChannelOptions options;
  if (f.use_tls) {
    // The override is the name verified (and sent as SNI) and, with no
    // explicit authority, the :authority too.
    options.tls =
        pronto::TlsChannelOptions{.ca_file = f.ca_file, .server_name_override = f.server_host_override};
  } else {
    options.authority = f.server_host_override;  // empty: the target's host:port
  }
  std::string host = f.server_host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";  // bare IPv6
  const std::string target = host + ":" + std::to_string(f.server_port);
  pronto_interop::CaseEnv env([target, options] { return pronto::Channel::create(target, options); }, soak);

  int passed = 0, failed = 0;
  for (const NamedCase& c : selected) (run_case(c, env) ? passed : failed)++;
  std::printf("%d passed, %d failed\n", passed, failed);
  std::fflush(stdout);
  return failed == 0 ? 0 : 1;
}
