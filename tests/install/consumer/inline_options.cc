// The install test's inline-options step, its own program so that the rest
// of the consumer builds and runs whatever g++ 12 makes of it:
//
//   co_await stub.async().Say(req, {.timeout = 5s, .metadata = {{"k", "v"}}})
//
// (CallOptions as a temporary inside a co_await expression). g++ 12.2
// rejects it today ("array used as initializer" on the initializer_list of
// Metadata); a double free reported with this call style is being fixed
// separately. Exit status 0 when the call works.
#include <chrono>

#include "consumer.h"

using namespace std::chrono_literals;

int main() {
  EchoImpl service;
  pronto::Server server(pronto::ServerOptions{.event_loops = 1, .blocking_threads = 1});
  server.add_service(service).listen("127.0.0.1:0");
  if (pronto::Status st = server.start(); !st.ok()) {
    std::fprintf(stderr, "inline_options: cannot start: %s\n", st.to_string().c_str());
    return 1;
  }
  consumer::Echo::Stub stub(pronto::Channel::create("127.0.0.1:" + std::to_string(server.port())));
  auto result = pronto::block_on([](consumer::Echo::Stub& s) -> pronto::Task<pronto::Result<consumer::Pong>> {
    co_return co_await s.async().Say(ping("i"), {.timeout = 5s, .metadata = {{"k", "v"}}});
  }(stub));
  CHECK(result);
  CHECK(result->text() == "pong i");
  CHECK(result->k() == "v");
  std::printf("step inline-options: ok\n");
  server.shutdown(1s);
  return 0;
}
