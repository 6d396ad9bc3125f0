// seed/seed_server.cc — wiring: store, services, interceptors, server.
#include "seed_server.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace seed {

namespace {

// A fresh, empty file under $TMPDIR (or /tmp) for the database.
std::string make_temp_db() {
  std::string path = (std::filesystem::temp_directory_path() / "pronto-seed-XXXXXX.db").string();
  int fd = mkstemps(path.data(), 3);
  if (fd < 0) throw std::runtime_error("cannot create a temp file for the database");
  close(fd);
  return path;
}

}  // namespace

SeedServer::SeedServer(SeedServerOptions options) {
  std::string path = options.db_path;
  if (path.empty()) path = temp_db_ = make_temp_db();
  store_ = std::make_unique<Store>(path);
  users_ = std::make_unique<UserServiceImpl>(*store_);
  logs_ = std::make_unique<LogServiceImpl>(*store_, options.log_row_delay);
  sensors_ = std::make_unique<SensorServiceImpl>(*store_);
  analytics_ = std::make_unique<AnalyticsServiceImpl>();
  logging_ = std::make_shared<LoggingInterceptor>(options.log);
  auth_ = std::make_shared<AuthInterceptor>(options.token);

  pronto::ServerOptions server_options = options.server;
  if (options.event_loops != 0) server_options.event_loops = options.event_loops;
  server_ = std::make_unique<pronto::Server>(server_options);
  server_->add_service(*users_).add_service(*logs_).add_service(*sensors_).add_service(*analytics_);
  // Logging first, so its on_finish also sees the calls auth rejects.
  server_->add_interceptor(logging_).add_interceptor(auth_);
}

SeedServer::~SeedServer() {
  server_.reset();  // shuts down (no grace) before the services go
  store_.reset();
  if (!temp_db_.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(temp_db_ + suffix);
  }
}

}  // namespace seed
