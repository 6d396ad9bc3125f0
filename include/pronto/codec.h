// pronto/codec.h — how typed messages become bytes. The default works for
// every protobuf message (generated classes have SerializeToString,
// AppendToString and ParseFromArray); specialize Codec<T> for other types.
// append() is optional: with it, a message is serialized straight into the
// buffer that goes on the wire (no copy of large messages).
// Stateless; any thread.
#pragma once

#include <string>
#include <string_view>

namespace pronto {

template <class T>
struct Codec {
  static bool serialize(const T& message, std::string& out) { return message.SerializeToString(&out); }
  // Appends the serialized message to `out`.
  static bool append(const T& message, std::string& out) requires requires { message.AppendToString(&out); }
  { return message.AppendToString(&out); }
  static bool parse(std::string_view bytes, T& message) {
    return message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  }
};

}  // namespace pronto
