// wire/timeout.h — the `grpc-timeout` header: "1*8DIGIT unit", unit one of
// H (hours) M (minutes) S (seconds) m (millis) u (micros) n (nanos).
// Pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "pronto/status.h"

namespace pronto::wire {

// Parses a grpc-timeout value. Anything but 1-8 ASCII digits followed by one
// unit letter (no sign, no spaces) is INTERNAL. "0<unit>" parses as zero
// (already expired). Values that overflow nanoseconds saturate to
// nanoseconds::max().
Result<std::chrono::nanoseconds> parse_timeout(std::string_view value);

// Formats a duration in the finest unit that fits in 8 digits, rounding up
// so the peer never sees a shorter timeout than ours. Durations <= 0 format
// as "1n" (already expired). Durations beyond 99999999H saturate.
std::string format_timeout(std::chrono::nanoseconds timeout);

}  // namespace pronto::wire
