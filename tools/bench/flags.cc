// tools/bench/flags.cc — see flags.h.
#include "flags.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include "pronto/metadata.h"

namespace pronto_bench {

const char kUsage[] = R"(usage: pronto-bench --target=HOST:PORT --call=PACKAGE.SERVICE/METHOD [flags]

Load-tests one gRPC method with pronto's client and reports calls/s,
status codes and latency percentiles.

Request (one of; neither sends an empty message):
  --data=JSON            request as JSON ("@file" reads it from a file);
                         needs --proto
  --binary_file=F        request as serialized protobuf bytes; no proto needed
  --proto=F              .proto file declaring the service (also tells
                         unary from server streaming)
  --import_path=DIR      where imports of --proto are found (repeatable)

Load:
  --connections=N        channels (HTTP/2 connections), default 1
  --concurrency=M        calls in flight in total, default 50
  --duration=D           run for D (10s, 500ms, 1m30s), default 10s
  --total=N              stop after N calls (with --duration: first reached)
  --timeout=D            per-call deadline, default 20s; 0: none
  --metadata=KEY:VALUE   request metadata (repeatable)

Transport:
  --insecure             plaintext HTTP/2 (the default)
  --tls                  TLS; --ca_file=F roots (default: system),
                         --server_name=N name override, --cert=F --key=F mTLS

Output:
  --format=text|json     summary format on stdout, default text
  --progress[=false]     progress line on stderr each second
                         (default: when stderr is a terminal)
  --help
)";

namespace {

using pronto::Status;
using Setter = std::function<std::string(const std::string&)>;  // error or ""

struct Flag {
  bool boolean;
  Setter set;
};

std::optional<bool> parse_bool(const std::string& s) {
  if (s == "true" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "no") return false;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_uint(const std::string& s) {
  std::uint64_t v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

Setter integer_flag(std::string name, int& out, int lo, int hi) {
  return [name, &out, lo, hi](const std::string& v) -> std::string {
    auto n = parse_uint(v);
    if (!n || *n < static_cast<std::uint64_t>(lo) || *n > static_cast<std::uint64_t>(hi)) {
      return "--" + name + " must be a whole number in " + std::to_string(lo) + ".." + std::to_string(hi) +
             ", not '" + v + "'";
    }
    out = static_cast<int>(*n);
    return "";
  };
}

Setter duration_flag(std::string name, std::optional<std::chrono::nanoseconds>& out) {
  return [name, &out](const std::string& v) -> std::string {
    auto d = parse_duration(v);
    if (!d) return "--" + name + " must be a duration like 10s, 500ms or 1m30s, not '" + v + "'";
    out = *d;
    return "";
  };
}

Setter string_flag(std::string& out) {
  return [&out](const std::string& v) -> std::string {
    out = v;
    return "";
  };
}

// "pkg.Service/Method", "/pkg.Service/Method" or "pkg.Service.Method".
bool split_call(std::string_view call, std::string& service, std::string& method) {
  if (!call.empty() && call.front() == '/') call.remove_prefix(1);
  std::size_t cut = call.find('/');
  if (cut == std::string_view::npos) cut = call.rfind('.');
  if (cut == std::string_view::npos || cut == 0 || cut + 1 >= call.size()) return false;
  service = std::string(call.substr(0, cut));
  method = std::string(call.substr(cut + 1));
  return method.find_first_of("/.") == std::string::npos;
}

// Checks that need every flag; an error message or "".
std::string validate(BenchOptions& o, const std::string& call, bool insecure) {
  if (o.target.empty()) return "--target=HOST:PORT is required";
  if (call.empty()) return "--call=PACKAGE.SERVICE/METHOD is required";
  if (!split_call(call, o.service, o.method)) {
    return "--call must look like package.Service/Method, not '" + call + "'";
  }
  if (o.data && !o.binary_file.empty()) return "--data and --binary_file are exclusive";
  if (o.data && o.proto.empty()) {
    return "--data (JSON) needs --proto to know the request type (or send raw bytes with --binary_file)";
  }
  if (!o.import_paths.empty() && o.proto.empty()) return "--import_path is only used with --proto";
  if (o.concurrency < o.connections) {
    return "--concurrency (" + std::to_string(o.concurrency) + ") must be at least --connections (" +
           std::to_string(o.connections) + ")";
  }
  if (o.duration && o.duration->count() == 0) return "--duration must be positive";
  if (o.total && *o.total == 0) return "--total must be positive";
  if (!o.duration && !o.total) o.duration = std::chrono::seconds(10);
  if (o.tls && insecure) return "--tls and --insecure are exclusive";
  if (!o.tls &&
      (!o.ca_file.empty() || !o.server_name.empty() || !o.cert_file.empty() || !o.key_file.empty())) {
    return "--ca_file, --server_name, --cert and --key need --tls";
  }
  if (o.cert_file.empty() != o.key_file.empty()) return "--cert and --key go together";
  pronto::Metadata md;
  for (const auto& [k, v] : o.metadata) md.add(k, v);
  if (Status st = md.validate_for_send(); !st.ok()) return "--metadata: " + st.message();
  return "";
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double seconds = 0;
  const bool bare = text.find_first_not_of("0123456789.") == std::string_view::npos;
  while (!text.empty()) {
    std::size_t n = text.find_first_not_of("0123456789.");
    if (n == 0) return std::nullopt;
    double value = 0;
    const char* number_end = text.data() + std::min(n, text.size());
    auto [ptr, ec] = std::from_chars(text.data(), number_end, value);
    if (ec != std::errc() || ptr != number_end) return std::nullopt;
    if (bare) {  // a bare number: seconds
      seconds = value;
      break;
    }
    text.remove_prefix(n);
    std::size_t u = text.find_first_of("0123456789.");
    std::string_view unit = text.substr(0, u);
    text.remove_prefix(unit.size());
    static const std::map<std::string_view, double> kUnits = {
        {"h", 3600}, {"m", 60}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"ns", 1e-9}};
    auto it = kUnits.find(unit);
    if (it == kUnits.end()) return std::nullopt;
    seconds += value * it->second;
  }
  if (seconds > 1e9) return std::nullopt;  // ~31 years: a typo
  return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9 + 0.5));
}

pronto::Result<BenchOptions> parse_flags(const std::vector<std::string>& args) {
  BenchOptions o;
  std::string call;
  bool insecure = false;
  std::optional<std::chrono::nanoseconds> timeout;
  std::string format = "text";

  std::map<std::string, Flag> flags;
  flags["target"] = {false, string_flag(o.target)};
  flags["call"] = {false, string_flag(call)};
  flags["data"] = {false, [&](const std::string& v) {
                     o.data = v;
                     return std::string();
                   }};
  flags["binary_file"] = {false, string_flag(o.binary_file)};
  flags["proto"] = {false, string_flag(o.proto)};
  flags["import_path"] = {false, [&](const std::string& v) {
                            o.import_paths.push_back(v);
                            return std::string();
                          }};
  flags["connections"] = {false, integer_flag("connections", o.connections, 1, 1000)};
  flags["concurrency"] = {false, integer_flag("concurrency", o.concurrency, 1, 100000)};
  flags["duration"] = {false, duration_flag("duration", o.duration)};
  flags["total"] = {false, [&](const std::string& v) {
                      auto n = parse_uint(v);
                      if (!n) return "--total must be a whole number, not '" + v + "'";
                      o.total = *n;
                      return std::string();
                    }};
  flags["timeout"] = {false, duration_flag("timeout", timeout)};
  flags["metadata"] = {false, [&](const std::string& v) {
                         std::size_t colon = v.find(':');
                         if (colon == std::string::npos || colon == 0) {
                           return "--metadata must be KEY:VALUE, not '" + v + "'";
                         }
                         std::string value = v.substr(colon + 1);
                         value.erase(0, value.find_first_not_of(' '));
                         o.metadata.emplace_back(v.substr(0, colon), std::move(value));
                         return std::string();
                       }};
  flags["ca_file"] = {false, string_flag(o.ca_file)};
  flags["server_name"] = {false, string_flag(o.server_name)};
  flags["cert"] = {false, string_flag(o.cert_file)};
  flags["key"] = {false, string_flag(o.key_file)};
  flags["format"] = {false, string_flag(format)};
  auto boolean = [](std::string name, bool& out) -> Flag {
    return {true, [name, &out](const std::string& v) {
              auto b = parse_bool(v);
              if (!b) return "--" + name + " takes true or false, not '" + v + "'";
              out = *b;
              return std::string();
            }};
  };
  bool progress = false, progress_given = false;
  flags["insecure"] = boolean("insecure", insecure);
  flags["tls"] = boolean("tls", o.tls);
  flags["progress"] = {true, [&](const std::string& v) {
                         progress_given = true;
                         return boolean("progress", progress).set(v);
                       }};

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      o.help = true;
      return o;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      return Status::invalid_argument("unexpected argument '" + arg + "' (flags are --name=value)");
    }
    std::size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::replace(name.begin(), name.end(), '-', '_');
    auto it = flags.find(name);
    if (it == flags.end()) return Status::invalid_argument("unknown flag --" + name);
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (it->second.boolean) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::invalid_argument("--" + name + " needs a value");
    }
    if (std::string err = it->second.set(value); !err.empty()) return Status::invalid_argument(err);
  }

  if (timeout) o.timeout = *timeout;
  if (progress_given) o.progress = progress;
  if (format == "json") {
    o.format = OutputFormat::json;
  } else if (format != "text") {
    return Status::invalid_argument("--format must be text or json, not '" + format + "'");
  }
  if (std::string err = validate(o, call, insecure); !err.empty()) return Status::invalid_argument(err);
  return o;
}

}  // namespace pronto_bench
