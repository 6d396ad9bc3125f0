#include "wire/timeout.h"

#include <cstdint>
#include <limits>

namespace pronto::wire {
namespace {

constexpr std::size_t kMaxDigits = 8;
constexpr std::int64_t kMaxValue = 99'999'999;

// Nanoseconds per unit; 0 for an unknown unit letter.
constexpr std::int64_t unit_nanos(char unit) noexcept {
  switch (unit) {
    case 'H':
      return 3'600'000'000'000;
    case 'M':
      return 60'000'000'000;
    case 'S':
      return 1'000'000'000;
    case 'm':
      return 1'000'000;
    case 'u':
      return 1'000;
    case 'n':
      return 1;
    default:
      return 0;
  }
}

}  // namespace

Result<std::chrono::nanoseconds> parse_timeout(std::string_view value) {
  if (value.size() < 2 || value.size() > kMaxDigits + 1) {
    return Status::internal("malformed grpc-timeout: '" + std::string(value) + "'");
  }
  const std::int64_t nanos_per_unit = unit_nanos(value.back());
  if (nanos_per_unit == 0)
    return Status::internal("malformed grpc-timeout unit: '" + std::string(value) + "'");
  std::int64_t n = 0;
  for (char c : value.substr(0, value.size() - 1)) {
    if (c < '0' || c > '9') return Status::internal("malformed grpc-timeout: '" + std::string(value) + "'");
    n = n * 10 + (c - '0');
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (n > kMax / nanos_per_unit) return std::chrono::nanoseconds::max();
  return std::chrono::nanoseconds(n * nanos_per_unit);
}

std::string format_timeout(std::chrono::nanoseconds timeout) {
  const std::int64_t ns = timeout.count();
  if (ns <= 0) return "1n";
  // Finest first; the first unit whose rounded-up count fits in 8 digits wins.
  static constexpr char kUnits[] = {'n', 'u', 'm', 'S', 'M', 'H'};
  for (char unit : kUnits) {
    const std::int64_t per = unit_nanos(unit);
    const std::int64_t count = ns / per + (ns % per != 0 ? 1 : 0);
    if (count <= kMaxValue) return std::to_string(count) + unit;
  }
  return "99999999H";  // unreachable for int64 nanoseconds (~2.56e6 hours), kept as a guard
}

}  // namespace pronto::wire
