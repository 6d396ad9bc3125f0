// common/serve.h — how the example servers run: the flags they share
// (port, event loops, admin listener, keepalive, connection age), the
// listeners on loopback, the lines scripts parse ("listening on port N",
// "admin on port M"), and Server::run(): serve until SIGINT/SIGTERM, then
// shut down gracefully.
//
// Threading: call from the main thread. run() handles SIGINT/SIGTERM itself
// (ServerOptions::handle_signals), so nothing here touches the signal mask.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "flags.h"
#include "pronto/server.h"

namespace examples {

// The flags every example server takes, with the example defaults: health
// and reflection on (grpcurl-style tools and Kubernetes probes work at
// once), no admin listener unless asked for.
struct ServerFlags {
  int port = 50051;
  unsigned threads = 0;  // event loops; 0: one per core
  int admin_port = -1;   // -1: no admin listener; 0: a free port
  int max_connection_age_ms = 0;  // 0: connections live for ever
  int keepalive_time_ms = 0;      // 0: the server's default (2 h)

  void add_to(cli::Flags& flags) {
    flags.integer("port", &port, 0, 65535, "port to listen on; 0 picks a free one")
        .integer("threads", &threads, 0u, 1024u, "event loops; 0: one per core")
        .section("Operations")
        .integer("admin_port", &admin_port, -1, 65535,
                 "admin HTTP/1.1 listener (GET /metrics, GET /healthz) on loopback; 0 picks a free port, "
                 "-1: none")
        .integer("max_connection_age_ms", &max_connection_age_ms, 0, 1 << 30,
                 "close each connection gracefully after about this long (+-10%); 0: never")
        .integer("keepalive_time_ms", &keepalive_time_ms, 0, 1 << 30,
                 "ping a client after this long without traffic; 0: the default (2 h)");
  }

  // The ServerOptions these flags say, on top of `base`.
  pronto::ServerOptions options(pronto::ServerOptions base = {}) const {
    base.event_loops = threads;
    base.health_service = true;
    base.reflection_service = true;
    if (max_connection_age_ms > 0) base.max_connection_age = std::chrono::milliseconds(max_connection_age_ms);
    if (keepalive_time_ms > 0) base.keepalive_time = std::chrono::milliseconds(keepalive_time_ms);
    return base;
  }
};

// Listens on 127.0.0.1 (and the admin listener when asked), prints the
// ports, serves until SIGINT/SIGTERM. Returns the process exit code: 0 after
// a clean shutdown, 1 if the server could not start.
inline int serve(pronto::Server& server, const ServerFlags& flags) {
  server.listen("127.0.0.1:" + std::to_string(flags.port));
  if (flags.admin_port >= 0) server.listen_admin("127.0.0.1:" + std::to_string(flags.admin_port));
  if (pronto::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "cannot start: %s\n", st.to_string().c_str());
    return 1;
  }
  std::printf("listening on port %d\n", server.port());
  if (flags.admin_port >= 0) std::printf("admin on port %d\n", server.admin_port());
  std::fflush(stdout);
  if (pronto::Status st = server.run(); !st.ok()) {
    std::fprintf(stderr, "server: %s\n", st.to_string().c_str());
    return 1;
  }
  std::fprintf(stderr, "shut down\n");
  return 0;
}

}  // namespace examples
