// The official helloworld server for the footprint comparison: Greeter on
// the callback API, as grpc/grpc's examples/cpp/helloworld/
// greeter_callback_server.cc, with the same flag and output as pronto's
// examples/helloworld/server.cc.
//
//   official-helloworld-server [--port=50051]
#include <grpcpp/grpcpp.h>

#include <string>

#include "bench_common.h"
#include "helloworld.grpc.pb.h"
#include "server_main.h"

namespace {

class GreeterImpl final : public helloworld::Greeter::CallbackService {
  grpc::ServerUnaryReactor* SayHello(grpc::CallbackServerContext* ctx, const helloworld::HelloRequest* request,
                                     helloworld::HelloReply* reply) override {
    reply->set_message("Hello " + request->name());
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::block_shutdown_signals();
  int port = 50051;
  cli::Flags flags("official-helloworld-server", "Serves helloworld.Greeter on the official callback API.");
  flags.integer("port", &port, 0, 65535, "port to listen on; 0 picks a free one");
  flags.parse_or_exit(argc, argv);

  GreeterImpl service;
  grpc::ServerBuilder builder;
  int selected_port = 0;
  bench::configure_builder(builder, port, &selected_port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || !bench::announce(selected_port)) return 1;
  bench::wait_for_shutdown_signal();
  server->Shutdown();
  return 0;
}
