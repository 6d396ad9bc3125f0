// pronto/log.h — where pronto's own diagnostics go.
//
// pronto reports what an operator may need to know (a listener that cannot
// accept, a client that fails its TLS handshake, ...) through one process-
// wide sink. By default warnings and errors go to stderr, one line each,
// prefixed "pronto: ". Per-connection events a peer can provoke at will
// (failed handshakes, protocol errors, idle connections dropped) are logged
// at debug, so a port scanner cannot flood the log; resource exhaustion is
// logged once per episode at warning.
//
// Threading: both functions may be called from any thread at any time. The
// sink is called from pronto's threads (event loops, the thread calling
// shutdown), possibly several at once: it must be thread-safe, must not
// block for long, and must not call back into set_log_sink().
// Cost: a message below the level is dropped after one relaxed atomic load,
// before anything is formatted.
#pragma once

#include <functional>
#include <string_view>

namespace pronto {

enum class LogLevel { debug, info, warning, error };

// "debug", "info", "warning", "error".
std::string_view to_string(LogLevel level) noexcept;

using LogSink = std::function<void(LogLevel level, std::string_view message)>;

// Replaces the sink; an empty function restores the default (stderr).
// Messages are single lines without a trailing newline or prefix.
void set_log_sink(LogSink sink);
// Messages below `level` are dropped. Default: LogLevel::warning.
void set_log_level(LogLevel level);
LogLevel log_level() noexcept;

}  // namespace pronto
