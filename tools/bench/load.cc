// tools/bench/load.cc — see load.h.
#include "load.h"

#include <sys/resource.h>

#include <coroutine>
#include <exception>
#include <utility>

#include "pronto/client_call.h"
#include "raw_message.h"

namespace pronto_bench {

namespace {

using Clock = std::chrono::steady_clock;

// A coroutine that starts at once and frees itself when it ends.
struct Detached {
  struct promise_type {
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

// Runs `task` on its own (pronto has no public spawn): it starts on this
// thread and continues wherever its awaits resume it. `on_done` runs after
// the task's frame is destroyed, so whoever it wakes may free what the task
// used.
template <class OnDone>
Detached spawn(pronto::Task<void> task, OnDone on_done) {
  {
    pronto::Task<void> running = std::move(task);
    co_await std::move(running);
  }
  on_done();
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

pronto::CallOptions call_options(const BenchOptions& o) {
  pronto::CallOptions options;
  if (o.timeout.count() > 0) options.timeout = o.timeout;
  for (const auto& [key, value] : o.metadata) options.metadata.add(key, value);
  options.propagate_deadline = false;
  return options;
}

}  // namespace

LoadRun::LoadRun(const BenchOptions& options, const RequestSpec& request)
    : options_(options), request_(request) {}

LoadRun::~LoadRun() {
  // Workers reference this object: let the ones still running end first.
  stop();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return running_ == 0; });
}

void LoadRun::start() {
  pronto::ChannelOptions channel_options;
  if (options_.tls) {
    channel_options.tls = pronto::TlsChannelOptions{.ca_file = options_.ca_file,
                                                    .server_name_override = options_.server_name,
                                                    .cert_file = options_.cert_file,
                                                    .key_file = options_.key_file};
  }
  for (int i = 0; i < options_.connections; ++i) {
    channels_.push_back(pronto::Channel::create(options_.target, channel_options));
  }
  workers_.resize(static_cast<std::size_t>(options_.concurrency));
  {
    std::lock_guard lock(mu_);
    running_ = workers_.size();
  }
  cpu_at_start_ = process_cpu_seconds();
  started_ = Clock::now();
  if (options_.duration) deadline_ = started_ + *options_.duration;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    const auto& channel = channels_[i % channels_.size()];
    auto task = request_.kind == CallKind::server_streaming ? streaming_worker(workers_[i], channel)
                                                            : unary_worker(workers_[i], channel);
    spawn(std::move(task), [this] { worker_done(); });
  }
}

bool LoadRun::take_ticket(Clock::time_point now) noexcept {
  if (stop_.load(std::memory_order_relaxed) || now >= deadline_) return false;
  return !options_.total || issued_.fetch_add(1, std::memory_order_relaxed) < *options_.total;
}

void LoadRun::record(Worker& w, const pronto::Status& status, std::uint64_t messages,
                     std::chrono::nanoseconds latency) {
  const auto code = static_cast<std::size_t>(status.code());
  ++w.calls;
  w.messages += messages;
  if (code < kStatusCodes) {
    ++w.by_code[code];
    if (!status.ok() && w.sample_message[code].empty()) w.sample_message[code] = status.message();
  }
  if (status.ok()) {
    w.latency.record(latency);
  } else {
    errors_.fetch_add(1, std::memory_order_relaxed);
  }
  calls_.fetch_add(1, std::memory_order_relaxed);
}

pronto::Task<void> LoadRun::unary_worker(Worker& w, const std::shared_ptr<pronto::Channel>& channel) {
  const RawMessage request{request_.bytes};
  const pronto::CallOptions options = call_options(options_);
  Clock::time_point now = Clock::now();
  while (take_ticket(now)) {
    const Clock::time_point begin = now;
    pronto::Result<RawMessage> reply =
        co_await pronto::unary_call<RawMessage>(channel, request_.path, request, options);
    now = Clock::now();
    if (reply) {
      record(w, pronto::Status(), 1, now - begin);
    } else {
      record(w, reply.status(), 0, now - begin);
    }
  }
}

pronto::Task<void> LoadRun::streaming_worker(Worker& w, const std::shared_ptr<pronto::Channel>& channel) {
  const RawMessage request{request_.bytes};
  const pronto::CallOptions options = call_options(options_);
  Clock::time_point now = Clock::now();
  while (take_ticket(now)) {
    const Clock::time_point begin = now;
    auto reader = pronto::server_streaming_call<RawMessage>(channel, request_.path, request, options);
    std::uint64_t messages = 0;
    while (auto message = co_await reader.read()) ++messages;
    pronto::Status status = co_await reader.finish();
    now = Clock::now();
    record(w, status, messages, now - begin);
  }
}

void LoadRun::worker_done() {
  std::lock_guard lock(mu_);
  if (--running_ == 0) {
    finished_ = Clock::now();
    cpu_at_finish_ = process_cpu_seconds();
    cv_.notify_all();
  }
}

bool LoadRun::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return running_ == 0; });
}

std::chrono::nanoseconds LoadRun::running_for() const noexcept { return Clock::now() - started_; }

LoadStats LoadRun::results() const {
  LoadStats stats;
  for (const Worker& w : workers_) {
    stats.calls += w.calls;
    stats.messages += w.messages;
    for (std::size_t c = 0; c < kStatusCodes; ++c) {
      stats.by_code[c] += w.by_code[c];
      if (stats.sample_message[c].empty()) stats.sample_message[c] = w.sample_message[c];
    }
    stats.latency.merge(w.latency);
  }
  stats.elapsed = finished_ - started_;
  stats.cpu_seconds = cpu_at_finish_ - cpu_at_start_;
  return stats;
}

}  // namespace pronto_bench
