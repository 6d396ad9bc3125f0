// seed/logging_interceptor.cc — "[rpc] /pkg.Svc/Method ipv4:... OK 1.234 ms".
#include "logging_interceptor.h"

#include <chrono>
#include <string>

namespace seed {

void LoggingInterceptor::on_finish(pronto::ServerContext& ctx, const pronto::Status& status) {
  ++calls_;
  if (!out_) return;
  double ms = std::chrono::duration<double, std::milli>(pronto::Clock::now() - ctx.start_time()).count();
  std::string outcome = status.ok() ? "OK" : status.to_string();
  std::fprintf(out_, "[rpc] %s %s %s %.3f ms\n", ctx.method().c_str(), ctx.peer().c_str(), outcome.c_str(),
               ms);
  std::fflush(out_);
}

}  // namespace seed
