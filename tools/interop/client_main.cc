// pronto-interop-client — runs the interop test cases (grpc/grpc
// doc/interop-test-descriptions.md) against a TestService server, on pronto.
// Same flags and output as the reference clients (grpcpp-interop-client,
// python_interop_client.py; see tests/interop/README.md):
//
//   pronto-interop-client --server_port=N [--server_host=localhost]
//                         [--test_case=all|name[,name...]] [--use_tls=false]
//                         [--server_host_override=NAME] [--ca_file=PEM]
//
// Prints `PASS name` or `FAIL name: reason` per case (one line each), then
// `N passed, M failed`. Exit status: 0 if every case passed, 1 if any
// failed, 2 on bad usage (unknown flag or case name).
//
// TLS: not wired in yet (the matrix is plaintext only), so --use_tls=true is
// refused (exit 2). Plaintext --server_host_override sets the :authority, as
// the official clients' default-authority option does. --ca_file is accepted
// (TLS only).
//
// Not implemented yet, as in the reference clients: compression cases, soak
// cases, auth cases.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cases/cases.h"
#include "flags.h"

namespace {

using pronto_interop::NamedCase;

constexpr char kProgram[] = "pronto-interop-client";
constexpr char kUsage[] =
    "pronto-interop-client --server_port=N [--server_host=localhost] [--test_case=all|name[,name...]] "
    "[--use_tls=false] [--server_host_override=NAME] [--ca_file=PEM]";

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
  try {
    c.run(env);
  } catch (const pronto_interop::CaseFailure& f) {
    failure = f.reason;
  } catch (const std::exception& e) {  // a bug or a protocol surprise: still one line
    failure = std::string("exception: ") + e.what();
  }
  if (failure.empty()) {
    std::printf("PASS %.*s\n", static_cast<int>(c.name.size()), c.name.data());
  } else {
    std::printf("FAIL %.*s: %s\n", static_cast<int>(c.name.size()), c.name.data(), failure.c_str());
  }
  std::fflush(stdout);
  return failure.empty();
}

}  // namespace

int main(int argc, char** argv) {
  pronto_interop::Flags flags({{"server_host", "localhost"},
                               {"server_port", ""},
                               {"test_case", "all"},
                               {"use_tls", "false"},
                               {"server_host_override", ""},
                               {"ca_file", ""}});
  auto usage = [&](const std::string& error) { return pronto_interop::usage_error(kProgram, error, kUsage); };
  if (!flags.parse(argc, argv)) return usage(flags.error());
  std::optional<int> port = flags.integer("server_port", 1, 65535);
  if (!port) return usage(flags.error());
  std::optional<bool> use_tls = flags.boolean("use_tls");
  if (!use_tls) return usage(flags.error());

  // Resolve the case list before connecting, so a typo is a usage error.
  std::vector<NamedCase> selected;
  std::string error;
  if (!select_cases(flags.get("test_case"), selected, error)) return usage(error);

  if (*use_tls) {
    // TODO(issue 3): ChannelOptions::tls with ca_file = --ca_file and
    // server_name_override = --server_host_override, with the TLS column.
    std::fprintf(stderr, "%s: --use_tls=true: TLS is not supported by this client yet\n", kProgram);
    return 2;
  }
  pronto::ChannelOptions options;
  options.authority = flags.get("server_host_override");  // empty: the target's host:port
  std::string host = flags.get("server_host");
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";  // bare IPv6
  pronto_interop::CaseEnv env(pronto::Channel::create(host + ":" + std::to_string(*port), options));

  int passed = 0, failed = 0;
  for (const NamedCase& c : selected) (run_case(c, env) ? passed : failed)++;
  std::printf("%d passed, %d failed\n", passed, failed);
  std::fflush(stdout);
  return failed == 0 ? 0 : 1;
}
