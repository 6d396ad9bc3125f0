#include "log.h"

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace pronto {

namespace detail {

std::atomic<int> g_log_level{static_cast<int>(LogLevel::warning)};

namespace {

std::mutex& sink_mutex() {
  static std::mutex mu;
  return mu;
}
// Guarded by sink_mutex(); null means the default sink. Held by shared_ptr so
// a message being delivered keeps the sink it started with alive while
// set_log_sink() replaces it.
std::shared_ptr<const LogSink>& sink_slot() {
  static std::shared_ptr<const LogSink> sink;
  return sink;
}

void default_sink(std::string_view message) {
  std::string line;
  line.reserve(message.size() + 9);
  line.append("pronto: ").append(message).push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines do not interleave
}

}  // namespace

void log(LogLevel level, std::string_view message) noexcept {
  if (!log_enabled(level)) return;
  std::shared_ptr<const LogSink> sink;
  {
    std::lock_guard lock(sink_mutex());
    sink = sink_slot();
  }
  try {
    if (sink) {
      (*sink)(level, message);
    } else {
      default_sink(message);
    }
  } catch (...) {
    // A logging failure must not take a connection or the server down.
  }
}

void logf(LogLevel level, const char* format, ...) noexcept {
  if (!log_enabled(level)) return;
  char small[512];
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(small, sizeof small, format, args);
  va_end(args);
  if (n < 0) {
    va_end(again);
    return;
  }
  if (static_cast<std::size_t>(n) < sizeof small) {
    va_end(again);
    log(level, std::string_view(small, static_cast<std::size_t>(n)));
    return;
  }
  try {
    std::string big(static_cast<std::size_t>(n), '\0');
    std::vsnprintf(big.data(), big.size() + 1, format, again);
    va_end(again);
    log(level, big);
  } catch (...) {
    va_end(again);
  }
}

}  // namespace detail

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "unknown";
}

void set_log_sink(LogSink sink) {
  auto next = sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr;
  std::lock_guard lock(detail::sink_mutex());
  detail::sink_slot().swap(next);
  // The previous sink (in `next`) is released here, or by a message still
  // being delivered through it.
}

void set_log_level(LogLevel level) {
  detail::g_log_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel log_level() noexcept {
  return static_cast<LogLevel>(detail::g_log_level.load(std::memory_order_relaxed));
}

}  // namespace pronto
