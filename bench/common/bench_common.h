// bench_common.h — what every bench binary shares (official and pronto
// sides alike): --name=value flags, process figures (CPU, peak RSS),
// latency percentiles and the one-line JSON result the harness parses.
//
// Threading: Flags and Json are used from main only; the process figures
// are safe from any thread.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

class Flags {
 public:
  Flags(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
    for (int i = 1; i < argc; ++i) {
      std::string_view arg = argv[i];
      auto eq = arg.find('=');
      if (arg.substr(0, 2) != "--" || eq == std::string_view::npos) die("bad argument: " + std::string(arg));
      values_[std::string(arg.substr(2, eq - 2))] = std::string(arg.substr(eq + 1));
    }
  }
  std::string str(const std::string& name, std::string fallback) {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    std::string v = std::move(it->second);
    values_.erase(it);
    return v;
  }
  std::int64_t integer(const std::string& name, std::int64_t fallback) {
    std::string v = str(name, std::to_string(fallback));
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 0) die("--" + name + " wants a non-negative number, got " + v);
    return n;
  }
  double number(const std::string& name, double fallback) {
    std::string v = str(name, std::to_string(fallback));
    char* end = nullptr;
    double n = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || n < 0) die("--" + name + " wants a non-negative number, got " + v);
    return n;
  }
  void check_all_used() {
    if (!values_.empty()) die("unknown flag --" + values_.begin()->first);
  }

 private:
  [[noreturn]] void die(const std::string& error) {
    std::fprintf(stderr, "%s\nusage: %s\n", error.c_str(), usage_.c_str());
    std::exit(2);
  }
  std::string usage_;
  std::map<std::string, std::string> values_;
};

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
