// wire/status_codec.h — status <-> header values. Pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "pronto/status.h"

namespace pronto::wire {

// "0".."16" -> code. Any other value of grpc-status (empty, sign, spaces,
// leading zeros beyond one digit, > 16) is nullopt; callers treat a
// malformed grpc-status as UNKNOWN.
std::optional<StatusCode> parse_status_code(std::string_view value) noexcept;
// "0".."16"; a value outside the enum formats as "2" (UNKNOWN).
std::string_view format_status_code(StatusCode code) noexcept;
// A response without grpc-status whose HTTP status is not 200 maps as in
// doc/http-grpc-status-mapping.md: 400 INTERNAL, 401 UNAUTHENTICATED,
// 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE,
// anything else (200 included; the caller decides what a 200 without
// grpc-status means) UNKNOWN.
StatusCode status_from_http(int http_status) noexcept;

}  // namespace pronto::wire
