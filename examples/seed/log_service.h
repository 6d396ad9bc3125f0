// seed/log_service.h — LogService.StreamLogs (server streaming): one
// LogEntry per row of a SQLite cursor (service filter, start timestamp),
// stopping as soon as the client cancels.
//
// Ownership: borrows the Store; owns its counters.
// Threading: handlers run on their call's loop (several at once on several
// loops); cursor steps run on the blocking pool. The counters are atomics,
// read from any thread (tests use them to see a handler stop).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "log_service.pronto.h"
#include "store.h"

namespace seed {

class LogServiceImpl final : public pronto::examples::LogService::Service {
 public:
  // What the handlers did so far.
  struct Stats {
    std::atomic<int> started{0};
    std::atomic<int> completed{0};  // sent every matching row
    std::atomic<int> stopped{0};    // stopped early: cancelled, deadline, client gone
    std::atomic<std::int64_t> rows_sent{0};
  };

  // `row_delay` paces the stream like the seed's time.sleep(0.001) (zero: none).
  explicit LogServiceImpl(Store& store, std::chrono::microseconds row_delay = {})
      : store_(store), row_delay_(row_delay) {}

  pronto::Task<pronto::Status> StreamLogs(pronto::ServerContext& ctx,
                                          const pronto::examples::LogFilter& filter,
                                          pronto::ServerWriter<pronto::examples::LogEntry>& writer) override;

  const Stats& stats() const noexcept { return stats_; }

 private:
  Store& store_;
  std::chrono::microseconds row_delay_;
  Stats stats_;
};

}  // namespace seed
