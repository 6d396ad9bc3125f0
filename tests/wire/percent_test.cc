#include "wire/percent.h"

#include <gtest/gtest.h>

namespace pronto::wire {
namespace {

// The interop spec's special_status_message case.
constexpr std::string_view kInteropMessage =
    "\t\ntest with whitespace\r\nand Unicode BMP \xE2\x98\xBA and non-BMP \xF0\x9F\x98\x88\t\n";

TEST(Percent, printable_ascii_is_unchanged) {
  const std::string s = "Hello, World! ~ {}[]()<>=+-_/\\\"'`^&*$#@!?;:.";
  EXPECT_EQ(percent_encode(s), s);
  EXPECT_EQ(percent_encode(" "), " ");
  EXPECT_EQ(percent_encode("~"), "~");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(Percent, percent_sign_is_escaped) {
  EXPECT_EQ(percent_encode("%"), "%25");
  EXPECT_EQ(percent_encode("100%"), "100%25");
  EXPECT_EQ(percent_encode("%25"), "%2525");
}

TEST(Percent, bytes_outside_printable_range_use_upper_case_hex) {
  EXPECT_EQ(percent_encode(std::string_view("\0", 1)), "%00");
  EXPECT_EQ(percent_encode("\x1F"), "%1F");
  EXPECT_EQ(percent_encode("\x7F"), "%7F");
  EXPECT_EQ(percent_encode("\x80"), "%80");
  EXPECT_EQ(percent_encode("\xAB"), "%AB");
  EXPECT_EQ(percent_encode("\xFF"), "%FF");
  EXPECT_EQ(percent_encode("\t\r\n"), "%09%0D%0A");
}

TEST(Percent, interop_special_message_encodes_as_spec) {
  EXPECT_EQ(percent_encode(kInteropMessage),
            "%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA and non-BMP %F0%9F%98%88%09%0A");
}

TEST(Percent, interop_special_message_round_trips) {
  EXPECT_EQ(percent_decode(percent_encode(kInteropMessage)), kInteropMessage);
}

TEST(Percent, every_byte_round_trips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string enc = percent_encode(all);
  for (char c : enc) {
    EXPECT_GE(c, 0x20);
    EXPECT_LE(c, 0x7E);
  }
  EXPECT_EQ(percent_decode(enc), all);
}

TEST(Percent, decode_accepts_lower_case_hex) {
  EXPECT_EQ(percent_decode("%e2%98%ba"), "\xE2\x98\xBA");
  EXPECT_EQ(percent_decode("%0a%0D"), "\n\r");
}

TEST(Percent, decode_keeps_malformed_sequences_literally) {
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("abc%"), "abc%");
  EXPECT_EQ(percent_decode("abc%4"), "abc%4");
  EXPECT_EQ(percent_decode("%G1"), "%G1");
  EXPECT_EQ(percent_decode("%4g"), "%4g");
  EXPECT_EQ(percent_decode("%%"), "%%");
  EXPECT_EQ(percent_decode("%%41"), "%A");
  EXPECT_EQ(percent_decode("100% sure"), "100% sure");
  EXPECT_EQ(percent_decode("% 41"), "% 41");
  EXPECT_EQ(percent_decode("%-1"), "%-1");
}

TEST(Percent, decode_passes_through_unescaped_bytes) {
  // Peers may send raw non-ASCII; decoding must not drop or alter it.
  EXPECT_EQ(percent_decode("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(percent_decode("plain text"), "plain text");
  EXPECT_EQ(percent_decode(""), "");
}

TEST(Percent, decode_is_single_pass) {
  EXPECT_EQ(percent_decode("%2541"), "%41");
  EXPECT_EQ(percent_decode("%41%42%43"), "ABC");
}

}  // namespace
}  // namespace pronto::wire
