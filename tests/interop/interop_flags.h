// interop_flags.h — the flags of the C++ interop peers: the reference peers
// on grpc++ (grpcpp_interop_server.cc, grpcpp_interop_client.cc) and
// pronto's (tools/interop), so that every peer takes the same flags with the
// same defaults (README.md, "Flags and output"). Built on the tree's flag
// parser, tools/common/flags.h, which needs the standard library only.
// interop_flags.py is the Python peers' counterpart.
//
// Each parse_*() registers the flags on `flags` (made by the caller, which
// keeps it for fail() on its own usage errors, e.g. an unknown case name),
// parses, and checks what needs several flags or a file: it exits 2 on a
// usage error and 0 after --help.
//
// Threading: main thread only.
#pragma once

#include <fstream>
#include <string>

#include "flags.h"

namespace interop {

struct ServerFlags {
  int port = 0;
  bool use_tls = false;
  std::string tls_cert_file;
  std::string tls_key_file;
};

inline ServerFlags parse_server_flags(cli::Flags& flags, int argc, char** argv) {
  ServerFlags f;
  flags.integer("port", &f.port, 0, 65535, "port on localhost; 0 picks a free one")
      .required()
      .boolean("use_tls", &f.use_tls, "serve TLS (ALPN h2); needs --tls_cert_file and --tls_key_file")
      .string("tls_cert_file=PEM", &f.tls_cert_file, "certificate chain")
      .string("tls_key_file=PEM", &f.tls_key_file, "private key");
  flags.parse_or_exit(argc, argv);
  if (f.use_tls) {
    for (const auto& [name, path] :
         {std::pair{"tls_cert_file", &f.tls_cert_file}, {"tls_key_file", &f.tls_key_file}}) {
      if (path->empty()) flags.fail("--use_tls=true needs --tls_cert_file and --tls_key_file");
      // Checked here so that a wrong path is a usage error, not a failed start.
      if (!std::ifstream(*path)) flags.fail("cannot read --" + std::string(name) + "=" + *path);
    }
  }
  return f;
}

struct ClientFlags {
  std::string server_host = "localhost";
  int server_port = 0;
  std::string test_case = "all";  // "all" or name[,name...]; the caller checks the names
  bool use_tls = false;
  std::string server_host_override;
  std::string ca_file;
};

// `soak` is the peer's own soak settings (the same field names in every
// peer), whose values are the defaults.
template <class Soak>
ClientFlags parse_client_flags(cli::Flags& flags, int argc, char** argv, Soak& soak) {
  constexpr int kMax = 1 << 30;
  ClientFlags f;
  flags.string("server_host=HOST", &f.server_host, "the server's host")
      .integer("server_port", &f.server_port, 1, 65535, "the server's port")
      .required()
      .string("test_case=all|NAME[,NAME...]", &f.test_case, "the cases to run, in order")
      .boolean("use_tls", &f.use_tls, "connect with TLS (ALPN h2)")
      .string("server_host_override=NAME", &f.server_host_override,
              "TLS: the name verified (and SNI); the :authority in either transport")
      .string("ca_file=PEM", &f.ca_file, "TLS: roots to verify the server with; empty: the system's")
      .integer("soak_iterations", &soak.iterations, 1, kMax, "soak cases: calls (or channels)")
      .integer("soak_max_failures", &soak.max_failures, 0, kMax, "soak cases: failures tolerated")
      .integer("soak_per_iteration_max_acceptable_latency_ms", &soak.per_iteration_max_acceptable_latency_ms,
               1, kMax, "soak cases: slower is a failure")
      .integer("soak_overall_timeout_seconds", &soak.overall_timeout_seconds, 1, kMax,
               "soak cases: time limit")
      .integer("soak_min_time_ms_between_rpcs", &soak.min_time_ms_between_rpcs, 0, kMax,
               "soak cases: pause between calls");
  flags.parse_or_exit(argc, argv);
  if (f.use_tls && !f.ca_file.empty() && !std::ifstream(f.ca_file))
    flags.fail("cannot read --ca_file=" + f.ca_file);
  return f;
}

}  // namespace interop
