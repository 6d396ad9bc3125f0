#include "metrics/prometheus.h"

#include <charconv>
#include <cstdio>

namespace pronto::metrics {

namespace {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

void append_labels(std::string& out, const Labels& labels, std::string_view le = {}) {
  if (labels.empty() && le.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// A double as Prometheus' Go clients write it (strconv 'g', shortest):
// "0.0001", "1e-05", "100".
std::string format_double(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  return std::string(buf, end);
}

void append_sample(std::string& out, std::string_view name, const Labels& labels, std::uint64_t value,
                   std::string_view le = {}) {
  out += name;
  append_labels(out, labels, le);
  out += ' ';
  append_uint(out, value);
  out += '\n';
}

void append_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// Buckets (cumulative), _sum (in the unit: scale divides the stored
// integer) and _count.
template <std::size_t N, std::size_t M>
void append_histogram(std::string& out, std::string_view name, const Labels& labels,
                      const std::array<std::uint64_t, N>& bounds, const std::array<std::uint64_t, M>& counts,
                      std::uint64_t sum, double scale) {
  std::string bucket_name = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < M; ++i) {
    cumulative += counts[i];
    const std::string le = i < N ? format_double(static_cast<double>(bounds[i]) / scale) : "+Inf";
    append_sample(out, bucket_name, labels, cumulative, le);
  }
  out += name;
  out += "_sum";
  append_labels(out, labels);
  out += ' ';
  out += scale == 1 ? std::to_string(sum) : format_double(static_cast<double>(sum) / scale);
  out += '\n';
  append_sample(out, std::string(name) + "_count", labels, cumulative);
}

constexpr double kNs = 1e9;

std::string otel(const Snapshot& snap, Side side, std::string_view target) {
  std::string out;
  const bool server = side == Side::server;
  const std::string_view prefix = server ? "grpc_server_call" : "grpc_client_attempt";
  auto base = [&](const std::string& method) {
    // A66: the full method name without the path's leading '/'
    // ("helloworld.Greeter/SayHello"; "other" for unregistered ones).
    const std::string_view name = method;
    Labels l{{"grpc_method", name.starts_with('/') ? name.substr(1) : name}};
    if (!server) l.emplace_back("grpc_target", target);
    return l;
  };
  const std::string started = std::string(prefix) + "_started_total";
  append_header(out, started, "counter",
                server ? "Number of server calls started." : "Number of client call attempts started.");
  for (const auto& s : snap.started) append_sample(out, started, base(s.method), s.count);

  auto histograms = [&](std::string_view name, std::string_view help, auto pick) {
    append_header(out, name, "histogram", help);
    for (const auto& s : snap.series) {
      Labels l = base(s.method);
      l.emplace_back("grpc_status", status_code_name(s.code));
      pick(s, l);
    }
  };
  const std::string duration = std::string(prefix) + "_duration_seconds";
  histograms(duration,
             server ? "End-to-end time taken to complete a call from server transport's perspective."
                    : "End-to-end time taken to complete a client call attempt.",
             [&](const Series& s, const Labels& l) {
               append_histogram(out, duration, l, kLatencyBoundsNs, s.duration, s.duration_sum_ns, kNs);
             });
  if (!server) {
    const std::string call = "grpc_client_call_duration_seconds";
    histograms(call, "Time taken by gRPC to complete an RPC from application's perspective.",
               [&](const Series& s, const Labels& l) {
                 append_histogram(out, call, l, kLatencyBoundsNs, s.call_duration, s.call_duration_sum_ns,
                                  kNs);
               });
  }
  const std::string sent = std::string(prefix) + "_sent_total_compressed_message_size_bytes";
  histograms(sent,
             server ? "Compressed message bytes sent per server call."
                    : "Compressed message bytes sent per client call attempt.",
             [&](const Series& s, const Labels& l) {
               append_histogram(out, sent, l, kSizeBounds, s.sent, s.sent_sum, 1);
             });
  const std::string rcvd = std::string(prefix) + "_rcvd_total_compressed_message_size_bytes";
  histograms(rcvd,
             server ? "Compressed message bytes received per server call."
                    : "Compressed message bytes received per client call attempt.",
             [&](const Series& s, const Labels& l) {
               append_histogram(out, rcvd, l, kSizeBounds, s.rcvd, s.rcvd_sum, 1);
             });
  return out;
}

std::string_view go_type(RpcKind kind) {
  switch (kind) {
    case RpcKind::unknown:
      return "unknown";
    case RpcKind::unary:
      return "unary";
    case RpcKind::client_streaming:
      return "client_stream";
    case RpcKind::server_streaming:
      return "server_stream";
    case RpcKind::bidi_streaming:
      return "bidi_stream";
  }
  return "unknown";
}

// "/pkg.Service/Method" -> ("pkg.Service", "Method"); "other" -> ("other", "other").
std::pair<std::string_view, std::string_view> split_method(std::string_view path) {
  if (path.size() > 1 && path[0] == '/') {
    const auto slash = path.find('/', 1);
    if (slash != std::string_view::npos) return {path.substr(1, slash - 1), path.substr(slash + 1)};
  }
  return {path, path};
}

std::string go(const Snapshot& snap, Side side) {
  std::string out;
  const bool server = side == Side::server;
  const std::string p = server ? "grpc_server_" : "grpc_client_";
  auto base = [&](std::string_view method, RpcKind kind) {
    auto [service, name] = split_method(method);
    Labels l;
    if (server) l.emplace_back("grpc_type", go_type(kind));
    l.emplace_back("grpc_service", service);
    l.emplace_back("grpc_method", name);
    return l;
  };
  append_header(
      out, p + "started_total", "counter",
      server ? "Total number of RPCs started on the server." : "Total number of RPCs started on the client.");
  for (const auto& s : snap.started) append_sample(out, p + "started_total", base(s.method, s.kind), s.count);
  append_header(out, p + "handled_total", "counter",
                server ? "Total number of RPCs completed on the server, regardless of success or failure."
                       : "Total number of RPCs completed by the client, regardless of success or failure.");
  for (const auto& s : snap.series) {
    Labels l = base(s.method, s.kind);
    l.emplace_back("grpc_code", go_code_name(s.code));
    std::uint64_t n = 0;
    for (auto c : server ? s.duration : s.call_duration) n += c;
    append_sample(out, p + "handled_total", l, n);
  }
  append_header(out, p + "msg_received_total", "counter",
                server ? "Total number of RPC stream messages received on the server."
                       : "Total number of RPC stream messages received by the client.");
  // Summed over statuses: go-grpc-prometheus has no grpc_code here.
  auto per_method = [&](std::string_view name, auto value) {
    for (std::size_t i = 0; i < snap.series.size();) {
      std::size_t j = i;
      std::uint64_t total = 0;
      for (; j < snap.series.size() && snap.series[j].method == snap.series[i].method; ++j)
        total += value(snap.series[j]);
      append_sample(out, name, base(snap.series[i].method, snap.series[i].kind), total);
      i = j;
    }
  };
  per_method(p + "msg_received_total", [](const Series& s) { return s.messages_received; });
  append_header(out, p + "msg_sent_total", "counter",
                server ? "Total number of gRPC stream messages sent by the server."
                       : "Total number of gRPC stream messages sent by the client.");
  per_method(p + "msg_sent_total", [](const Series& s) { return s.messages_sent; });
  const std::string handling = p + "handling_seconds";
  append_header(out, handling, "histogram",
                server ? "Histogram of response latency (seconds) of gRPC that had been application-level "
                         "handled by the server."
                       : "Histogram of response latency (seconds) of the gRPC until it is finished by the "
                         "application.");
  for (std::size_t i = 0; i < snap.series.size();) {
    std::array<std::uint64_t, kLatencyBoundsNs.size() + 1> counts{};
    std::uint64_t sum = 0;
    std::size_t j = i;
    for (; j < snap.series.size() && snap.series[j].method == snap.series[i].method; ++j) {
      const auto& d = server ? snap.series[j].duration : snap.series[j].call_duration;
      for (std::size_t k = 0; k < counts.size(); ++k) counts[k] += d[k];
      sum += server ? snap.series[j].duration_sum_ns : snap.series[j].call_duration_sum_ns;
    }
    append_histogram(out, handling, base(snap.series[i].method, snap.series[i].kind), kLatencyBoundsNs,
                     counts, sum, kNs);
    i = j;
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view go_code_name(StatusCode code) noexcept {
  static constexpr std::string_view kNames[] = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  const auto i = static_cast<std::size_t>(code);
  return i < std::size(kNames) ? kNames[i] : "Unknown";
}

std::string to_prometheus(const Snapshot& snapshot, Side side, std::string_view target,
                          MetricsFormat format) {
  return format == MetricsFormat::go_grpc_prometheus ? go(snapshot, side) : otel(snapshot, side, target);
}

std::string to_prometheus(const Registry& registry, MetricsFormat format) {
  return to_prometheus(registry.snapshot(), registry.side(), registry.target(), format);
}

}  // namespace pronto::metrics
