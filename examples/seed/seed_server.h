// seed/seed_server.h — the seed's four services and two interceptors hosted
// by one pronto::Server, ready to listen: what seed-server runs and what
// the end-to-end tests start in-process.
//
// Ownership: owns the Store, the services, the interceptors and the Server
// (declared last, so it shuts down before anything it calls is destroyed).
// A database created as a temp file (empty db_path) is deleted with it.
// Threading: configure and start from one thread; the accessors may be used
// from any thread while it runs.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "analytics_service.h"
#include "auth_interceptor.h"
#include "log_service.h"
#include "logging_interceptor.h"
#include "pronto/server.h"
#include "sensor_service.h"
#include "store.h"
#include "user_service.h"

namespace seed {

struct SeedServerOptions {
  std::string db_path{};                      // empty: a new temp file, removed at the end
  std::string token{};                        // expected bearer token; empty: the seed's rule
  unsigned event_loops = 0;                   // 0: one per core (overrides server.event_loops when set)
  pronto::ServerOptions server{};             // the rest of the server's options
  std::FILE* log = stderr;                    // per-call log lines; nullptr: none
  std::chrono::microseconds log_row_delay{};  // StreamLogs pacing between rows
};

class SeedServer {
 public:
  explicit SeedServer(SeedServerOptions options = {});
  ~SeedServer();
  SeedServer(const SeedServer&) = delete;
  SeedServer& operator=(const SeedServer&) = delete;

  // listen()/start()/port()/shutdown() as for any pronto server.
  pronto::Server& server() noexcept { return *server_; }
  Store& store() noexcept { return *store_; }
  const LogServiceImpl& log_service() const noexcept { return *logs_; }
  const LoggingInterceptor& logging() const noexcept { return *logging_; }

 private:
  std::string temp_db_;  // the path to delete, if we made it
  std::unique_ptr<Store> store_;
  std::unique_ptr<UserServiceImpl> users_;
  std::unique_ptr<LogServiceImpl> logs_;
  std::unique_ptr<SensorServiceImpl> sensors_;
  std::unique_ptr<AnalyticsServiceImpl> analytics_;
  std::shared_ptr<LoggingInterceptor> logging_;
  std::shared_ptr<AuthInterceptor> auth_;
  std::unique_ptr<pronto::Server> server_;
};

}  // namespace seed
