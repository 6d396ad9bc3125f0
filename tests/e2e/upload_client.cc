// upload_client: one big client-streaming call (Echo/ClientStream), for the
// hostile-server tests (tests/e2e/hostile_resources.py, case
// client_stalled_reader): a peer that grants huge windows and then stops
// reading must not make the client buffer the whole upload.
//   upload_client --target=HOST:PORT [--mib=128] [--chunk-kib=1024] [--timeout-s=30]
//                 [--print-metrics]
// Prints "wrote N messages" and the call's status (and, with
// --print-metrics, the channel's metrics text on stderr); exit 0 when the
// call is OK.
#include <chrono>
#include <cstdio>
#include <string>

#include "echo.pronto.h"
#include "flags.h"  // tools/common/flags.h
#include "pronto/pronto.h"

int main(int argc, char** argv) {
  std::string target = "127.0.0.1:50051";
  long mib = 128;
  long chunk_kib = 1024;
  long timeout_s = 30;
  bool print_metrics = false;
  cli::Flags flags("upload_client",
                   "One big Echo/ClientStream call; prints the messages written and the status.");
  flags.string("target=HOST:PORT", &target, "the server")
      .integer("mib", &mib, 0L, 1L << 20, "MiB to upload")
      .integer("chunk-kib", &chunk_kib, 1L, 1L << 20, "KiB per message")
      .integer("timeout-s", &timeout_s, 0L, 86'400L, "call deadline in seconds")
      .boolean("print-metrics", &print_metrics, "print the channel's metrics (Prometheus text) on stderr");
  flags.parse_or_exit(argc, argv);
  auto channel = pronto::Channel::create(target);
  pronto::test::Echo::Stub stub(channel);
  auto writer = stub.ClientStream({.timeout = std::chrono::seconds(timeout_s)});
  pronto::test::EchoRequest req;
  req.set_payload(std::string(static_cast<std::size_t>(chunk_kib) * 1024, 'u'));
  long total = mib * 1024 / chunk_kib;
  long written = 0;
  for (; written < total; ++written) {
    if (!writer.write(req)) break;
  }
  std::printf("wrote %ld messages\n", written);
  std::fflush(stdout);
  auto r = writer.finish();
  std::printf("status: %s\n", r ? "OK" : r.status().to_string().c_str());
  if (print_metrics) std::fputs(pronto::metrics_text(*channel).c_str(), stderr);
  return r ? 0 : 1;
}
