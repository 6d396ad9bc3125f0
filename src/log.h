// log.h (internal) — how pronto's layers log through the pronto/log.h sink.
//
//   if (detail::log_enabled(LogLevel::info)) detail::log(LogLevel::info, "..." + s);
//   detail::logf(LogLevel::warning, "accept on %s: %s", addr, msg);
//
// log() and logf() check the level themselves (one relaxed atomic load), so
// the guard only matters when building the message costs something.
// Threading: any thread.
#pragma once

#include <atomic>
#include <string_view>

#include "pronto/log.h"

namespace pronto::detail {

extern std::atomic<int> g_log_level;

inline bool log_enabled(LogLevel level) noexcept {
  return static_cast<int>(level) >= g_log_level.load(std::memory_order_relaxed);
}

// Sends one message (a single line, no trailing newline) to the sink if
// `level` passes the filter. Never throws: a throwing sink is ignored.
void log(LogLevel level, std::string_view message) noexcept;
// printf-style; formats only if the level passes.
void logf(LogLevel level, const char* format, ...) noexcept __attribute__((format(printf, 2, 3)));

}  // namespace pronto::detail
