// h2::OutboundBody: large buffers queued and sent without copies, small
// ones packed, order and pending counts exact across chunk boundaries.
#include "h2/outbound_body.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pronto::h2 {
namespace {

constexpr std::size_t kLarge = OutboundBody::kLendMin;

std::string flat(const OutputBuffer& out) {
  iovec iov[256];
  const std::size_t n = out.gather(iov, 256);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return s;
}

std::string pattern(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i % 23);
  return s;
}

TEST(OutboundBody, starts_empty) {
  OutboundBody body;
  EXPECT_EQ(body.pending(), 0u);
  EXPECT_FALSE(body.ended());
}

TEST(OutboundBody, a_large_message_is_lent_to_the_output_not_copied) {
  std::string message = pattern(3 * kLarge, 'a');
  const std::string expected = message;
  const char* where = message.data();
  OutboundBody body;
  body.append(std::move(message));
  EXPECT_EQ(body.pending(), 3 * kLarge);
  OutputBuffer out;
  body.take(out, kLarge);
  iovec iov[1];
  ASSERT_EQ(out.gather(iov, 1), 1u);
  EXPECT_EQ(iov[0].iov_base, where);  // the serializer's own buffer
  body.take(out, 2 * kLarge);
  EXPECT_EQ(body.pending(), 0u);
  EXPECT_EQ(flat(out), expected);
}

TEST(OutboundBody, lent_bytes_outlive_the_body) {
  OutputBuffer out;
  const std::string expected = pattern(2 * kLarge, 'k');
  {
    OutboundBody body;
    body.append(std::string(expected));
    body.take(out, kLarge + 10);  // part of the chunk lent, the body then dies
  }
  EXPECT_EQ(flat(out), expected.substr(0, kLarge + 10));
}

TEST(OutboundBody, small_slices_are_copied) {
  OutboundBody body;
  body.append("hello");
  OutputBuffer out;
  body.take(out, 5);
  EXPECT_EQ(flat(out), "hello");
  EXPECT_EQ(out.piece_count(), 1u);
  EXPECT_EQ(body.pending(), 0u);
}

TEST(OutboundBody, small_messages_behind_queued_bytes_are_packed_in_order) {
  OutboundBody body;
  body.append("one,");
  body.append("two,");
  body.append("three");
  EXPECT_EQ(body.pending(), 13u);
  unsigned char buf[13];
  body.read(buf, 13);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 13), "one,two,three");
  EXPECT_EQ(body.pending(), 0u);
}

TEST(OutboundBody, a_large_message_behind_small_ones_keeps_its_buffer) {
  OutboundBody body;
  body.append("head");
  std::string large = pattern(2 * kLarge, 'L');
  const char* where = large.data();
  body.append(std::move(large));
  body.append("tail");
  OutputBuffer out;
  body.take(out, 4 + 2 * kLarge + 4);
  iovec iov[3];
  ASSERT_EQ(out.gather(iov, 3), 3u);
  EXPECT_EQ(iov[1].iov_base, where);
  EXPECT_EQ(flat(out), "head" + pattern(2 * kLarge, 'L') + "tail");
}

TEST(OutboundBody, a_small_message_is_never_appended_to_a_lent_buffer) {
  OutboundBody body;
  body.append(pattern(2 * kLarge, 'A'));
  OutputBuffer out;
  body.take(out, kLarge);  // the chunk is lent: immutable from now on
  body.append("after");
  body.take(out, kLarge + 5);
  EXPECT_EQ(flat(out), pattern(2 * kLarge, 'A') + "after");
}

TEST(OutboundBody, read_copies_across_chunk_boundaries) {
  OutboundBody body;
  body.append("ab");
  body.append(pattern(kLarge, 'x'));
  body.append("cd");
  std::string got(2 + kLarge + 2, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(got.data());
  body.read(dst, 1);
  body.read(dst + 1, kLarge);  // the rest of "ab", into the large chunk
  body.read(dst + 1 + kLarge, 3);
  EXPECT_EQ(got, "ab" + pattern(kLarge, 'x') + "cd");
  EXPECT_EQ(body.pending(), 0u);
}

TEST(OutboundBody, take_then_read_then_take_stays_in_order) {
  OutboundBody body;
  const std::string all = pattern(5 * kLarge + 7, 'm');
  body.append(all.substr(0, 2 * kLarge));
  body.append(all.substr(2 * kLarge));
  OutputBuffer out;
  body.take(out, kLarge + 1);
  unsigned char buf[100];
  body.read(buf, 100);
  out.append(buf, 100);
  body.take(out, body.pending());
  EXPECT_EQ(flat(out), all);
}

TEST(OutboundBody, the_body_can_be_refilled_after_draining) {
  OutboundBody body;
  OutputBuffer out;
  for (int i = 0; i < 3; ++i) {
    body.append(pattern(kLarge + i, static_cast<char>('a' + i)));
    body.take(out, body.pending());
    body.append("s");
    body.take(out, 1);
  }
  EXPECT_EQ(flat(out),
            pattern(kLarge, 'a') + "s" + pattern(kLarge + 1, 'b') + "s" + pattern(kLarge + 2, 'c') + "s");
}

TEST(OutboundBody, discard_drops_everything_queued) {
  OutboundBody body;
  body.append(pattern(2 * kLarge, 'd'));
  body.append("x");
  OutputBuffer out;
  body.take(out, 10);
  body.discard();
  EXPECT_EQ(body.pending(), 0u);
  body.append("new");
  unsigned char buf[3];
  body.read(buf, 3);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 3), "new");
}

TEST(OutboundBody, empty_appends_are_ignored) {
  OutboundBody body;
  body.append(std::string());
  body.append("x");
  body.append(std::string());
  EXPECT_EQ(body.pending(), 1u);
}

}  // namespace
}  // namespace pronto::h2
