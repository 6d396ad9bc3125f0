// wire/compression.h — gzip and deflate of message payloads via zlib, and
// the grpc-encoding names. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "pronto/compression.h"
#include "pronto/status.h"

namespace pronto::wire {

// "identity", "deflate", "gzip" -> algorithm; nullopt for anything else.
std::optional<Compression> parse_encoding(std::string_view name) noexcept;
std::string_view encoding_name(Compression c) noexcept;
// What pronto accepts, as sent in grpc-accept-encoding.
inline constexpr std::string_view kAcceptEncoding = "identity,deflate,gzip";
// True if `c` is named in a grpc-accept-encoding value (identity always is).
bool accepts(std::string_view accept_encoding, Compression c) noexcept;
// The encodings a grpc-accept-encoding value names, as a set of
// encoding_bit()s (identity always included). Parses once, no allocation.
constexpr unsigned encoding_bit(Compression c) noexcept { return 1u << static_cast<unsigned>(c); }
unsigned accepted_encodings(std::string_view accept_encoding) noexcept;

// Compresses `in` (identity: a copy), after `prefix` zero bytes left for
// the caller (a frame header).
std::string compress(Compression c, std::string_view in, std::size_t prefix = 0);
// Inflates `in`. RESOURCE_EXHAUSTED as soon as the output would exceed
// `max_size` (checked while inflating: a small bomb never allocates its full
// size); INTERNAL for corrupt, truncated or trailing data.
Result<std::string> decompress(Compression c, std::string_view in, std::size_t max_size);

}  // namespace pronto::wire
