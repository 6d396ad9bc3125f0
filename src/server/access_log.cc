#include "pronto/access_log.h"

#include <cstdio>

#include "log.h"

namespace pronto {

std::string AccessLog::format(ServerContext& ctx, const Status& status) {
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - ctx.start_time()).count();
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, " duration_ms=%.3f bytes_in=%llu bytes_out=%llu", ms,
                static_cast<unsigned long long>(ctx.bytes_received()),
                static_cast<unsigned long long>(ctx.bytes_sent()));
  std::string line;
  line.reserve(128);
  // The method of an unrouted call is the client's :path: keep the line one
  // line whatever it holds.
  for (char c : ctx.method()) line += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  line += " peer=";
  line += ctx.peer();
  line += " status=";
  line += status_code_name(status.code());
  line += numbers;
  return line;
}

void AccessLog::on_finish(ServerContext& ctx, const Status& status) {
  if (options_.sink) {
    options_.sink(format(ctx, status));
  } else if (detail::log_enabled(options_.level)) {
    detail::log(options_.level, format(ctx, status));
  }
}

}  // namespace pronto
