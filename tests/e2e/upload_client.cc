// upload_client: one big client-streaming call (Echo/ClientStream), for the
// hostile-server tests (tests/e2e/hostile_resources.py, case
// client_stalled_reader): a peer that grants huge windows and then stops
// reading must not make the client buffer the whole upload.
//   upload_client --target=HOST:PORT [--mib=128] [--chunk-kib=1024] [--timeout-s=30]
// Prints "wrote N messages" and the call's status; exit 0 when the call is OK.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "echo.pronto.h"
#include "pronto/pronto.h"

int main(int argc, char** argv) {
  std::string target = "127.0.0.1:50051";
  long mib = 128;
  long chunk_kib = 1024;
  long timeout_s = 30;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--target=", 9) == 0) target = argv[i] + 9;
    else if (std::strncmp(argv[i], "--mib=", 6) == 0) mib = std::atol(argv[i] + 6);
    else if (std::strncmp(argv[i], "--chunk-kib=", 12) == 0) chunk_kib = std::atol(argv[i] + 12);
    else if (std::strncmp(argv[i], "--timeout-s=", 12) == 0) timeout_s = std::atol(argv[i] + 12);
    else {
      std::fprintf(stderr, "usage: upload_client --target=HOST:PORT [--mib=128] [--chunk-kib=1024] [--timeout-s=30]\n");
      return 2;
    }
  }
  pronto::test::Echo::Stub stub(pronto::Channel::create(target));
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
  return r ? 0 : 1;
}
