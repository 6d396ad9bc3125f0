// wire/framer.h — an outgoing message made into one gRPC frame (5-byte
// prefix, then the payload) for a stream body, copied only when it must be.
// Pure function; any thread.
#pragma once

#include <cstdint>
#include <string>

#include "pronto/compression.h"
#include "wire/deframer.h"

namespace pronto::wire {

// The cases of frame_message that build a new buffer (bare payload,
// compression).
void frame_message_copy(std::string& message, bool prefix_reserved, Compression compression);

// Makes `message` one frame. `message` is the bare payload, or, with
// `prefix_reserved`, it already starts with kFrameHeaderSize placeholder
// bytes (the serializer left room for them), which are filled in place: no
// copy. A bare payload is copied behind a new prefix. With a compression
// other than identity the payload is compressed into a new frame.
// Precondition: the payload is below 4 GiB.
inline void frame_message(std::string& message, bool prefix_reserved, Compression compression) {
  if (prefix_reserved && compression == Compression::identity) {
    write_frame_header(reinterpret_cast<std::uint8_t*>(message.data()),
                       static_cast<std::uint32_t>(message.size() - kFrameHeaderSize), false);
  } else {
    frame_message_copy(message, prefix_reserved, compression);
  }
}

}  // namespace pronto::wire
