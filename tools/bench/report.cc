// tools/bench/report.cc — see report.h.
#include "report.h"

#include <algorithm>
#include <cstdio>

#include "pronto/status.h"

namespace pronto_bench {

namespace {

std::string fmt(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

double seconds_of(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

double rate(std::uint64_t n, std::chrono::nanoseconds d) {
  const double s = seconds_of(d);
  return s > 0 ? static_cast<double>(n) / s : 0;
}

std::string_view code_name(std::size_t code) {
  return pronto::status_code_name(static_cast<pronto::StatusCode>(code));
}

// Histogram bounds are 1-2-5 values: print them without decimals.
std::string format_bound(std::uint64_t ns) {
  if (ns < 1000) return std::to_string(ns) + "ns";
  if (ns < 1000000) return std::to_string(ns / 1000) + "us";
  if (ns < 1000000000) return std::to_string(ns / 1000000) + "ms";
  return std::to_string(ns / 1000000000) + "s";
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string format_duration(std::uint64_t ns) {
  if (ns < 1000) return std::to_string(ns) + "ns";
  if (ns < 1000000) return fmt("%.1fus", static_cast<double>(ns) / 1e3);
  if (ns < 1000000000) return fmt("%.2fms", static_cast<double>(ns) / 1e6);
  return fmt("%.3fs", static_cast<double>(ns) / 1e9);
}

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;  // UTF-8 passes through
        }
    }
  }
  return out + "\"";
}

std::string progress_line(std::chrono::nanoseconds elapsed, std::uint64_t calls, double calls_per_s,
                          std::uint64_t errors) {
  return "[" + fmt("%.0f", seconds_of(elapsed)) + "s] " + plural(calls, "call", "calls") + ", " +
         fmt("%.0f", calls_per_s) + " calls/s, " + plural(errors, "error", "errors");
}

void write_text(std::ostream& out, const BenchOptions& o, const RequestSpec& request,
                const LoadStats& stats) {
  const Histogram& h = stats.latency;
  out << "Summary:\n";
  out << "  Target:      " << o.target << " ("
      << plural(static_cast<std::uint64_t>(o.connections), "connection", "connections") << ", "
      << o.concurrency << " in flight, " << (o.tls ? "TLS" : "plaintext") << ")\n";
  out << "  Call:        " << o.call_name() << " (" << call_kind_name(request.kind) << ", "
      << request.bytes.size() << "-byte "
      << (request.input_type.empty() ? std::string("request") : request.input_type) << ")\n";
  out << "  Calls:       " << stats.calls << " (" << stats.ok() << " OK, "
      << plural(stats.errors(), "error", "errors") << ")\n";
  if (request.kind == CallKind::server_streaming) {
    out << "  Messages:    " << stats.messages << " (" << fmt("%.1f", rate(stats.messages, stats.elapsed))
        << " messages/s)\n";
  }
  out << "  Duration:    " << format_duration(static_cast<std::uint64_t>(stats.elapsed.count())) << "\n";
  out << "  Calls/s:     " << fmt("%.1f", rate(stats.calls, stats.elapsed)) << "\n";
  out << "  Client CPU:  " << fmt("%.2fs", stats.cpu_seconds);
  if (stats.calls > 0)
    out << " (" << fmt("%.1fus", stats.cpu_seconds * 1e6 / static_cast<double>(stats.calls)) << " per call)";
  out << "\n";

  if (h.count() > 0) {
    auto d = [](std::uint64_t ns) { return format_duration(ns); };
    out << "\nLatency (OK calls):\n";
    out << "  min " << d(h.min_ns()) << "   mean " << d(static_cast<std::uint64_t>(h.mean_ns())) << "   max "
        << d(h.max_ns()) << "\n";
    out << "  p50 " << d(h.percentile_ns(50)) << "   p90 " << d(h.percentile_ns(90)) << "   p99 "
        << d(h.percentile_ns(99)) << "   p99.9 " << d(h.percentile_ns(99.9)) << "\n";

    out << "\nLatency histogram (OK calls):\n";
    const auto buckets = h.log_buckets();
    std::uint64_t most = 1;
    for (const auto& b : buckets) most = std::max(most, b.count);
    constexpr int kBar = 40;
    for (const auto& b : buckets) {
      const int len = static_cast<int>(static_cast<double>(b.count) * kBar / static_cast<double>(most) + 0.5);
      char label[32];
      std::snprintf(label, sizeof label, "  <= %6s |", format_bound(b.upper_ns).c_str());
      out << label << std::string(static_cast<std::size_t>(len), '#')
          << std::string(static_cast<std::size_t>(kBar - len), ' ') << " " << b.count << "\n";
    }
  }

  out << "\nStatus codes:\n";
  for (std::size_t c = 0; c < kStatusCodes; ++c) {
    if (stats.by_code[c] == 0) continue;
    char line[64];
    std::snprintf(line, sizeof line, "  %-20s %10llu", std::string(code_name(c)).c_str(),
                  static_cast<unsigned long long>(stats.by_code[c]));
    out << line;
    if (!stats.sample_message[c].empty()) out << "   e.g. " << stats.sample_message[c];
    out << "\n";
  }
  if (stats.calls == 0) out << "  (no calls finished)\n";
}

void write_json(std::ostream& out, const BenchOptions& o, const RequestSpec& request,
                const LoadStats& stats) {
  const Histogram& h = stats.latency;
  auto us = [](double ns) { return fmt("%.3f", ns / 1e3); };
  out << "{\"target\":" << json_quote(o.target) << ",\"call\":" << json_quote(o.call_name())
      << ",\"kind\":" << json_quote(request.kind == CallKind::server_streaming ? "server_streaming" : "unary")
      << ",\"connections\":" << o.connections << ",\"concurrency\":" << o.concurrency;
  out << ",\"calls\":" << stats.calls << ",\"ok\":" << stats.ok() << ",\"errors\":" << stats.errors()
      << ",\"messages\":" << stats.messages << ",\"duration_s\":" << fmt("%.6f", seconds_of(stats.elapsed))
      << ",\"calls_per_s\":" << fmt("%.3f", rate(stats.calls, stats.elapsed))
      << ",\"client_cpu_s\":" << fmt("%.3f", stats.cpu_seconds);

  out << ",\"status_codes\":{";
  bool first = true;
  for (std::size_t c = 0; c < kStatusCodes; ++c) {
    if (stats.by_code[c] == 0) continue;
    out << (first ? "" : ",") << json_quote(code_name(c)) << ":" << stats.by_code[c];
    first = false;
  }
  out << "},\"error_samples\":{";
  first = true;
  for (std::size_t c = 1; c < kStatusCodes; ++c) {
    if (stats.sample_message[c].empty()) continue;
    out << (first ? "" : ",") << json_quote(code_name(c)) << ":" << json_quote(stats.sample_message[c]);
    first = false;
  }
  out << "},\"latency_us\":{\"min\":" << us(static_cast<double>(h.min_ns()))
      << ",\"mean\":" << us(h.mean_ns()) << ",\"p50\":" << us(static_cast<double>(h.percentile_ns(50)))
      << ",\"p90\":" << us(static_cast<double>(h.percentile_ns(90)))
      << ",\"p99\":" << us(static_cast<double>(h.percentile_ns(99)))
      << ",\"p99_9\":" << us(static_cast<double>(h.percentile_ns(99.9)))
      << ",\"max\":" << us(static_cast<double>(h.max_ns())) << "}";
  out << ",\"histogram\":[";
  first = true;
  for (const auto& b : h.log_buckets()) {
    out << (first ? "" : ",") << "{\"le_us\":" << us(static_cast<double>(b.upper_ns))
        << ",\"count\":" << b.count << "}";
    first = false;
  }
  out << "]}\n";
}

}  // namespace pronto_bench
