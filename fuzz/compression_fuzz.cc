// libFuzzer target for wire/compression: decompress arbitrary bytes as gzip,
// deflate and identity under a limit, and round-trip compress/decompress.
//
// Invariants: decompress never returns more than the limit (it fails with
// RESOURCE_EXHAUSTED instead, INTERNAL for corrupt data); whatever it
// returns re-compresses and decompresses to itself; compress() leaves the
// requested zero prefix and its output decompresses to the input under a
// limit of exactly the input's size, and fails one byte below it;
// truncated output never decodes to the input.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wire/compression.h"

namespace {

using pronto::Compression;
using pronto::StatusCode;
namespace wire = pronto::wire;

void check(bool cond) {
  if (!cond) std::abort();
}

void round_trip(Compression c, std::string_view plain, std::size_t prefix) {
  const std::string packed = wire::compress(c, plain, prefix);
  check(packed.size() >= prefix);
  for (std::size_t i = 0; i < prefix; ++i) check(packed[i] == '\0');
  const std::string_view body = std::string_view(packed).substr(prefix);
  auto back = wire::decompress(c, body, plain.size());
  check(back.has_value() && *back == plain);
  if (!plain.empty()) {
    auto over = wire::decompress(c, body, plain.size() - 1);
    check(!over.has_value() && over.status().code() == StatusCode::resource_exhausted);
  }
  if (c != Compression::identity && !body.empty()) {
    // Truncated: never the input.
    auto cut = wire::decompress(c, body.substr(0, body.size() - 1), plain.size() + 16);
    check(!cut.has_value());
    // Trailing garbage: rejected.
    std::string extra(body);
    extra.push_back('x');
    auto trailing = wire::decompress(c, extra, plain.size() + 16);
    check(!trailing.has_value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static constexpr std::size_t kLimits[] = {0, 1, 100, 4096, 65536, 1 << 20};
  const std::size_t limit = kLimits[data[0] % 6];
  const std::size_t prefix = (data[0] >> 3) % 8;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);

  for (Compression c : {Compression::gzip, Compression::deflate, Compression::identity}) {
    auto out = wire::decompress(c, in, limit);
    if (out.has_value()) {
      check(out->size() <= limit);
      round_trip(c, *out, prefix);
    } else {
      const StatusCode code = out.status().code();
      check(code == StatusCode::resource_exhausted || code == StatusCode::internal);
      if (c == Compression::identity) check(in.size() > limit);
    }
  }
  for (Compression c : {Compression::gzip, Compression::deflate, Compression::identity}) round_trip(c, in, prefix);
  return 0;
}
