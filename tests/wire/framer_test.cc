// wire::frame_message: in place when the serializer left room for the
// prefix, a copy otherwise, a new compressed frame when asked.
#include "wire/framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/compression.h"
#include "wire/deframer.h"

namespace pronto::wire {
namespace {

std::string reserved(std::string_view payload) {
  return std::string(kFrameHeaderSize, '\0') + std::string(payload);
}

Message deframe_one(const std::string& bytes) {
  Deframer d;
  std::vector<Message> out;
  EXPECT_TRUE(d.feed(bytes, out).ok());
  EXPECT_EQ(out.size(), 1u);
  EXPECT_TRUE(d.at_message_boundary());
  return out.empty() ? Message{} : out[0];
}

TEST(Framer, reserved_prefix_is_filled_in_place) {
  std::string message = reserved(std::string(100000, 'p'));
  const char* where = message.data();
  frame_message(message, true, Compression::identity);
  EXPECT_EQ(message.data(), where);  // the same buffer: no copy
  EXPECT_EQ(message.size(), kFrameHeaderSize + 100000);
  EXPECT_EQ(message.substr(0, 5), std::string("\0\0\x01\x86\xa0", 5));
  EXPECT_EQ(deframe_one(message).payload, std::string(100000, 'p'));
}

TEST(Framer, bare_payload_is_copied_behind_a_prefix) {
  std::string message = "abc";
  frame_message(message, false, Compression::identity);
  EXPECT_EQ(message, std::string("\0\0\0\0\x03"
                                 "abc",
                                 8));
}

TEST(Framer, zero_length_message_with_reserved_prefix_is_just_the_header) {
  std::string message = reserved("");
  frame_message(message, true, Compression::identity);
  EXPECT_EQ(message, std::string(5, '\0'));
  std::string bare;
  frame_message(bare, false, Compression::identity);
  EXPECT_EQ(bare, std::string(5, '\0'));
}

TEST(Framer, compression_compresses_only_the_payload) {
  const std::string payload(50000, 'z');
  for (bool prefix : {true, false}) {
    std::string message = prefix ? reserved(payload) : payload;
    frame_message(message, prefix, Compression::gzip);
    EXPECT_LT(message.size(), payload.size());
    Message m = deframe_one(message);
    EXPECT_TRUE(m.compressed);
    auto plain = decompress(Compression::gzip, m.payload, payload.size());
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(*plain, payload);
  }
}

}  // namespace
}  // namespace pronto::wire
