// server_main.h — how the official bench servers run: bind 127.0.0.1:<port>
// (0 picks a free port), print "listening on port N" (the line bench/run
// parses), serve until SIGINT/SIGTERM.
//
// Threading: call block_shutdown_signals() first thing in main, before any
// thread exists, so every gRPC thread inherits the mask and only
// wait_for_shutdown_signal() sees the signal.
#pragma once

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "flags.h"  // tools/common/flags.h

namespace bench {

inline sigset_t shutdown_signals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  return s;
}

inline void block_shutdown_signals() {
  sigset_t s = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
}

inline void wait_for_shutdown_signal() {
  sigset_t s = shutdown_signals();
  int sig = 0;
  sigwait(&s, &sig);
}

// --port and --service=greeter|bench, the flags of both official bench
// servers (async and callback).
inline cli::Flags& server_flags(cli::Flags& flags, int& port, std::string& service) {
  return flags.integer("port", &port, 0, 65535, "port on 127.0.0.1; 0 picks a free one")
      .custom(
          "service=greeter|bench",
          [&service](const std::string& v) {
            if (v != "greeter" && v != "bench") return "--service must be greeter or bench, not '" + v + "'";
            service = v;
            return std::string();
          },
          "helloworld.Greeter or bench.Bench", service);
}

// Settings both official servers share: loopback listener, no message size
// limit below what the scenarios send (1 MiB payloads fit the 4 MiB default).
inline void configure_builder(grpc::ServerBuilder& builder, int port, int* selected_port) {
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                           selected_port);
}

inline bool announce(int selected_port) {
  if (selected_port <= 0) {
    std::fprintf(stderr, "cannot bind\n");
    return false;
  }
  std::printf("listening on port %d\n", selected_port);
  std::fflush(stdout);
  return true;
}

}  // namespace bench
