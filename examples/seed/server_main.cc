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

#include "common/serve.h"
#include "flags.h"
#include "seed_server.h"

int main(int argc, char** argv) {
  int port = 50051;
  seed::SeedServerOptions options;
  cli::Flags flags("seed-server",
                   "Serves the seed's User, Log, Sensor and Analytics services until SIGINT/SIGTERM.");
  flags.integer("port", &port, 0, 65535, "port to listen on; 0 picks a free one")
      .string("db=PATH", &options.db_path, "SQLite database; empty: a temp file deleted on exit")
      .integer("threads", &options.event_loops, 0u, 1024u, "event loops; 0: one per core")
      .string("token=T", &options.token,
              "the only bearer token accepted; empty: any longer than 50 characters");
  flags.parse_or_exit(argc, argv);

  try {
    seed::SeedServer app(options);
    std::fprintf(stderr, "database: %s\n", app.store().path().c_str());
    return examples::serve_until_signal(app.server(), port);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seed-server: %s\n", e.what());
    return 1;
  }
}
