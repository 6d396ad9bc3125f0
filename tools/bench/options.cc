// tools/bench/options.cc — see options.h.
#include "options.h"

#include <string_view>

#include "flags.h"  // tools/common/flags.h
#include "pronto/metadata.h"

namespace pronto_bench {

namespace {

using pronto::Status;

// What the flags hold before it becomes BenchOptions.
struct Raw {
  std::string call;
  bool insecure = false;
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  std::uint64_t total = 0;
  std::string format = "text";
  bool progress = false;
};

void define_flags(cli::Flags& flags, BenchOptions& o, Raw& raw) {
  flags.string("target=HOST:PORT", &o.target, "the server (required)")
      .string("call=PACKAGE.SERVICE/METHOD", &raw.call, "the method (required)")
      .section("Request (one of; neither sends an empty message):")
      .custom(
          "data=JSON",
          [&o](const std::string& v) {
            o.data = v;
            return std::string();
          },
          "request as JSON (\"@file\" reads it from a file);\nneeds --proto")
      .string("binary_file=F", &o.binary_file, "request as serialized protobuf bytes; no proto needed")
      .string("proto=F", &o.proto,
              ".proto file declaring the service (also tells\nunary from server streaming)")
      .list("import_path=DIR", &o.import_paths, "where imports of --proto are found")
      .section("Load:")
      .integer("connections", &o.connections, 1, 1000, "channels (HTTP/2 connections)")
      .integer("concurrency", &o.concurrency, 1, 100000, "calls in flight in total")
      .duration("duration", &raw.duration, "run for D (10s, 500ms, 1m30s)")
      .integer("total", &raw.total, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(),
               "stop after N calls (with --duration: first reached)")
      .duration("timeout", &o.timeout, "per-call deadline; 0: none")
      .custom(
          "metadata=KEY:VALUE",
          [&o](const std::string& v) {
            std::size_t colon = v.find(':');
            if (colon == std::string::npos || colon == 0)
              return "--metadata must be KEY:VALUE, not '" + v + "'";
            std::string value = v.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            o.metadata.emplace_back(v.substr(0, colon), std::move(value));
            return std::string();
          },
          "request metadata (repeatable)")
      .section("Transport:")
      .boolean("insecure", &raw.insecure, "plaintext HTTP/2, as without --tls")
      .boolean("tls", &o.tls, "TLS")
      .string("ca_file=F", &o.ca_file, "TLS roots; empty: the system's")
      .string("server_name=N", &o.server_name, "TLS name override (SNI and verification)")
      .string("cert=F", &o.cert_file, "mTLS client certificate (with --key)")
      .string("key=F", &o.key_file, "mTLS client key")
      .section("Output:")
      .string("format=text|json", &raw.format, "summary format on stdout")
      .boolean("progress", &raw.progress,
               "progress line on stderr each second\n(default: when stderr is a terminal)");
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

constexpr char kProgram[] = "pronto-bench";
constexpr char kAbout[] =
    "Load-tests one gRPC method with pronto's client and reports calls/s,\n"
    "status codes and latency percentiles.";
constexpr char kSynopsis[] = "--target=HOST:PORT --call=PACKAGE.SERVICE/METHOD [flags]";

std::string usage_text() {
  BenchOptions o;
  Raw raw;
  cli::Flags flags(kProgram, kAbout, kSynopsis);
  define_flags(flags, o, raw);
  return flags.help();
}

pronto::Result<BenchOptions> parse_flags(const std::vector<std::string>& args) {
  BenchOptions o;
  Raw raw;
  cli::Flags flags(kProgram, kAbout, kSynopsis);
  define_flags(flags, o, raw);
  if (std::string error = flags.parse(args); !error.empty()) return Status::invalid_argument(error);
  if (flags.help_requested()) {
    o.help = true;
    return o;
  }
  if (flags.given("duration")) o.duration = raw.duration;
  if (flags.given("total")) o.total = raw.total;
  if (flags.given("progress")) o.progress = raw.progress;
  if (raw.format == "json") {
    o.format = OutputFormat::json;
  } else if (raw.format != "text") {
    return Status::invalid_argument("--format must be text or json, not '" + raw.format + "'");
  }
  if (std::string err = validate(o, raw.call, raw.insecure); !err.empty())
    return Status::invalid_argument(err);
  return o;
}

}  // namespace pronto_bench
