// helloworld/server.cc — the Greeter service: SayHello answers "Hello <name>".
//
//   helloworld-server [--port=50051] [--threads=N]
//
// --port=0 picks a free port; either way the server prints
// "listening on port N" once it accepts calls. SIGINT/SIGTERM stop it.
#include "common/serve.h"
#include "flags.h"
#include "helloworld.pronto.h"
#include "pronto/pronto.h"

namespace {

// Stateless, so one instance serves every event loop at once.
class GreeterImpl final : public helloworld::Greeter::Service {
 public:
  pronto::Task<pronto::Result<helloworld::HelloReply>> SayHello(
      pronto::ServerContext& ctx, const helloworld::HelloRequest& request) override {
    helloworld::HelloReply reply;
    reply.set_message("Hello " + request.name());
    co_return reply;
  }
};

}  // namespace

int main(int argc, char** argv) {
  int port = 50051;
  int threads = 0;
  cli::Flags flags("helloworld-server", "Serves helloworld.Greeter until SIGINT/SIGTERM.");
  flags.integer("port", &port, 0, 65535, "port to listen on; 0 picks a free one")
      .integer("threads", &threads, 0, 1024, "event loops; 0: one per core");
  flags.parse_or_exit(argc, argv);

  GreeterImpl greeter;
  // Reflection on: grpcurl-style tools list, describe and call Greeter with no .proto.
  pronto::Server server(
      pronto::ServerOptions{.event_loops = static_cast<unsigned>(threads), .reflection_service = true});
  server.add_service(greeter);
  return examples::serve_until_signal(server, port);
}
