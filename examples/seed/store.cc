// seed/store.cc — SQLite schema, seed data and the prepared statements.
#include "store.h"

#include <sqlite3.h>

#include <stdexcept>

namespace seed {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  service TEXT NOT NULL,
  level TEXT NOT NULL,
  message TEXT NOT NULL,
  ts INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_by_service_ts ON logs(service, ts);
CREATE TABLE IF NOT EXISTS readings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  value REAL NOT NULL,
  ts INTEGER NOT NULL
);
)sql";

// The demo data: the seed's user u_12345 and its "payment-service" logs.
const UserRow kUsers[] = {
    {"u_12345", "ada", "ada@example.com", 1709251200},
    {"u_001", "grace", "grace@example.com", 1709337600},
    {"u_002", "linus", "linus@example.com", 1709424000},
};
const LogRow kLogs[] = {
    {0, "payment-service", "INFO", "refund issued order=0998", 1709999000},
    {0, "payment-service", "INFO", "payment accepted order=1001", 1710000000},
    {0, "auth-service", "INFO", "user u_001 logged in", 1710000050},
    {0, "payment-service", "WARN", "retrying card authorization order=1002", 1710000100},
    {0, "inventory-service", "INFO", "stock reserved sku=A-42", 1710000150},
    {0, "payment-service", "ERROR", "card declined order=1003", 1710000200},
    {0, "payment-service", "INFO", "payment accepted order=1004", 1710000300},
};

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw std::runtime_error(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Connection open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Connection db(raw);
  if (rc != SQLITE_OK) fail(raw, "cannot open " + path);
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

Statement prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) fail(db, std::string("prepare ") + sql);
  return Statement(raw);
}

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* s, int i) {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

void bind_log(sqlite3_stmt* s, const LogRow& r) {
  bind_text(s, 1, r.service);
  bind_text(s, 2, r.level);
  bind_text(s, 3, r.message);
  sqlite3_bind_int64(s, 4, r.timestamp);
}

// Steps a statement that returns no rows, then resets it for reuse.
void run(sqlite3* db, sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE) fail(db, "step");
}

// BEGIN ... COMMIT, rolled back when the body throws. Caller holds the mutex.
template <class F>
void transaction(sqlite3* db, F body) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, "begin");
  try {
    body();
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, "commit");
}

}  // namespace

void StatementDeleter::operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
void ConnectionDeleter::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

std::optional<LogRow> LogCursor::next() {
  if (done_) return std::nullopt;
  sqlite3_stmt* s = stmt_.get();
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) {
    done_ = true;
    return std::nullopt;
  }
  if (rc != SQLITE_ROW) fail(db_.get(), "log cursor");
  return LogRow{sqlite3_column_int64(s, 0), column_text(s, 1), column_text(s, 2), column_text(s, 3),
                sqlite3_column_int64(s, 4)};
}

Store::Store(std::string path) : path_(std::move(path)) {
  std::lock_guard lock(mu_);
  db_ = open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  exec("PRAGMA journal_mode=WAL");
  exec(kSchema);
  find_user_ = prepare(db_.get(), "SELECT id, username, email, created_at FROM users WHERE id = ?1");
  insert_log_ = prepare(db_.get(), "INSERT INTO logs(service, level, message, ts) VALUES (?1, ?2, ?3, ?4)");
  insert_reading_ = prepare(db_.get(), "INSERT INTO readings(device_id, value, ts) VALUES (?1, ?2, ?3)");
  count_readings_ = prepare(db_.get(), "SELECT count(*) FROM readings WHERE ?1 = '' OR device_id = ?1");
  seed_if_empty();
}

Store::~Store() = default;

void Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(path_ + ": " + msg);
  }
}

void Store::seed_if_empty() {
  Statement count = prepare(db_.get(), "SELECT count(*) FROM users");
  if (sqlite3_step(count.get()) != SQLITE_ROW) fail(db_.get(), "count users");
  if (sqlite3_column_int64(count.get(), 0) > 0) return;
  Statement insert =
      prepare(db_.get(), "INSERT INTO users(id, username, email, created_at) VALUES (?1, ?2, ?3, ?4)");
  transaction(db_.get(), [&] {
    for (const UserRow& u : kUsers) {
      bind_text(insert.get(), 1, u.id);
      bind_text(insert.get(), 2, u.username);
      bind_text(insert.get(), 3, u.email);
      sqlite3_bind_int64(insert.get(), 4, u.created_at);
      run(db_.get(), insert.get());
    }
    for (const LogRow& r : kLogs) {
      bind_log(insert_log_.get(), r);
      run(db_.get(), insert_log_.get());
    }
  });
}

std::optional<UserRow> Store::find_user(std::string_view id) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* s = find_user_.get();
  bind_text(s, 1, id);
  std::optional<UserRow> row;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    row = UserRow{column_text(s, 0), column_text(s, 1), column_text(s, 2), sqlite3_column_int64(s, 3)};
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(db_.get(), "find user");
  return row;
}

LogCursor Store::open_log_cursor(std::string_view service, std::int64_t start_timestamp) {
  Connection db = open(path_, SQLITE_OPEN_READONLY);
  Statement s = prepare(db.get(),
                        "SELECT id, service, level, message, ts FROM logs "
                        "WHERE (?1 = '' OR service = ?1) AND ts >= ?2 ORDER BY ts, id");
  bind_text(s.get(), 1, service);
  sqlite3_bind_int64(s.get(), 2, start_timestamp);
  return LogCursor(std::move(db), std::move(s));
}

void Store::insert_logs(const std::vector<LogRow>& rows) {
  std::lock_guard lock(mu_);
  transaction(db_.get(), [&] {
    for (const LogRow& r : rows) {
      bind_log(insert_log_.get(), r);
      run(db_.get(), insert_log_.get());
    }
  });
}

std::size_t Store::insert_readings(const std::vector<ReadingRow>& rows) {
  std::lock_guard lock(mu_);
  transaction(db_.get(), [&] {
    for (const ReadingRow& r : rows) {
      bind_text(insert_reading_.get(), 1, r.device_id);
      sqlite3_bind_double(insert_reading_.get(), 2, r.value);
      sqlite3_bind_int64(insert_reading_.get(), 3, r.timestamp);
      run(db_.get(), insert_reading_.get());
    }
  });
  return rows.size();
}

std::int64_t Store::count_readings(std::string_view device_id) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* s = count_readings_.get();
  bind_text(s, 1, device_id);
  int rc = sqlite3_step(s);
  std::int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_ROW) fail(db_.get(), "count readings");
  return n;
}

}  // namespace seed
