// tools/interop/cases/soak_cases.cc — rpc_soak and channel_soak: many
// large_unary calls in sequence, over one channel (rpc_soak) or over a new
// channel, hence a new connection and handshake, each time (channel_soak).
//
// Semantics of the --soak_* flags, as in the official C++ client
// (InteropClient::PerformSoakTest): an iteration fails when its call is not
// OK (or its payload is wrong) or when it took longer than
// soak_per_iteration_max_acceptable_latency_ms; iterations start at least
// soak_min_time_ms_between_rpcs apart; no iteration starts after
// soak_overall_timeout_seconds. The case passes when every one of the
// soak_iterations ran and at most soak_max_failures failed. The call itself
// gets no deadline of its own beyond what is left of the overall timeout
// (the official client sets none, to time slow calls rather than cut them).
//
// The PASS or FAIL line carries the counts and the latency distribution of
// the iterations that ran (min, median, p90, max; nearest-rank).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cases/cases.h"

namespace pronto_interop {

namespace {

using Clock = std::chrono::steady_clock;

struct Iteration {
  bool ok = true;
  double ms = 0;
  std::string error;  // why it failed
};

// One large_unary on `env.channel`, or on a new channel when `reset_channel`.
Iteration soak_iteration(CaseEnv& env, bool reset_channel, Clock::time_point overall_deadline) {
  Iteration it;
  const Clock::time_point start = Clock::now();
  std::shared_ptr<pronto::Channel> channel = reset_channel ? env.new_channel() : env.channel;
  grpc::testing::TestService::Stub stub(channel);
  pronto::CallOptions options;
  options.timeout = std::max<Clock::duration>(overall_deadline - start, std::chrono::milliseconds(1));
  auto result = stub.UnaryCall(large_unary_request(), options);
  it.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  try {
    check_ok(result.status(), "UnaryCall");
    check_zeros(result.value().payload().body(), kLargeResponseSize, "response");
  } catch (const CaseFailure& f) {
    it.ok = false;
    it.error = f.reason;
    return it;
  }
  const int max_ms = env.soak.per_iteration_max_acceptable_latency_ms;
  if (it.ms > max_ms) {
    it.ok = false;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.1f ms exceeds the max acceptable latency of %d ms", it.ms, max_ms);
    it.error = buf;
  }
  return it;
}

// "latency ms min 1.2, median 2.0, p90 3.1, max 9.9" (nearest-rank).
std::string latency_summary(std::vector<double> ms) {
  if (ms.empty()) return "no latencies";
  std::sort(ms.begin(), ms.end());
  auto rank = [&](double p) {
    std::size_t i = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(ms.size())));
    return ms[std::clamp<std::size_t>(i, 1, ms.size()) - 1];
  };
  char buf[128];
  std::snprintf(buf, sizeof buf, "latency ms min %.1f, median %.1f, p90 %.1f, max %.1f", ms.front(), rank(50),
                rank(90), ms.back());
  return buf;
}

void soak(CaseEnv& env, bool reset_channel) {
  const SoakConfig& cfg = env.soak;
  const Clock::time_point overall_deadline = Clock::now() + std::chrono::seconds(cfg.overall_timeout_seconds);
  std::vector<double> latencies;
  int failures = 0;
  std::string first_failure;
  for (int i = 0; i < cfg.iterations && Clock::now() < overall_deadline; ++i) {
    const Clock::time_point earliest_next =
        Clock::now() + std::chrono::milliseconds(cfg.min_time_ms_between_rpcs);
    Iteration it = soak_iteration(env, reset_channel, overall_deadline);
    latencies.push_back(it.ms);
    if (!it.ok) {
      ++failures;
      if (first_failure.empty()) first_failure = "iteration " + std::to_string(i) + ": " + it.error;
    }
    std::this_thread::sleep_until(earliest_next);
  }
  const int ran = static_cast<int>(latencies.size());
  const std::string counts = std::to_string(ran) + " of " + std::to_string(cfg.iterations) +
                             " iterations ran, " + std::to_string(failures) + " failed (max_failures " +
                             std::to_string(cfg.max_failures) + "); " + latency_summary(latencies);
  const std::string first = first_failure.empty() ? "" : "; first failure: " + first_failure;
  if (ran < cfg.iterations) {
    throw CaseFailure{"overall timeout of " + std::to_string(cfg.overall_timeout_seconds) + " s: " + counts +
                      first};
  }
  if (failures > cfg.max_failures) throw CaseFailure{counts + first};
  env.note = counts + first;
}

}  // namespace

void rpc_soak(CaseEnv& env) { soak(env, /*reset_channel=*/false); }
void channel_soak(CaseEnv& env) { soak(env, /*reset_channel=*/true); }

}  // namespace pronto_interop
