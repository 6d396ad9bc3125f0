// pronto-run-server: the Echo service served by Server::run(), for the tests
// of run()'s signal handling (api_test.cc).
//   --address=A (default unix-abstract:pronto-run-<pid>)  --grace-ms=N
// Exits 0 when run() returns OK, 2 (printing the status) when it fails.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "echo_service.h"

int main(int argc, char** argv) {
  std::string address = "unix-abstract:pronto-run-" + std::to_string(::getpid());
  long grace_ms = 5000;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--address=", 10) == 0) address = argv[i] + 10;
    if (std::strncmp(argv[i], "--grace-ms=", 11) == 0) grace_ms = std::atol(argv[i] + 11);
  }
  pronto::test::EchoService service;
  pronto::Server server({.event_loops = 1, .shutdown_grace = std::chrono::milliseconds(grace_ms)});
  server.add_service(service).listen(address);
  if (pronto::Status st = server.run(); !st.ok()) {
    std::fprintf(stderr, "run: %s\n", st.to_string().c_str());
    return 2;
  }
  std::printf("run returned OK; handlers started %d, completed %d, cancelled %d\n",
              service.started_handlers.load(), service.completed_handlers.load(),
              service.cancelled_handlers.load());
  return 0;
}
