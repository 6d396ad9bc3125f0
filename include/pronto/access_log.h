// pronto/access_log.h — an access log: one line per call, opt-in.
//
//   server.add_interceptor(std::make_shared<pronto::AccessLog>());
//
// Each call that reached gRPC (routed or not; HTTP-level refusals such as a
// wrong content-type are not calls) gives one line when it ends:
//
//   /pkg.Service/Method peer=ipv4:127.0.0.1:41234 status=OK duration_ms=0.412 bytes_in=12 bytes_out=7
//
// (status is the code's name, as in grpc-status text; duration from the
// request headers to the end; bytes are gRPC message payloads as on the
// wire, compressed, without prefixes or metadata.) By default the line goes
// to the pronto/log.h sink at LogLevel::info, which the default level
// (warning) drops: call set_log_level(LogLevel::info), or give a sink.
//
// Ownership: the server holds it by shared_ptr (add_interceptor).
// Threading: on_finish runs on the calls' event loops, several at once; the
// sink given here is called from them concurrently and must be thread-safe
// and quick (it runs on the loop: no blocking I/O).
// Order: add it first to see every call, including those an earlier
// interceptor rejects (interceptors added before it may reject calls before
// it starts; those are not logged).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "pronto/interceptor.h"
#include "pronto/log.h"

namespace pronto {

class AccessLog final : public ServerInterceptor {
 public:
  using Sink = std::function<void(std::string_view line)>;
  struct Options {
    // Where lines go; empty: the pronto/log.h sink at `level`.
    Sink sink{};
    LogLevel level = LogLevel::info;
  };

  AccessLog() : AccessLog(Options{}) {}
  explicit AccessLog(Options options) : options_(std::move(options)) {}

  void on_finish(ServerContext& ctx, const Status& status) override;

  // The line for one call (what on_finish writes).
  static std::string format(ServerContext& ctx, const Status& status);

 private:
  Options options_;
};

}  // namespace pronto
