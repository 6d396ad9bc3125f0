// bench_common.h — what every bench binary shares (official and pronto
// sides alike): the clients' flags, process figures (CPU, peak RSS),
// latency percentiles and the one-line JSON result the harness parses.
//
// Threading: the flags and Json are used from main only; the process figures
// are safe from any thread.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "flags.h"  // tools/common/flags.h

namespace bench {

// What both bench clients (official and pronto) take; `mode` is one of the
// program's modes.
struct ClientOptions {
  std::string target = "127.0.0.1:50051";
  std::string mode = "unary";
  std::string method = "hello";
  std::int64_t payload = 10;
  std::int64_t channels = 1;
  std::int64_t concurrency = 1;
  double warmup = 1;
  double seconds = 5;
  std::int64_t calls = 0;
  std::int64_t message_size = 100;
  std::int64_t total_bytes = 1 << 30;
  bool metrics = true;  // pronto client: ChannelOptions::metrics (scenario i)
};

// The clients' command line; exits 2 on a usage error, 0 after --help.
inline ClientOptions parse_client_flags(int argc, char** argv, const std::string& program,
                                        const std::vector<std::string>& modes, std::int64_t message_size) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  ClientOptions o;
  o.message_size = message_size;
  std::string mode_list;
  for (const std::string& m : modes) mode_list += (mode_list.empty() ? "" : "|") + m;
  cli::Flags flags(program, "A bench/run load client; prints one JSON line of figures.");
  flags.string("target=HOST:PORT", &o.target, "the server")
      .custom(
          "mode=" + mode_list,
          [&](const std::string& v) {
            if (std::find(modes.begin(), modes.end(), v) == modes.end()) {
              return "--mode must be one of " + mode_list + ", not '" + v + "'";
            }
            o.mode = v;
            return std::string();
          },
          "what to run", o.mode)
      .string("method=hello|echo", &o.method, "unary: helloworld.Greeter/SayHello or bench.Bench/Echo")
      .integer("payload", &o.payload, std::int64_t{0}, kMax, "bytes of each Echo payload")
      .integer("channels", &o.channels, std::int64_t{1}, kMax, "connections")
      .integer("concurrency", &o.concurrency, std::int64_t{1}, kMax, "calls in flight per channel")
      .number("warmup=S", &o.warmup, 0, HUGE_VAL, "seconds before the measured window")
      .number("seconds=S", &o.seconds, 0, HUGE_VAL, "seconds measured")
      .integer("calls", &o.calls, std::int64_t{0}, kMax, "exactly this many calls, no warm-up; 0: by time")
      .integer("message-size", &o.message_size, std::int64_t{1}, kMax, "bytes of each streamed message")
      .integer("total-bytes", &o.total_bytes, std::int64_t{0}, kMax, "upload: bytes sent in all")
      .boolean("metrics", &o.metrics, "pronto client: count calls (ChannelOptions::metrics); --no-metrics: off");
  flags.parse_or_exit(argc, argv);
  return o;
}

// user+sys CPU seconds of this process (every thread, living or not).
inline double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

// Peak resident set (VmHWM) in KiB.
inline long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Nearest-rank percentile of latencies in microseconds; sorts `v`.
inline double percentile_us(std::vector<double>& v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  std::size_t rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size()));
  return v[std::min(rank, v.size() - 1)];
}

// One flat JSON object on one stdout line: {"key": value, ...}.
class Json {
 public:
  Json& num(const std::string& k, double v) {
    std::ostringstream s;
    s.precision(10);
    s << v;
    return raw(k, s.str());
  }
  Json& str(const std::string& k, const std::string& v) {
    std::string e = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') e += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) e += c;
    }
    return raw(k, e + "\"");
  }
  void print() const {
    std::printf("{%s}\n", body_.c_str());
    std::fflush(stdout);
  }

 private:
  Json& raw(const std::string& k, const std::string& v) {
    if (!body_.empty()) body_ += ", ";
    body_ += "\"" + k + "\": " + v;
    return *this;
  }
  std::string body_;
};

}  // namespace bench
