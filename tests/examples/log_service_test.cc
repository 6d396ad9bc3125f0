// tests/examples/log_service_test.cc — StreamLogs end to end: the exact
// seeded rows for a filter, and a handler that stops when the client
// cancels or the deadline passes.
#include <vector>

#include "log_service.pronto.h"
#include "seed_fixture.h"

namespace seed_test {
namespace {

namespace ex = pronto::examples;

ex::LogFilter filter(std::string service, std::int64_t start) {
  ex::LogFilter f;
  f.set_service_name(std::move(service));
  f.set_start_timestamp(start);
  return f;
}

std::vector<std::string> messages(pronto::BlockingReader<ex::LogEntry>& reader) {
  std::vector<std::string> out;
  for (const ex::LogEntry& e : reader) out.push_back(e.level() + " " + e.message());
  return out;
}

// Log rows for a service that streams for a long time.
void add_bulk_rows(seed::Store& store, int n) {
  std::vector<seed::LogRow> rows;
  for (int i = 0; i < n; ++i)
    rows.push_back({0, "bulk-service", "INFO", "row " + std::to_string(i), 1720000000 + i});
  store.insert_logs(rows);
}

using LogServiceTest = SeedFixture;

TEST_F(LogServiceTest, StreamsExactlyTheMatchingRowsInOrder) {
  ex::LogService::Stub stub(channel_);
  pronto::BlockingReader<ex::LogEntry> reader =
      stub.StreamLogs(filter("payment-service", 1710000000), call());
  std::vector<std::string> got = messages(reader);
  EXPECT_TRUE(reader.status().ok()) << reader.status().to_string();
  EXPECT_EQ(got, (std::vector<std::string>{
                     "INFO payment accepted order=1001",
                     "WARN retrying card authorization order=1002",
                     "ERROR card declined order=1003",
                     "INFO payment accepted order=1004",
                 }));
  EXPECT_TRUE(wait_until([&] { return app_->log_service().stats().completed == 1; }));
  EXPECT_EQ(app_->log_service().stats().rows_sent, 4);
}

TEST_F(LogServiceTest, EntriesCarryEveryColumn) {
  ex::LogService::Stub stub(channel_);
  pronto::BlockingReader<ex::LogEntry> reader = stub.StreamLogs(filter("auth-service", 0), call());
  std::optional<ex::LogEntry> entry = reader.read();
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->service_name(), "auth-service");
  EXPECT_EQ(entry->level(), "INFO");
  EXPECT_EQ(entry->message(), "user u_001 logged in");
  EXPECT_EQ(entry->timestamp(), 1710000050);
  EXPECT_GT(entry->log_id(), 0);
  EXPECT_FALSE(reader.read());
  EXPECT_TRUE(reader.status().ok());
}

TEST_F(LogServiceTest, EmptyServiceNameMatchesEveryServiceAndNoMatchIsAnEmptyStream) {
  ex::LogService::Stub stub(channel_);
  pronto::BlockingReader<ex::LogEntry> all = stub.StreamLogs(filter("", 1710000000), call());
  EXPECT_EQ(messages(all).size(), 6u);
  EXPECT_TRUE(all.status().ok());

  pronto::BlockingReader<ex::LogEntry> none = stub.StreamLogs(filter("payment-service", 1800000000), call());
  EXPECT_TRUE(messages(none).empty());
  EXPECT_TRUE(none.status().ok());
}

TEST_F(LogServiceTest, WithoutTokenNoRowIsSent) {
  ex::LogService::Stub stub(channel_);
  pronto::BlockingReader<ex::LogEntry> reader = stub.StreamLogs(filter("payment-service", 0), call(""));
  EXPECT_TRUE(messages(reader).empty());
  EXPECT_EQ(reader.status().code(), pronto::StatusCode::unauthenticated);
  EXPECT_EQ(app_->log_service().stats().started, 0);
}

TEST_F(LogServiceTest, ClientCancelMidStreamStopsTheHandler) {
  // Paced like the seed (1 ms a row): 20000 rows would take 20 s.
  start({.log_row_delay = std::chrono::milliseconds(1)});
  add_bulk_rows(app_->store(), 20000);
  ex::LogService::Stub stub(channel_);
  pronto::BlockingReader<ex::LogEntry> reader = stub.StreamLogs(filter("bulk-service", 0), call());
  for (int i = 0; i < 10; ++i) {
    std::optional<ex::LogEntry> entry = reader.read();
    ASSERT_TRUE(entry) << i;
    EXPECT_EQ(entry->message(), "row " + std::to_string(i));
  }
  reader.cancel();
  EXPECT_EQ(reader.status().code(), pronto::StatusCode::cancelled);

  const auto& stats = app_->log_service().stats();
  EXPECT_TRUE(wait_until([&] { return stats.stopped == 1; })) << "the handler did not stop";
  std::int64_t sent = stats.rows_sent;
  EXPECT_GE(sent, 10);
  EXPECT_LT(sent, 20000);
  EXPECT_EQ(stats.completed, 0);
  // Stopped means stopped: nothing more is sent afterwards.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(stats.rows_sent, sent);
}

TEST_F(LogServiceTest, DeadlineStopsTheHandler) {
  start({.log_row_delay = std::chrono::milliseconds(1)});
  add_bulk_rows(app_->store(), 20000);
  ex::LogService::Stub stub(channel_);
  pronto::BlockingReader<ex::LogEntry> reader =
      stub.StreamLogs(filter("bulk-service", 0), call(kToken, 300ms));
  std::size_t n = messages(reader).size();
  EXPECT_EQ(reader.status().code(), pronto::StatusCode::deadline_exceeded);
  EXPECT_GT(n, 0u);
  EXPECT_LT(n, 20000u);
  EXPECT_TRUE(wait_until([&] { return app_->log_service().stats().stopped == 1; }));
}

}  // namespace
}  // namespace seed_test
