#include "wire/compression.h"

#include <zlib.h>

#include <algorithm>

#include "wire/metadata_rules.h"

namespace pronto::wire {

namespace {

int window_bits(Compression c) { return c == Compression::gzip ? 15 + 16 : 15; }

}  // namespace

std::optional<Compression> parse_encoding(std::string_view name) noexcept {
  if (name == "identity") return Compression::identity;
  if (name == "gzip") return Compression::gzip;
  if (name == "deflate") return Compression::deflate;
  return std::nullopt;
}

std::string_view encoding_name(Compression c) noexcept {
  switch (c) {
    case Compression::gzip:
      return "gzip";
    case Compression::deflate:
      return "deflate";
    case Compression::identity:
      break;
  }
  return "identity";
}

unsigned accepted_encodings(std::string_view accept_encoding) noexcept {
  unsigned set = encoding_bit(Compression::identity);
  for_each_comma_value(accept_encoding, [&](std::string_view piece) {
    if (auto c = parse_encoding(piece)) set |= encoding_bit(*c);
  });
  return set;
}

bool accepts(std::string_view accept_encoding, Compression c) noexcept {
  return (accepted_encodings(accept_encoding) & encoding_bit(c)) != 0;
}

std::string compress(Compression c, std::string_view in, std::size_t prefix) {
  std::string out(prefix, '\0');
  if (c == Compression::identity) {
    out.append(in);
    return out;
  }
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits(c), 8, Z_DEFAULT_STRATEGY);
  out.resize(prefix + deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data() + prefix);
  zs.avail_out = static_cast<uInt>(out.size() - prefix);
  deflate(&zs, Z_FINISH);
  out.resize(prefix + zs.total_out);
  deflateEnd(&zs);
  return out;
}

Result<std::string> decompress(Compression c, std::string_view in, std::size_t max_size) {
  if (c == Compression::identity) {
    if (in.size() > max_size) return Status::resource_exhausted("message larger than the receive limit");
    return std::string(in);
  }
  z_stream zs{};
  if (inflateInit2(&zs, window_bits(c)) != Z_OK) return Status::internal("cannot start inflating");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() == zs.total_out) {
      // Grow in steps, never past the limit (+1 byte to detect overflow).
      std::size_t grow = std::min<std::size_t>(std::max<std::size_t>(out.size(), 16 * 1024), 1 << 20);
      std::size_t next = std::min(out.size() + grow, max_size + 1);
      if (next == out.size()) break;
      out.resize(next);
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) break;
    if (zs.total_out > max_size) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // truncated input
  }
  const std::size_t produced = zs.total_out;
  const bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (produced > max_size)
    return Status::resource_exhausted("decompressed message larger than the receive limit");
  if (rc != Z_STREAM_END) return Status::internal("corrupt " + std::string(encoding_name(c)) + " message");
  if (trailing)
    return Status::internal("trailing data after the " + std::string(encoding_name(c)) + " stream");
  out.resize(produced);
  return out;
}

}  // namespace pronto::wire
