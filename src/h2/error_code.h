// h2/error_code.h — HTTP/2 error codes (RFC 9113 section 7), as carried by
// RST_STREAM and GOAWAY. Layers above h2 use these names, never nghttp2's.
#pragma once

#include <cstdint>

namespace pronto::h2 {

enum class ErrorCode : std::uint32_t {
  no_error = 0x0,
  protocol_error = 0x1,
  internal_error = 0x2,
  flow_control_error = 0x3,
  settings_timeout = 0x4,
  stream_closed = 0x5,
  frame_size_error = 0x6,
  refused_stream = 0x7,
  cancel = 0x8,
  compression_error = 0x9,
  connect_error = 0xa,
  enhance_your_calm = 0xb,
  inadequate_security = 0xc,
  http_1_1_required = 0xd,
};

constexpr std::uint32_t to_wire(ErrorCode c) noexcept { return static_cast<std::uint32_t>(c); }

}  // namespace pronto::h2
