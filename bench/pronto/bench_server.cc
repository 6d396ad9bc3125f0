// bench-pronto-server — bench.Bench (bench/protos/bench.proto) on pronto,
// with the same behaviour as bench/official/*_server.cc. Helloworld is
// served by the example's own helloworld-server.
//
//   bench-pronto-server [--port=0] [--threads=1] [--no-metrics]
//
// --threads: event loops (the harness uses one). Prints
// "listening on port N"; SIGINT/SIGTERM shut it down gracefully.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "bench.pronto.h"
#include "bench_common.h"
#include "pronto/pronto.h"

namespace {

class BenchService final : public bench::Bench::Service {
 public:
  pronto::Task<pronto::Result<bench::Blob>> Echo(pronto::ServerContext& ctx, const bench::Blob& request) override {
    bench::Blob reply;
    reply.set_data(request.data());  // one copy, like the official servers
    co_return reply;
  }

  pronto::Task<pronto::Status> Stream(pronto::ServerContext& ctx, const bench::StreamRequest& request,
                                      pronto::ServerWriter<bench::Blob>& writer) override {
    bench::Blob blob;
    blob.mutable_data()->assign(static_cast<std::size_t>(request.message_size()), 'x');
    for (std::int64_t sent = 0; request.count() == 0 || sent < request.count(); ++sent) {
      pronto::Status st = co_await writer.write(blob);
      if (!st.ok()) co_return st;  // the client cancelled
    }
    co_return pronto::Status{};
  }

  pronto::Task<pronto::Result<bench::UploadSummary>> Upload(pronto::ServerContext& ctx,
                                                            pronto::ServerReader<bench::Blob>& reader) override {
    bench::UploadSummary summary;
    while (auto blob = co_await reader.read()) {
      summary.set_messages(summary.messages() + 1);
      summary.set_bytes(summary.bytes() + static_cast<std::int64_t>(blob->data().size()));
    }
    if (ctx.is_cancelled()) co_return pronto::Status::cancelled();
    co_return summary;
  }

  pronto::Task<pronto::Status> PingPong(pronto::ServerContext& ctx,
                                        pronto::ServerStream<bench::Blob, bench::Blob>& stream) override {
    while (auto in = co_await stream.read()) {
      bench::Blob out;
      out.set_data(in->data());
      pronto::Status st = co_await stream.write(out);
      if (!st.ok()) co_return st;
    }
    if (ctx.is_cancelled()) co_return pronto::Status::cancelled();
    co_return pronto::Status{};
  }
};

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by pronto's threads

  int port = 0;
  unsigned threads = 1;
  bool metrics = true;
  cli::Flags flags("bench-pronto-server", "Serves bench.Bench on pronto.");
  flags.integer("port", &port, 0, 65535, "port on 127.0.0.1; 0 picks a free one")
      .integer("threads", &threads, 0u, 1024u, "event loops; 0: one per core")
      .boolean("metrics", &metrics, "count calls (ServerOptions::metrics); --no-metrics: off (scenario i)");
  flags.parse_or_exit(argc, argv);

  BenchService service;
  pronto::ServerOptions options{.event_loops = threads};
  options.metrics = metrics;
  pronto::Server server(options);
  server.add_service(service).listen("127.0.0.1:" + std::to_string(port));
  if (pronto::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "cannot start: %s\n", st.to_string().c_str());
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
