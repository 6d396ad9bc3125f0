#include "wire/status_codec.h"

#include <array>

namespace pronto::wire {
namespace {

constexpr int kMaxCode = 16;
constexpr std::array<std::string_view, kMaxCode + 1> kCodeText = {
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
};

}  // namespace

std::optional<StatusCode> parse_status_code(std::string_view value) noexcept {
  if (value.empty() || value.size() > 2) return std::nullopt;
  if (value.size() == 2 && value[0] == '0') return std::nullopt;  // no leading zeros
  int code = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    code = code * 10 + (c - '0');
  }
  if (code > kMaxCode) return std::nullopt;
  return static_cast<StatusCode>(code);
}

std::string_view format_status_code(StatusCode code) noexcept {
  const auto i = static_cast<std::size_t>(code);
  return i < kCodeText.size() ? kCodeText[i] : kCodeText[static_cast<std::size_t>(StatusCode::unknown)];
}

StatusCode status_from_http(int http_status) noexcept {
  switch (http_status) {
    case 400:
      return StatusCode::internal;
    case 401:
      return StatusCode::unauthenticated;
    case 403:
      return StatusCode::permission_denied;
    case 404:
      return StatusCode::unimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return StatusCode::unavailable;
    default:
      return StatusCode::unknown;
  }
}

}  // namespace pronto::wire
