// pronto-echo-server: the Echo test service as a process, for tests that
// need a separate server (hostile peers, official clients).
//   --port=N (0: a free port; prints "listening on port N")  --threads=N
//   --handshake-timeout-ms=N (ServerOptions::handshake_timeout)
//   --admin (listen_admin on 127.0.0.1:0; prints "admin on port N")
//   --admin-header-timeout-ms=N --admin-max-connections=N --admin-max-header-size=N
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
  bool admin = false;
  long admin_header_timeout_ms = -1;
  long admin_max_connections = -1;
  long admin_max_header_size = -1;
  cli::Flags flags("pronto-echo-server", "The Echo test service on 127.0.0.1, until SIGINT/SIGTERM.");
  flags.integer("port", &port, 0, 65535, "0: a free port")
      .integer("threads", &threads, 0u, 1024u, "event loops")
      .integer("handshake-timeout-ms", &handshake_timeout_ms, -1L, 86'400'000L,
               "ServerOptions::handshake_timeout; -1: the default")
      .boolean("admin", &admin, "serve /metrics and /healthz on a second port")
      .integer("admin-header-timeout-ms", &admin_header_timeout_ms, -1L, 86'400'000L, "-1: the default")
      .integer("admin-max-connections", &admin_max_connections, -1L, 100'000L, "-1: the default")
      .integer("admin-max-header-size", &admin_max_header_size, -1L, 1'000'000L, "-1: the default");
  flags.parse_or_exit(argc, argv);
  pronto::test::EchoService service;
  pronto::ServerOptions options{.event_loops = threads};
  if (handshake_timeout_ms >= 0) options.handshake_timeout = std::chrono::milliseconds(handshake_timeout_ms);
  if (admin_header_timeout_ms >= 0) options.admin_header_timeout = std::chrono::milliseconds(admin_header_timeout_ms);
  if (admin_max_connections >= 0) options.admin_max_connections = static_cast<std::size_t>(admin_max_connections);
  if (admin_max_header_size >= 0) options.admin_max_header_size = static_cast<std::size_t>(admin_max_header_size);
  pronto::Server server(options);
  server.add_service(service).listen("127.0.0.1:" + std::to_string(port));
  if (admin) server.listen_admin("127.0.0.1:0");
  if (auto st = server.start(); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  std::printf("listening on port %d\n", server.port());
  if (admin) std::printf("admin on port %d\n", server.admin_port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  server.shutdown(std::chrono::seconds(1));
  server.wait();
  return 0;
}
