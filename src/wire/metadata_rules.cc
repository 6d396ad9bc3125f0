#include "wire/metadata_rules.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace pronto::wire {
namespace {

constexpr std::string_view kBinSuffix = "-bin";
constexpr std::string_view kReservedPrefix = "grpc-";

// EVP_*Block take an int length; work in chunks well below INT_MAX.
constexpr std::size_t kEncodeChunk = 3 * (1u << 20);  // multiple of 3
constexpr std::size_t kDecodeChunk = 4 * (1u << 20);  // multiple of 4

bool is_key_char(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_' || c == '.' || c == '-';
}

bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Decodes `quads` (length a multiple of 4, only alphabet chars and trailing
// '=' already validated) and appends the bytes to `out`.
bool decode_quads(std::string_view quads, std::size_t padding, std::string& out) {
  const std::size_t base = out.size();
  out.resize(base + quads.size() / 4 * 3);
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data() + base),
                      reinterpret_cast<const unsigned char*>(quads.data()), static_cast<int>(quads.size()));
  if (n < 0 || static_cast<std::size_t>(n) != quads.size() / 4 * 3) return false;
  // EVP_DecodeBlock counts the zero bytes that stand for '=' padding.
  out.resize(out.size() - padding);
  return true;
}

}  // namespace

bool is_valid_key(std::string_view key) noexcept {
  return !key.empty() && std::all_of(key.begin(), key.end(), is_key_char);
}

bool is_binary_key(std::string_view key) noexcept { return key.ends_with(kBinSuffix); }

bool is_reserved_key(std::string_view key) noexcept { return key.starts_with(kReservedPrefix); }

bool is_protocol_header(std::string_view key) noexcept {
  static constexpr std::array<std::string_view, 8> kHeaders = {
      "content-type", "te",      "user-agent",       "connection",
      "keep-alive",   "upgrade", "proxy-connection", "transfer-encoding",
  };
  if (key.starts_with(':') || is_reserved_key(key)) return true;
  return std::find(kHeaders.begin(), kHeaders.end(), key) != kHeaders.end();
}

bool is_valid_ascii_value(std::string_view value) noexcept {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  while (!bytes.empty()) {
    const std::string_view chunk = bytes.substr(0, kEncodeChunk);
    bytes.remove_prefix(chunk.size());
    const std::size_t base = out.size();
    // EVP_EncodeBlock writes a trailing NUL after the padded text.
    out.resize(base + (chunk.size() + 2) / 3 * 4 + 1);
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + base),
                        reinterpret_cast<const unsigned char*>(chunk.data()), static_cast<int>(chunk.size()));
    out.resize(base + static_cast<std::size_t>(n));
  }
  // Only the last chunk can be padded; the spec recommends sending unpadded.
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // Validate first: EVP_DecodeBlock silently skips surrounding whitespace and
  // accepts '=' in the middle, neither of which is base64 on the wire.
  std::size_t padding = 0;
  std::string_view body = text;
  while (!body.empty() && body.back() == '=' && padding < 2) {
    body.remove_suffix(1);
    ++padding;
  }
  if (!std::all_of(body.begin(), body.end(), is_base64_char)) return std::nullopt;
  const std::size_t rem = body.size() % 4;
  if (rem == 1) return std::nullopt;                            // 6 bits cannot encode a byte
  if (padding != 0 && rem + padding != 4) return std::nullopt;  // padded but wrong amount
  if (padding == 0 && rem != 0) padding = 4 - rem;              // unpadded: re-pad below

  std::string out;
  out.reserve(body.size() / 4 * 3 + 3);
  const std::string_view full = body.substr(0, body.size() - rem);
  for (std::size_t pos = 0; pos < full.size(); pos += kDecodeChunk) {
    if (!decode_quads(full.substr(pos, kDecodeChunk), 0, out)) return std::nullopt;
  }
  if (rem != 0) {
    char last[4] = {'=', '=', '=', '='};
    body.substr(full.size()).copy(last, rem);
    if (!decode_quads(std::string_view(last, 4), padding, out)) return std::nullopt;
  }
  return out;
}

std::vector<std::string_view> split_comma_values(std::string_view value) {
  std::vector<std::string_view> pieces;
  for_each_comma_value(value, [&](std::string_view piece) { pieces.push_back(piece); });
  return pieces;
}

}  // namespace pronto::wire
