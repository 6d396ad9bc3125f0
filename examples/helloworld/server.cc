// helloworld/server.cc — the Greeter service: SayHello answers "Hello <name>".
//
//   helloworld-server [--port=50051] [--threads=N] [--admin_port=N]
//                     [--max_connection_age_ms=N] [--keepalive_time_ms=N]
//
// --port=0 picks a free port; either way the server prints
// "listening on port N" once it accepts calls (and "admin on port M" with
// --admin_port). Health (grpc.health.v1) and reflection are on, so
// grpcurl-style tools list, describe and call it with no .proto file.
// SIGINT/SIGTERM stop it gracefully.
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
  examples::ServerFlags server_flags;
  cli::Flags flags("helloworld-server", "Serves helloworld.Greeter until SIGINT/SIGTERM.");
  server_flags.add_to(flags);
  flags.parse_or_exit(argc, argv);

  GreeterImpl greeter;
  pronto::Server server(server_flags.options());
  server.add_service(greeter);
  return examples::serve(server, server_flags);
}
