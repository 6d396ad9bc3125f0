// seed/store.h — the SQLite database behind the seed services: users, log
// rows and sensor readings, with a few users and log rows seeded on open.
//
// Ownership: Store owns one sqlite3 connection and its prepared statements;
// each LogCursor owns its own read-only connection (WAL mode lets it read
// while the store writes), so the store file must be a real file, not
// ":memory:".
// Threading: Store methods are thread-safe (one mutex around the
// connection) and blocking: handlers call them through ctx.blocking(). A
// LogCursor is used by one call at a time, from whichever pool thread runs it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace seed {

struct UserRow {
  std::string id;
  std::string username;
  std::string email;
  std::int64_t created_at = 0;
};

struct LogRow {
  std::int64_t id = 0;  // assigned by the database on insert
  std::string service;
  std::string level;
  std::string message;
  std::int64_t timestamp = 0;
};

struct ReadingRow {
  std::string device_id;
  double value = 0;
  std::int64_t timestamp = 0;
};

// A finalizing handle for one prepared statement.
struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const noexcept;
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;
struct ConnectionDeleter {
  void operator()(sqlite3* db) const noexcept;
};
using Connection = std::unique_ptr<sqlite3, ConnectionDeleter>;

// Walks the log rows of one service (all services when empty) from a start
// timestamp on, oldest first, one row per next(). Move-only.
class LogCursor {
 public:
  LogCursor(Connection db, Statement stmt) : db_(std::move(db)), stmt_(std::move(stmt)) {}
  // The next row, or nullopt at the end. Throws std::runtime_error on a
  // database error.
  std::optional<LogRow> next();

 private:
  Connection db_;  // declared first: destroyed after the statement
  Statement stmt_;
  bool done_ = false;
};

class Store {
 public:
  // Opens (creating if needed) the database at `path`, creates the schema
  // and seeds the demo users and log rows if the users table is empty.
  // Throws std::runtime_error naming the path and SQLite's error.
  explicit Store(std::string path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const noexcept { return path_; }

  std::optional<UserRow> find_user(std::string_view id);
  // A new cursor (with its own connection) over the matching log rows.
  LogCursor open_log_cursor(std::string_view service, std::int64_t start_timestamp);
  // Appends log rows in one transaction (the seed data, and tests that need
  // long streams).
  void insert_logs(const std::vector<LogRow>& rows);
  // Stores a batch of readings in one transaction; returns how many.
  std::size_t insert_readings(const std::vector<ReadingRow>& rows);
  // Readings stored for a device (all devices when empty).
  std::int64_t count_readings(std::string_view device_id);

 private:
  void exec(const char* sql);  // caller holds mu_
  void seed_if_empty();        // caller holds mu_

  std::string path_;
  std::mutex mu_;  // guards db_ and the statements
  Connection db_;
  Statement find_user_;
  Statement insert_log_;
  Statement insert_reading_;
  Statement count_readings_;
};

}  // namespace seed
