// metrics/registry.h — the cells behind one server's or one channel's
// metrics (gRPC proposal A66), written without a lock and merged on scrape.
//
// Cells live in shards, one per (registry, thread). A thread records only
// into its own shard, so every cell has a single writer: an update is a
// relaxed load and store of an atomic (no read-modify-write, no lock), and
// a scraper on another thread reads the same atomics (relaxed) and sums the
// shards (a release store, a plain store on x86, so a scrape after a call
// ended sees it). A thread finds its shard through a small thread_local cache keyed
// by the registry's id (never reused, so a registry destroyed and another
// allocated at the same address cannot be confused); a miss takes the
// registry's mutex once per (registry, thread).
//
// Ownership: the owner (ServerImpl, ChannelImpl) holds the Registry; cells
// are freed with it. It must outlive every thread that records into it
// (the owner's loops stop first).
// Threading: record_* from any thread; snapshot() from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "metrics/buckets.h"
#include "pronto/status.h"

namespace pronto::metrics {

inline constexpr std::size_t kStatusCodes = 17;

// A method's kind as the metrics know it (pronto::RpcKind lives in the
// server layer, above this one); unknown on the client and for "other".
enum class RpcKind { unknown, unary, client_streaming, server_streaming, bidi_streaming };

// A single-writer counter.
class Counter {
 public:
  void add(std::uint64_t n) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }
  std::uint64_t get() const noexcept { return v_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// A single-writer histogram over fixed bounds (per-bucket counts, not
// cumulative; the last bucket is +Inf).
template <std::size_t N>
class Histogram {
 public:
  void observe(const std::array<std::uint64_t, N>& bounds, std::uint64_t value) noexcept {
    buckets_[bucket_index(bounds, value)].add(1);
    sum_.add(value);
  }
  std::uint64_t bucket(std::size_t i) const noexcept { return buckets_[i].get(); }
  std::uint64_t sum() const noexcept { return sum_.get(); }

 private:
  std::array<Counter, N + 1> buckets_{};
  Counter sum_;
};

using LatencyHistogram = Histogram<kLatencyBoundsNs.size()>;
using SizeHistogram = Histogram<kSizeBounds.size()>;

// What one (method, status) records.
struct StatusCells {
  LatencyHistogram duration;       // server: call; client: attempt
  LatencyHistogram call_duration;  // client only
  SizeHistogram sent;
  SizeHistogram rcvd;
  Counter messages_sent;
  Counter messages_received;
};

// What one method records on one shard.
struct MethodCells {
  MethodCells(std::string m, RpcKind k) : method(std::move(m)), kind(k) {}
  const std::string method;  // "/pkg.Service/Method", or "other"
  const RpcKind kind;
  Counter started;
  std::array<std::atomic<StatusCells*>, kStatusCodes> by_code{};
  MethodCells* next = nullptr;  // the shard's list, for scrapers
  const void* shard = nullptr;  // the shard that owns (and alone writes) it
  ~MethodCells();
  // Owner thread only.
  StatusCells& status(StatusCode code);
};

// One call's figures at its end.
struct CallFigures {
  StatusCode code = StatusCode::ok;
  std::chrono::nanoseconds duration{0};       // server call / client attempt
  std::chrono::nanoseconds call_duration{0};  // client only
  std::uint64_t sent_bytes = 0;
  std::uint64_t rcvd_bytes = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
  // Client: false when the call ended before any attempt began (only
  // call_duration is recorded then).
  bool attempt = true;
  // Client: false for an attempt that ended while its call goes on (a
  // transparent retry): call_duration is not recorded then.
  bool call_ended = true;
};

// The merged figures of one (method, status) across shards, for exporters.
struct Series {
  std::string method;
  RpcKind kind = RpcKind::unknown;
  StatusCode code = StatusCode::ok;
  std::array<std::uint64_t, kLatencyBoundsNs.size() + 1> duration{};
  std::uint64_t duration_sum_ns = 0;
  std::array<std::uint64_t, kLatencyBoundsNs.size() + 1> call_duration{};
  std::uint64_t call_duration_sum_ns = 0;
  std::array<std::uint64_t, kSizeBounds.size() + 1> sent{};
  std::uint64_t sent_sum = 0;
  std::array<std::uint64_t, kSizeBounds.size() + 1> rcvd{};
  std::uint64_t rcvd_sum = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
};

struct Started {
  std::string method;
  RpcKind kind = RpcKind::unknown;
  std::uint64_t count = 0;
};

struct Snapshot {
  std::vector<Started> started;  // by method, sorted
  std::vector<Series> series;    // by (method, code), sorted
};

enum class Side { server, client };

class Registry {
 public:
  // `target` labels client metrics (grpc.target).
  explicit Registry(Side side, std::string target = {});
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Side side() const noexcept { return side_; }
  const std::string& target() const noexcept { return target_; }

  // The calling thread's cells for `method` (created on first use). The
  // pointer stays valid for the registry's life but may only be written on
  // this thread: record_end checks and looks up again elsewhere.
  MethodCells& method_cells(std::string_view method, RpcKind kind);
  // A call (server) or attempt (client) began.
  MethodCells* record_start(std::string_view method, RpcKind kind);
  // It ended. `cells` is what record_start gave (or null).
  void record_end(MethodCells* cells, std::string_view method, RpcKind kind, const CallFigures& figures);

  Snapshot snapshot() const;

 private:
  struct Shard;
  Shard& local();
  Shard& local_slow();

  const Side side_;
  const std::string target_;
  const std::uint64_t id_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Shard>> shards_;  // guarded by mu_ (the vector; cells are atomics)
};

}  // namespace pronto::metrics
