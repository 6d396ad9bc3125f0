// seed/log_service.cc — the seed's StreamLogs: read a cursor, write a row,
// stop when the client is gone.
#include "log_service.h"

#include <vector>

namespace seed {

namespace {

// Rows fetched per trip to the blocking pool; each is still its own message.
constexpr std::size_t kRowsPerFetch = 32;

std::vector<LogRow> fetch(LogCursor& cursor) {
  std::vector<LogRow> rows;
  while (rows.size() < kRowsPerFetch) {
    std::optional<LogRow> row = cursor.next();
    if (!row) break;
    rows.push_back(std::move(*row));
  }
  return rows;
}

}  // namespace

pronto::Task<pronto::Status> LogServiceImpl::StreamLogs(
    pronto::ServerContext& ctx, const pronto::examples::LogFilter& filter,
    pronto::ServerWriter<pronto::examples::LogEntry>& writer) {
  ++stats_.started;
  LogCursor cursor = co_await ctx.blocking(
      [&] { return store_.open_log_cursor(filter.service_name(), filter.start_timestamp()); });
  for (;;) {
    // The seed's `if context.is_active() is False: break`.
    if (ctx.is_cancelled()) {
      ++stats_.stopped;
      co_return pronto::Status::cancelled("client cancelled the stream");
    }
    std::vector<LogRow> rows = co_await ctx.blocking([&] { return fetch(cursor); });
    if (rows.empty()) break;
    for (const LogRow& row : rows) {
      pronto::examples::LogEntry entry;
      entry.set_log_id(row.id);
      entry.set_level(row.level);
      entry.set_message(row.message);
      entry.set_timestamp(row.timestamp);
      entry.set_service_name(row.service);
      // A failed write means the call is over (cancelled, deadline, peer gone).
      if (pronto::Status st = co_await writer.write(entry); !st.ok()) {
        ++stats_.stopped;
        co_return st;
      }
      ++stats_.rows_sent;
      if (row_delay_.count() > 0 && !co_await ctx.sleep_for(row_delay_)) {
        ++stats_.stopped;
        co_return pronto::Status::cancelled("client cancelled the stream");
      }
    }
  }
  ++stats_.completed;
  co_return pronto::Status{};
}

}  // namespace seed
