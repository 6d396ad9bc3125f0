// pronto-interop-server — grpc.testing.TestService served by pronto, for the
// interop suite (tests/interop/README.md). Same flags and output as the
// reference servers (grpcpp-interop-server, python_interop_server.py):
//
//   pronto-interop-server --port=N [--use_tls=false] [--tls_cert_file=PEM --tls_key_file=PEM]
//
// --port=0 picks a free port. Once serving, prints `listening on port N` to
// stdout (flushed). Listens on localhost only. SIGINT/SIGTERM shut it down.
// Exit status: 0 after a signal, 1 if it cannot listen, 2 on bad usage.
//
// TLS: --use_tls=true serves TLS (ALPN h2) with the PEM certificate chain and
// key of --tls_cert_file / --tls_key_file; both are required then and must be
// readable (else exit 2). No client certificates are asked for.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "flags.h"
#include "pronto/pronto.h"
#include "test_service.h"

namespace {

constexpr char kProgram[] = "pronto-interop-server";
constexpr char kUsage[] =
    "pronto-interop-server --port=N [--use_tls=false] [--tls_cert_file=PEM --tls_key_file=PEM]";

// Blocks SIGINT and SIGTERM in this thread, so that the server's threads
// (started later) inherit the mask and only sigwait() sees the signals.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  pronto_interop::Flags flags(
      {{"port", ""}, {"use_tls", "false"}, {"tls_cert_file", ""}, {"tls_key_file", ""}});
  if (!flags.parse(argc, argv)) return pronto_interop::usage_error(kProgram, flags.error(), kUsage);
  std::optional<int> port = flags.integer("port", 0, 65535);
  if (!port) return pronto_interop::usage_error(kProgram, flags.error(), kUsage);
  std::optional<bool> use_tls = flags.boolean("use_tls");
  if (!use_tls) return pronto_interop::usage_error(kProgram, flags.error(), kUsage);
  if (*use_tls) {
    for (const char* name : {"tls_cert_file", "tls_key_file"}) {
      if (flags.get(name).empty()) {
        return pronto_interop::usage_error(kProgram,
                                           "--use_tls=true needs --tls_cert_file and --tls_key_file", kUsage);
      }
      // Checked here so that a wrong path is a usage error, not a failed start.
      if (!pronto_interop::read_file(flags.get(name))) {
        return pronto_interop::usage_error(
            kProgram, "cannot read --" + std::string(name) + "=" + flags.get(name), kUsage);
      }
    }
  }

  sigset_t stop_signals = block_stop_signals();

  pronto_interop::TestServiceImpl service;
  pronto::Server server;
  const std::string address = "localhost:" + std::to_string(*port);
  server.add_service(service);
  if (*use_tls) {
    server.listen(address, pronto::TlsServerOptions{.cert_file = flags.get("tls_cert_file"),
                                                    .key_file = flags.get("tls_key_file")});
  } else {
    server.listen(address);
  }
  if (pronto::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "%s: cannot listen on localhost:%d: %s\n", kProgram, *port, st.to_string().c_str());
    return 1;
  }
  std::printf("listening on port %d\n", server.port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.shutdown(std::chrono::seconds(1));
  server.wait();
  return 0;
}
