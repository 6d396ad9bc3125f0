// wire/metadata_rules.h — what a metadata key and value may be on the wire,
// and the base64 of `-bin` values. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pronto::wire {

// Legal key: non-empty, only [0-9a-z_.-] (lower case). ':'-prefixed
// pseudo-headers are not metadata keys.
bool is_valid_key(std::string_view key) noexcept;
// Keys ending in "-bin" carry arbitrary bytes, base64 on the wire.
bool is_binary_key(std::string_view key) noexcept;
// "grpc-" prefixed keys are reserved for the protocol; users may not send them.
bool is_reserved_key(std::string_view key) noexcept;
// HTTP/2 connection headers and gRPC's own headers that never surface as
// user metadata (content-type, te, user-agent, grpc-*, :pseudo ...).
bool is_protocol_header(std::string_view key) noexcept;
// Legal ASCII value: only printable ASCII 0x20-0x7E (empty is legal).
bool is_valid_ascii_value(std::string_view value) noexcept;

// Standard base64 alphabet; emits no padding (as the spec recommends).
std::string base64_encode(std::string_view bytes);
// Accepts padded and unpadded input; nullopt on any other malformation
// (characters outside the alphabet incl. whitespace, wrong padding, a length
// of 4k+1). Non-zero trailing bits are tolerated.
std::optional<std::string> base64_decode(std::string_view text);

// Splits a header value on ',' (trimming optional spaces around each piece),
// as HTTP allows several values of one key to be joined. Empty pieces are
// kept ("" -> {""}, "a,,b" -> {"a", "", "b"}).
std::vector<std::string_view> split_comma_values(std::string_view value);
// The same pieces, passed to fn one by one without allocating.
template <class Fn>
void for_each_comma_value(std::string_view value, Fn&& fn) {
  constexpr auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
  while (true) {
    const std::size_t comma = value.find(',');
    std::string_view piece = value.substr(0, comma);
    while (!piece.empty() && is_ows(piece.front())) piece.remove_prefix(1);
    while (!piece.empty() && is_ows(piece.back())) piece.remove_suffix(1);
    fn(piece);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace pronto::wire
