// The install test's consumer: a pronto server and client in one process,
// built against an installed pronto (tests/install/run.sh).
//
//   consumer <step>...    steps, in order; each prints "step <name>: ok"
//
//   blocking        a Server on 127.0.0.1:0 (start()), the blocking stub:
//                   unary, and server streaming as a range
//   async           co_await stub.async().Say(req) in a coroutine driven by
//                   pronto::block_on, options built beforehand
//   sigterm         a Server in run(), stopped by SIGTERM sent to the
//                   process: run() must return (graceful shutdown on
//                   SIGINT/SIGTERM, being added separately)
//
// Exit status 0 when every step passed; 1 at the first failing check.
//
// The inline-options step (co_await stub.async().Say(req, {.timeout = 5s,
// .metadata = {{"k", "v"}}}), the options as a temporary in the co_await
// expression) is its own program, inline_options.cc: with g++ 12 that style
// does not compile today ("array used as initializer"; a double free with
// this style is being fixed separately).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "consumer.h"

using namespace std::chrono_literals;

namespace {

void step_blocking(consumer::Echo::Stub& stub) {
  auto pong = stub.Say(ping("a"), {.timeout = 5s});
  if (!pong) std::fprintf(stderr, "consumer: Say: %s\n", pong.status().to_string().c_str());
  CHECK(pong);
  CHECK(pong->text() == "pong a");

  auto reader = stub.Count(ping("c", 3));
  int n = 0;
  for (const auto& m : reader) {
    CHECK(m.index() == n);
    CHECK(m.text() == "c");
    ++n;
  }
  CHECK(n == 3);
  CHECK(reader.status().ok());
}

void step_async(consumer::Echo::Stub& stub) {
  auto result = pronto::block_on([](consumer::Echo::Stub& s) -> pronto::Task<pronto::Result<consumer::Pong>> {
    pronto::CallOptions options;
    options.timeout = 5s;
    options.metadata.add("k", "v");
    co_return co_await s.async().Say(ping("b"), std::move(options));
  }(stub));
  CHECK(result);
  CHECK(result->text() == "pong b");
  CHECK(result->k() == "v");
}

// A second server, in run() on the main thread. A helper thread waits until
// it answers (over a unix socket, whose path is known before run() picks
// the TCP port), then sends SIGTERM to the process; run() must return.
// SIGINT/SIGTERM are blocked in every thread but main (main() blocks them
// before any thread exists and unblocks them here), so whether run() waits
// with sigwait() or a handler, the signal reaches it.
void step_sigterm(EchoImpl& service) {
  std::string sock = (std::filesystem::temp_directory_path() /
                      ("pronto-consumer-" + std::to_string(::getpid()) + ".sock")).string();
  pronto::Server server;
  server.add_service(service).listen("127.0.0.1:0").listen("unix:" + sock);
  std::atomic<bool> signalled{false};
  std::thread killer([&] {
    consumer::Echo::Stub stub(pronto::Channel::create("unix:" + sock));
    auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      if (stub.Say(ping("up"), {.timeout = 1s})) break;
      std::this_thread::sleep_for(50ms);
    }
    signalled = true;
    ::kill(::getpid(), SIGTERM);
  });
  sigset_t stop = stop_signals();
  pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
  server.run();  // today: SIGTERM's default action ends the process here (exit 143)
  killer.join();
  CHECK(signalled.load());
  std::filesystem::remove(sock);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: consumer <blocking|async|sigterm>...\n");
    return 2;
  }
  sigset_t stop = stop_signals();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // inherited by every thread started below

  EchoImpl service;
  pronto::Server server(pronto::ServerOptions{.event_loops = 1, .blocking_threads = 1});
  server.add_service(service).listen("127.0.0.1:0");
  if (pronto::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "consumer: cannot start: %s\n", st.to_string().c_str());
    return 1;
  }
  consumer::Echo::Stub stub(pronto::Channel::create("127.0.0.1:" + std::to_string(server.port())));

  bool stopped = false;
  for (int i = 1; i < argc; ++i) {
    std::string step = argv[i];
    std::fprintf(stderr, "step %s: running\n", step.c_str());
    if (step == "blocking") {
      step_blocking(stub);
    } else if (step == "async") {
      step_async(stub);
    } else if (step == "sigterm") {
      if (!stopped) server.shutdown(1s);
      stopped = true;
      step_sigterm(service);
    } else {
      std::fprintf(stderr, "consumer: unknown step %s\n", step.c_str());
      return 2;
    }
    std::printf("step %s: ok\n", step.c_str());
    std::fflush(stdout);
  }
  if (!stopped) server.shutdown(1s);
  return 0;
}
