// seed/server_main.cc — seed-server: the seed's User, Log, Sensor and
// Analytics services behind the auth and logging interceptors.
//
//   seed-server [--port=50051] [--db=PATH] [--threads=N] [--token=T]
//
// --port=0 picks a free port; the server prints "listening on port N" once
// it accepts calls. --db defaults to a temp file deleted on exit. Without
// --token any "Bearer " value longer than 50 characters is accepted (the
// seed's rule). SIGINT/SIGTERM stop it. Calls are logged to stderr.
#include <cstdio>
#include <exception>

#include "common/flags.h"
#include "common/serve.h"
#include "seed_server.h"

int main(int argc, char** argv) {
  examples::Flags flags(argc, argv, "seed-server [--port=50051] [--db=PATH] [--threads=N] [--token=T]");
  int port = flags.integer("port", 50051);
  seed::SeedServerOptions options;
  options.db_path = flags.str("db", "");
  options.event_loops = static_cast<unsigned>(flags.integer("threads", 0));
  options.token = flags.str("token", "");
  flags.check_all_used();

  try {
    seed::SeedServer app(options);
    std::fprintf(stderr, "database: %s\n", app.store().path().c_str());
    return examples::serve_until_signal(app.server(), port);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seed-server: %s\n", e.what());
    return 1;
  }
}
