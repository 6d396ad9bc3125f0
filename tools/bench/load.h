// tools/bench/load.h — the load itself: --concurrency coroutine workers,
// each looping calls on one of --connections channels.
//
// No thread per call: a worker is a pronto::Task started from main() by a
// small detached driver; its first call is issued from main(), and from then
// on it is resumed on its channel's event loop thread, where it records the
// result and issues the next call. So the only threads are one loop per
// channel plus main(), which only watches.
//
// Ownership: a LoadRun owns its channels and workers; it must outlive the
// run (wait_for() returned true, or finished() is true) and is not copyable.
// Threading: start()/wait_for()/results() on the owning thread; stop(),
// calls_done() and errors_done() from any thread (stop() is a lock-free
// atomic store, so a signal handler may call it).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "histogram.h"
#include "options.h"
#include "pronto/channel.h"
#include "pronto/status.h"
#include "pronto/task.h"
#include "request_source.h"

namespace pronto_bench {

constexpr std::size_t kStatusCodes = 17;

// What the run saw. Latencies are of OK calls only (failed calls, e.g. fast
// UNAVAILABLE, would distort them), start of call to final status.
struct LoadStats {
  std::uint64_t calls = 0;     // finished calls, OK or not
  std::uint64_t messages = 0;  // response messages received (== OK calls for unary)
  std::array<std::uint64_t, kStatusCodes> by_code{};
  std::array<std::string, kStatusCodes> sample_message{};  // first message seen per code
  Histogram latency;
  std::chrono::nanoseconds elapsed{0};  // first call issued .. last call finished
  double cpu_seconds = 0;               // this process's CPU time (user + system) over `elapsed`

  std::uint64_t ok() const noexcept { return by_code[0]; }
  std::uint64_t errors() const noexcept { return calls - ok(); }
};

class LoadRun {
 public:
  LoadRun(const BenchOptions& options, const RequestSpec& request);
  ~LoadRun();
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // Creates the channels and starts every worker.
  void start();
  // Asks workers to issue no new calls; calls in flight still finish.
  void stop() noexcept { stop_.store(true, std::memory_order_relaxed); }
  // True once every worker is done (waits at most `timeout`).
  bool wait_for(std::chrono::milliseconds timeout);

  std::uint64_t calls_done() const noexcept { return calls_.load(std::memory_order_relaxed); }
  std::uint64_t errors_done() const noexcept { return errors_.load(std::memory_order_relaxed); }
  std::chrono::nanoseconds running_for() const noexcept;

  // The merged statistics; only after wait_for() returned true.
  LoadStats results() const;

  // Per-worker state, touched only by that worker's coroutine.
  struct Worker {
    std::uint64_t calls = 0;
    std::uint64_t messages = 0;
    std::array<std::uint64_t, kStatusCodes> by_code{};
    std::array<std::string, kStatusCodes> sample_message{};
    Histogram latency;
  };

 private:
  pronto::Task<void> unary_worker(Worker& w, const std::shared_ptr<pronto::Channel>& channel);
  pronto::Task<void> streaming_worker(Worker& w, const std::shared_ptr<pronto::Channel>& channel);
  bool take_ticket(std::chrono::steady_clock::time_point now) noexcept;
  void record(Worker& w, const pronto::Status& status, std::uint64_t messages,
              std::chrono::nanoseconds latency);
  void worker_done();

  const BenchOptions& options_;
  const RequestSpec& request_;
  std::vector<std::shared_ptr<pronto::Channel>> channels_;
  std::vector<Worker> workers_;

  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> issued_{0};
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> errors_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t running_ = 0;
  std::chrono::steady_clock::time_point finished_{};
  double cpu_at_start_ = 0;
  double cpu_at_finish_ = 0;
};

}  // namespace pronto_bench
