// common/serve.h — how the example servers run: bind on loopback, print the
// port (the line scripts parse), serve until SIGINT/SIGTERM, shut down
// gracefully.
//
// Threading: call from the main thread before any other thread exists;
// SIGINT and SIGTERM are blocked here so that the server's threads inherit
// the mask and only sigwait() sees them.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "pronto/server.h"

namespace examples {

// Returns the process exit code: 0 after a signal-driven shutdown, 1 if the
// server could not start.
inline int serve_until_signal(pronto::Server& server, int port) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server.listen("127.0.0.1:" + std::to_string(port));
  if (pronto::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "cannot start: %s\n", st.to_string().c_str());
    return 1;
  }
  std::printf("listening on port %d\n", server.port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "signal %d: shutting down\n", sig);
  server.shutdown(std::chrono::seconds(2));
  server.wait();
  return 0;
}

}  // namespace examples
