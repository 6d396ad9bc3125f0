#include "metrics/registry.h"

#include <algorithm>
#include <map>

namespace pronto::metrics {

namespace {

std::atomic<std::uint64_t> g_next_registry_id{1};

template <std::size_t N, std::size_t M>
void add_histogram(std::array<std::uint64_t, M>& into, std::uint64_t& sum, const Histogram<N>& h) {
  for (std::size_t i = 0; i < M; ++i) into[i] += h.bucket(i);
  sum += h.sum();
}

}  // namespace

struct Registry::Shard {
  std::thread::id owner;
  // Owner only: the lookup by method name (keys view MethodCells::method).
  std::unordered_map<std::string_view, MethodCells*> by_method;
  // Every MethodCells of the shard, newest first (published with release).
  std::atomic<MethodCells*> head{nullptr};

  ~Shard() {
    for (MethodCells* m = head.load(std::memory_order_acquire); m;) delete std::exchange(m, m->next);
  }
};

MethodCells::~MethodCells() {
  for (auto& c : by_code) delete c.load(std::memory_order_acquire);
}

StatusCells& MethodCells::status(StatusCode code) {
  auto& slot = by_code[static_cast<std::size_t>(code) % kStatusCodes];
  StatusCells* cells = slot.load(std::memory_order_relaxed);
  if (cells == nullptr) [[unlikely]] {
    cells = new StatusCells();
    slot.store(cells, std::memory_order_release);
  }
  return *cells;
}

Registry::Registry(Side side, std::string target)
    : side_(side),
      target_(std::move(target)),
      id_(g_next_registry_id.fetch_add(1, std::memory_order_relaxed)) {}

Registry::~Registry() = default;

Registry::Shard& Registry::local() {
  // A few registries per thread at most (a server's loop, a channel's loop;
  // tests mix several): a tiny cache, most recent first.
  struct Entry {
    std::uint64_t id;
    Shard* shard;
  };
  thread_local std::array<Entry, 4> cache{};
  if (cache[0].id == id_) [[likely]]
    return *cache[0].shard;
  for (std::size_t i = 1; i < cache.size(); ++i) {
    if (cache[i].id == id_) {
      std::swap(cache[0], cache[i]);
      return *cache[0].shard;
    }
  }
  Shard& shard = local_slow();
  std::move_backward(cache.begin(), cache.end() - 1, cache.end());
  cache[0] = {id_, &shard};
  return shard;
}

Registry::Shard& Registry::local_slow() {
  const auto me = std::this_thread::get_id();
  std::lock_guard lock(mu_);
  for (auto& s : shards_) {
    if (s->owner == me) return *s;
  }
  auto shard = std::make_unique<Shard>();
  shard->owner = me;
  shards_.push_back(std::move(shard));
  return *shards_.back();
}

MethodCells& Registry::method_cells(std::string_view method, RpcKind kind) {
  Shard& shard = local();
  if (auto it = shard.by_method.find(method); it != shard.by_method.end()) [[likely]]
    return *it->second;
  auto* cells = new MethodCells(std::string(method), kind);
  cells->shard = &shard;
  cells->next = shard.head.load(std::memory_order_relaxed);
  shard.by_method.emplace(cells->method, cells);
  shard.head.store(cells, std::memory_order_release);
  return *cells;
}

MethodCells* Registry::record_start(std::string_view method, RpcKind kind) {
  MethodCells& cells = method_cells(method, kind);
  cells.started.add(1);
  return &cells;
}

void Registry::record_end(MethodCells* cells, std::string_view method, RpcKind kind, const CallFigures& f) {
  if (cells == nullptr || cells->shard != &local()) [[unlikely]]
    cells = &method_cells(method, kind);
  StatusCells& s = cells->status(f.code);
  if (side_ == Side::client && f.call_ended)
    s.call_duration.observe(kLatencyBoundsNs,
                            static_cast<std::uint64_t>(std::max<std::int64_t>(0, f.call_duration.count())));
  if (!f.attempt) return;
  s.duration.observe(kLatencyBoundsNs,
                     static_cast<std::uint64_t>(std::max<std::int64_t>(0, f.duration.count())));
  s.sent.observe(kSizeBounds, f.sent_bytes);
  s.rcvd.observe(kSizeBounds, f.rcvd_bytes);
  s.messages_sent.add(f.messages_sent);
  s.messages_received.add(f.messages_received);
}

Snapshot Registry::snapshot() const {
  std::map<std::string, Started, std::less<>> started;
  std::map<std::pair<std::string, int>, Series> series;
  std::lock_guard lock(mu_);
  for (const auto& shard : shards_) {
    for (const MethodCells* m = shard->head.load(std::memory_order_acquire); m; m = m->next) {
      Started& st = started[m->method];
      st.method = m->method;
      st.kind = m->kind;
      st.count += m->started.get();
      for (std::size_t code = 0; code < kStatusCodes; ++code) {
        const StatusCells* c = m->by_code[code].load(std::memory_order_acquire);
        if (c == nullptr) continue;
        Series& s = series[{m->method, static_cast<int>(code)}];
        s.method = m->method;
        s.kind = m->kind;
        s.code = static_cast<StatusCode>(code);
        add_histogram(s.duration, s.duration_sum_ns, c->duration);
        add_histogram(s.call_duration, s.call_duration_sum_ns, c->call_duration);
        add_histogram(s.sent, s.sent_sum, c->sent);
        add_histogram(s.rcvd, s.rcvd_sum, c->rcvd);
        s.messages_sent += c->messages_sent.get();
        s.messages_received += c->messages_received.get();
      }
    }
  }
  Snapshot out;
  for (auto& [k, v] : started) out.started.push_back(std::move(v));
  for (auto& [k, v] : series) out.series.push_back(std::move(v));
  return out;
}

}  // namespace pronto::metrics
