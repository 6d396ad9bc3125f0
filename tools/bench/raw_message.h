// tools/bench/raw_message.h — a message that is already bytes, so pronto's
// typed call API carries pronto-bench's pre-serialized request (and ignores
// the response's contents) without generated code.
//
// Ownership: a plain value. Threading: stateless codec.
#pragma once

#include <string>
#include <string_view>

#include "pronto/codec.h"

namespace pronto_bench {

struct RawMessage {
  std::string bytes;
};

}  // namespace pronto_bench

template <>
struct pronto::Codec<pronto_bench::RawMessage> {
  static bool serialize(const pronto_bench::RawMessage& m, std::string& out) {
    out = m.bytes;  // the Codec interface needs a copy per call
    return true;
  }
  static bool parse(std::string_view bytes, pronto_bench::RawMessage& m) {
    m.bytes.assign(bytes);
    return true;
  }
};
