// pronto/codec.h — how typed messages become bytes. The default works for
// every protobuf message (generated classes have SerializeToString and
// ParseFromArray); specialize Codec<T> for other types.
// Stateless; any thread.
#pragma once

#include <string>
#include <string_view>

namespace pronto {

template <class T>
struct Codec {
  static bool serialize(const T& message, std::string& out) { return message.SerializeToString(&out); }
  static bool parse(std::string_view bytes, T& message) {
    return message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  }
};

}  // namespace pronto
