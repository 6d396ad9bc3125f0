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

#include "interop_flags.h"  // tests/interop: every C++ peer's flags
#include "pronto/pronto.h"
#include "test_service.h"

namespace {

constexpr char kProgram[] = "pronto-interop-server";

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
  cli::Flags flags(kProgram,
                   "grpc.testing.TestService on pronto, for the interop suite (tests/interop/README.md).");
  const interop::ServerFlags f = interop::parse_server_flags(flags, argc, argv);

  sigset_t stop_signals = block_stop_signals();

  pronto_interop::TestServiceImpl service;
  pronto::Server server;
  const std::string address = "localhost:" + std::to_string(f.port);
  server.add_service(service);
  if (f.use_tls) {
    server.listen(address,
                  pronto::TlsServerOptions{.cert_file = f.tls_cert_file, .key_file = f.tls_key_file});
  } else {
    server.listen(address);
  }
  if (pronto::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "%s: cannot listen on localhost:%d: %s\n", kProgram, f.port, st.to_string().c_str());
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
