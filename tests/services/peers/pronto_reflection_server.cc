// pronto_reflection_server.cc — a pronto server with the same services as
// grpcpp_reflection_server.cc (helloworld.Greeter, refl.Shop) and
// ServerOptions::reflection_service on, for reflection_compare.py.
//
//   pronto-reflection-server   prints "listening on port N", serves until SIGTERM
#include <cstdio>

#include "helloworld.pronto.h"
#include "pronto/pronto.h"
#include "refl/shop.pronto.h"

int main() {
  helloworld::Greeter::Service greeter;
  refl::Shop::Service shop;
  pronto::Server server(pronto::ServerOptions{.event_loops = 1, .reflection_service = true});
  server.add_service(greeter).add_service(shop).listen("127.0.0.1:0");
  if (pronto::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "pronto-reflection-server: %s\n", st.to_string().c_str());
    return 1;
  }
  std::printf("listening on port %d\n", server.port());
  std::fflush(stdout);
  return server.run().ok() ? 0 : 1;
}
