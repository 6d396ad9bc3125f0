// pronto-echo-server: the Echo test service as a process, for tests that
// need a separate server (hostile peers, official clients).
//   --port=N (0: a free port; prints "listening on port N")  --threads=N
//   --handshake-timeout-ms=N (ServerOptions::handshake_timeout)
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "echo_service.h"
#include "flags.h"  // tools/common/flags.h

int main(int argc, char** argv) {
  // SIGTERM/SIGINT are blocked before any thread starts (the server's threads inherit the
  // mask) and taken by sigwait() below: a handler may not allocate or start a thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int port = 0;
  unsigned threads = 1;
  long handshake_timeout_ms = -1;
  cli::Flags flags("pronto-echo-server", "The Echo test service on 127.0.0.1, until SIGINT/SIGTERM.");
  flags.integer("port", &port, 0, 65535, "0: a free port")
      .integer("threads", &threads, 0u, 1024u, "event loops")
      .integer("handshake-timeout-ms", &handshake_timeout_ms, -1L, 86'400'000L,
               "ServerOptions::handshake_timeout; -1: the default");
  flags.parse_or_exit(argc, argv);
  pronto::test::EchoService service;
  pronto::ServerOptions options{.event_loops = threads};
  if (handshake_timeout_ms >= 0) options.handshake_timeout = std::chrono::milliseconds(handshake_timeout_ms);
  pronto::Server server(options);
  server.add_service(service).listen("127.0.0.1:" + std::to_string(port));
  if (auto st = server.start(); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  std::printf("listening on port %d\n", server.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  server.shutdown(std::chrono::seconds(1));
  server.wait();
  return 0;
}
