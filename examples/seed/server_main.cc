// seed/server_main.cc — seed-server: the seed's User, Log, Sensor and
// Analytics services behind the auth and logging interceptors.
//
//   seed-server [--port=50051] [--db=PATH] [--threads=N] [--token=T]
//               [--admin_port=N] [--max_connection_age_ms=N] [--keepalive_time_ms=N]
//
// --port=0 picks a free port; the server prints "listening on port N" once
// it accepts calls. --db defaults to a temp file deleted on exit. Without
// --token any "Bearer " value longer than 50 characters is accepted (the
// seed's rule). Health and reflection are on; --admin_port serves GET /metrics
// and GET /healthz. SIGINT/SIGTERM stop it. Calls are logged to stderr.
#include <cstdio>
#include <exception>

#include "common/serve.h"
#include "flags.h"
#include "seed_server.h"

int main(int argc, char** argv) {
  examples::ServerFlags server_flags;
  seed::SeedServerOptions options;
  cli::Flags flags("seed-server",
                   "Serves the seed's User, Log, Sensor and Analytics services until SIGINT/SIGTERM.");
  flags.string("db=PATH", &options.db_path, "SQLite database; empty: a temp file deleted on exit")
      .string("token=T", &options.token,
              "the only bearer token accepted; empty: any longer than 50 characters");
  server_flags.add_to(flags);
  flags.parse_or_exit(argc, argv);
  options.server = server_flags.options();

  try {
    seed::SeedServer app(options);
    std::fprintf(stderr, "database: %s\n", app.store().path().c_str());
    return examples::serve(app.server(), server_flags);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seed-server: %s\n", e.what());
    return 1;
  }
}
