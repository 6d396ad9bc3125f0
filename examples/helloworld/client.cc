// helloworld/client.cc — calls Greeter.SayHello once and prints the reply.
//
//   helloworld-client [--target=localhost:50051] [--name=world]
//
// Prints the reply message on success; on failure prints the status to
// stderr and exits 1.
#include <chrono>
#include <cstdio>

#include "flags.h"
#include "helloworld.pronto.h"
#include "pronto/pronto.h"

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  std::string target = "localhost:50051";
  std::string name = "world";
  cli::Flags flags("helloworld-client", "Calls helloworld.Greeter/SayHello once and prints the reply.");
  flags.string("target=HOST:PORT", &target, "the server").string("name", &name, "HelloRequest.name");
  flags.parse_or_exit(argc, argv);

  helloworld::Greeter::Stub stub(pronto::Channel::create(target));
  helloworld::HelloRequest request;
  request.set_name(name);
  pronto::Result<helloworld::HelloReply> reply = stub.SayHello(request, {.timeout = 10s});
  if (!reply) {
    std::fprintf(stderr, "SayHello failed: %s\n", reply.status().to_string().c_str());
    return 1;
  }
  std::printf("%s\n", reply->message().c_str());
  return 0;
}
