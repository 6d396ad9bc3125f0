// libFuzzer target for wire::Deframer.
//
// Invariants: feeding the input in one chunk or in arbitrary chunk sizes
// yields the same messages and status; the messages re-framed are exactly
// the consumed prefix of the input; buffering never exceeds header + limit.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "wire/deframer.h"

namespace {

using pronto::Status;
using pronto::wire::Deframer;
using pronto::wire::Message;

void check(bool cond) {
  if (!cond) std::abort();
}

struct Run {
  std::vector<Message> messages;
  Status status;
  std::size_t buffered = 0;
};

template <class NextChunk>
Run run(std::string_view input, std::size_t max, NextChunk next_chunk) {
  Deframer d(max);
  Run r;
  std::size_t pos = 0;
  while (pos < input.size()) {
    const std::size_t n = std::min(next_chunk(), input.size() - pos);
    r.status = d.feed(input.substr(pos, n), r.messages);
    pos += n;
    check(d.buffered_bytes() <= pronto::wire::kFrameHeaderSize + max);
    if (!r.status.ok()) {
      // Stays failed with the same status.
      std::vector<Message> more;
      check(d.feed(input.substr(pos), more) == r.status);
      check(more.empty());
      break;
    }
  }
  r.buffered = d.buffered_bytes();
  if (r.status.ok()) check(d.at_message_boundary() == (r.buffered == 0));
  return r;
}

bool same(const std::vector<Message>& a, const std::vector<Message>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].compressed != b[i].compressed || a[i].payload != b[i].payload) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  // Byte 0 picks the limit, byte 1-2 seed the chunking; the rest is the stream.
  static constexpr std::size_t kLimits[] = {0, 1, 5, 16, 255, 4096, pronto::wire::kDefaultMaxMessageSize};
  const std::size_t max = kLimits[data[0] % (sizeof(kLimits) / sizeof(kLimits[0]))];
  std::uint32_t seed = (std::uint32_t{data[1]} << 8 | data[2]) * 2654435761u + 1;
  const std::string_view input(reinterpret_cast<const char*>(data + 3), size - 3);

  const Run whole = run(input, max, [&] { return input.size(); });
  const Run ones = run(input, max, [] { return std::size_t{1}; });
  const Run random = run(input, max, [&] {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return std::size_t{1} + seed % 17;
  });

  for (const Run* r : {&ones, &random}) {
    check(r->status == whole.status);
    check(same(r->messages, whole.messages));
    if (whole.status.ok()) check(r->buffered == whole.buffered);
  }

  // Re-framing the messages reproduces the consumed prefix of the input.
  std::string reframed;
  for (const Message& m : whole.messages) pronto::wire::append_frame(reframed, m.payload, m.compressed);
  check(input.substr(0, reframed.size()) == reframed);
  if (whole.status.ok()) check(reframed.size() + whole.buffered == input.size());
  return 0;
}
