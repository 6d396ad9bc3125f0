// grpcpp_reflection_server.cc — the official grpc++ reflection server
// (grpc++_reflection, v1alpha in grpc 1.51) serving helloworld.Greeter and
// refl.Shop, for reflection_compare.py. Methods answer UNIMPLEMENTED (only
// reflection is asked).
//
//   grpcpp-reflection-server   prints "listening on port N", serves until killed
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "helloworld.grpc.pb.h"
#include "refl/shop.grpc.pb.h"

int main() {
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  helloworld::Greeter::Service greeter;
  refl::Shop::Service shop;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&greeter);
  builder.RegisterService(&shop);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "grpcpp-reflection-server: cannot start\n");
    return 1;
  }
  std::printf("listening on port %d\n", port);
  std::fflush(stdout);
  server->Wait();
}
