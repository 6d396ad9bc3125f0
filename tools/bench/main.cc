// pronto-bench — a gRPC load generator on pronto's own client (in the spirit
// of ghz). See options.cc (or --help) for the flags, report.h for the output.
//
//   pronto-bench --target=127.0.0.1:50051 --call=helloworld.Greeter/SayHello
//                --proto=examples/helloworld/helloworld.proto --data='{"name":"x"}'
//                --concurrency=50 --duration=10s
//
// Exit status: 0 when the run completed (failed calls are results, counted
// by status code), 1 when it could not start (bad proto, unreadable file),
// 2 on a usage error. SIGINT/SIGTERM end the run early, still reporting; a
// second one kills it.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "load.h"
#include "options.h"
#include "report.h"
#include "request_source.h"

namespace {

std::atomic<pronto_bench::LoadRun*> g_run{nullptr};

extern "C" void on_signal(int) {
  if (auto* run = g_run.load()) run->stop();
}

void handle_signals(bool on) {
  struct sigaction sa {};
  sa.sa_handler = on ? on_signal : SIG_DFL;
  sa.sa_flags = on ? SA_RESETHAND : 0;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pronto_bench;
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_flags(args);
  if (!parsed) {
    std::fprintf(stderr, "pronto-bench: %s\nRun pronto-bench --help for the flags.\n",
                 parsed.status().message().c_str());
    return 2;
  }
  const BenchOptions& options = *parsed;
  if (options.help) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
  }
  // TLS files are read when the channels are made and would otherwise fail
  // every call; catch a typo before the run.
  for (const std::string* file : {&options.ca_file, &options.cert_file, &options.key_file}) {
    if (!file->empty() && access(file->c_str(), R_OK) != 0) {
      std::fprintf(stderr, "pronto-bench: cannot read %s\n", file->c_str());
      return 1;
    }
  }
  auto request = build_request(options);
  if (!request) {
    std::fprintf(stderr, "pronto-bench: %s\n", request.status().message().c_str());
    return 1;
  }

  const bool tty = isatty(STDERR_FILENO) != 0;
  const bool progress = options.progress.value_or(tty);
  LoadStats stats;
  {
    LoadRun run(options, *request);
    g_run.store(&run);
    handle_signals(true);
    run.start();
    std::uint64_t last_calls = 0;
    auto last_time = run.running_for();
    while (!run.wait_for(std::chrono::seconds(1))) {
      if (!progress) continue;
      const std::uint64_t calls = run.calls_done();
      const auto now = run.running_for();
      const double interval = std::chrono::duration<double>(now - last_time).count();
      const double per_s = interval > 0 ? static_cast<double>(calls - last_calls) / interval : 0;
      const std::string line = progress_line(now, calls, per_s, run.errors_done());
      // On a terminal, one line redrawn in place; elsewhere one line a second.
      std::fprintf(stderr, tty ? "\r\033[K%s" : "%s\n", line.c_str());
      std::fflush(stderr);
      last_calls = calls;
      last_time = now;
    }
    if (progress && tty) std::fputs("\r\033[K", stderr);
    handle_signals(false);
    g_run.store(nullptr);
    stats = run.results();
  }  // closes the channels

  if (options.format == OutputFormat::json) {
    write_json(std::cout, options, *request, stats);
  } else {
    write_text(std::cout, options, *request, stats);
  }
  std::cout.flush();
  return 0;
}
