#include "wire/framer.h"

#include <cassert>
#include <cstdint>
#include <string_view>

#include "wire/compression.h"

namespace pronto::wire {

void frame_message_copy(std::string& message, bool prefix_reserved, Compression compression) {
  assert(!prefix_reserved || message.size() >= kFrameHeaderSize);
  std::string_view payload(message);
  if (prefix_reserved) payload.remove_prefix(kFrameHeaderSize);
  std::string frame;
  if (compression != Compression::identity) {
    frame = compress(compression, payload, kFrameHeaderSize);
    write_frame_header(reinterpret_cast<std::uint8_t*>(frame.data()),
                       static_cast<std::uint32_t>(frame.size() - kFrameHeaderSize), true);
  } else {
    append_frame(frame, payload);
  }
  message = std::move(frame);
}

}  // namespace pronto::wire
