// wire/percent.h — the `grpc-message` percent-encoding (PROTOCOL-HTTP2.md):
// bytes outside 0x20-0x7E and '%' itself are sent as %XX (upper-case hex).
// Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace pronto::wire {

std::string percent_encode(std::string_view message);
// Never fails: a '%' not followed by two hex digits is kept literally.
std::string percent_decode(std::string_view encoded);

}  // namespace pronto::wire
