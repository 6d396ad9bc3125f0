// pronto/codec.h — how typed messages become bytes. The default works for
// every protobuf message (generated classes have SerializeToString,
// ByteSizeLong, SerializeWithCachedSizesToArray and ParseFromArray);
// specialize Codec<T> for other types.
// append() is optional: with it, a message is serialized straight into the
// buffer that goes on the wire (no copy of large messages).
// Stateless; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "pronto/detail/buffer_cache.h"

namespace pronto {

template <class T>
struct Codec {
  static bool serialize(const T& message, std::string& out) { return message.SerializeToString(&out); }
  // Appends the serialized message to `out` (a large one into a reused
  // buffer: see detail/buffer_cache.h).
  static bool append(const T& message, std::string& out) requires requires(std::uint8_t* p) {
    message.ByteSizeLong();
    message.SerializeWithCachedSizesToArray(p);
  }
  {
    const std::size_t size = message.ByteSizeLong();
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;  // protobuf's limit
    const std::size_t at = out.size();
    detail::resize_buffer(out, at + size);
    message.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(out.data() + at));
    return true;
  }
  static bool parse(std::string_view bytes, T& message) {
    return message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  }
};

}  // namespace pronto
