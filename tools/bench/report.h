// tools/bench/report.h — what pronto-bench prints: the live progress line
// and the final summary, as text for people or JSON for scripts.
//
// JSON summary fields (times in microseconds unless the name says _s):
//   target, call, kind, connections, concurrency,
//   calls, ok, errors, messages, duration_s, calls_per_s,
//   client_cpu_s (pronto-bench's own CPU time: is the client the bottleneck?),
//   status_codes {"OK": n, "UNAVAILABLE": n, ...} (codes seen only),
//   error_samples {"UNAVAILABLE": "first message", ...},
//   latency_us {min, mean, p50, p90, p99, p99_9, max} (OK calls),
//   histogram [{"le_us": bound, "count": n}, ...] (OK calls, 1-2-5 log scale)
//
// Stateless functions. Threading: any.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "load.h"
#include "options.h"
#include "request_source.h"

namespace pronto_bench {

void write_text(std::ostream& out, const BenchOptions& options, const RequestSpec& request,
                const LoadStats& stats);
void write_json(std::ostream& out, const BenchOptions& options, const RequestSpec& request,
                const LoadStats& stats);

// "[4s] 182311 calls, 45512 calls/s, 0 errors"
std::string progress_line(std::chrono::nanoseconds elapsed, std::uint64_t calls, double calls_per_s,
                          std::uint64_t errors);

// "850ns", "312.4us", "12.35ms", "1.204s"
std::string format_duration(std::uint64_t ns);

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

}  // namespace pronto_bench
