#include "wire/metadata_rules.h"

#include <gtest/gtest.h>

#include <random>

namespace pronto::wire {
namespace {

using namespace std::string_view_literals;

TEST(MetadataKey, accepts_lower_case_digits_and_punctuation) {
  for (std::string_view k :
       {"a", "0", "x-user-id", "my.key_1", "-bin", "authorization", "abc-def.ghi_jkl-bin"}) {
    EXPECT_TRUE(is_valid_key(k)) << k;
  }
}

TEST(MetadataKey, rejects_empty_upper_case_pseudo_and_other_chars) {
  for (std::string_view k : {"", "Upper", "X-USER", "has space", ":path", ":authority", "k/v", "k=v", "k,v",
                             "k\tv", "k\xC3\xA9", "key!", "key~"}) {
    EXPECT_FALSE(is_valid_key(k)) << k;
  }
  EXPECT_FALSE(is_valid_key("key\0"sv));
}

TEST(MetadataKey, binary_means_bin_suffix) {
  EXPECT_TRUE(is_binary_key("trace-bin"));
  EXPECT_TRUE(is_binary_key("grpc-status-details-bin"));
  EXPECT_TRUE(is_binary_key("-bin"));
  EXPECT_FALSE(is_binary_key("bin"));
  EXPECT_FALSE(is_binary_key("trace_bin"));
  EXPECT_FALSE(is_binary_key("trace-BIN"));
  EXPECT_FALSE(is_binary_key("trace-bin-x"));
  EXPECT_FALSE(is_binary_key("trace-binary"));
  EXPECT_FALSE(is_binary_key(""));
}

TEST(MetadataKey, grpc_prefix_is_reserved) {
  EXPECT_TRUE(is_reserved_key("grpc-timeout"));
  EXPECT_TRUE(is_reserved_key("grpc-status"));
  EXPECT_TRUE(is_reserved_key("grpc-anything"));
  EXPECT_TRUE(is_reserved_key("grpc-"));
  EXPECT_FALSE(is_reserved_key("grpc"));
  EXPECT_FALSE(is_reserved_key("grpcx-foo"));
  EXPECT_FALSE(is_reserved_key("x-grpc-foo"));
  EXPECT_FALSE(is_reserved_key("authorization"));
}

TEST(MetadataKey, protocol_headers_are_not_user_metadata) {
  for (std::string_view k : {":path", ":method", ":status", ":authority", ":scheme", "content-type", "te",
                             "user-agent", "grpc-status", "grpc-message", "grpc-timeout", "grpc-encoding",
                             "grpc-accept-encoding", "grpc-status-details-bin", "connection", "keep-alive",
                             "upgrade", "proxy-connection", "transfer-encoding"}) {
    EXPECT_TRUE(is_protocol_header(k)) << k;
  }
  for (std::string_view k :
       {"x-custom", "authorization", "trace-bin", "content-typex", "tee", "x-user-agent"}) {
    EXPECT_FALSE(is_protocol_header(k)) << k;
  }
}

TEST(MetadataValue, ascii_values_are_printable_only) {
  EXPECT_TRUE(is_valid_ascii_value(""));
  EXPECT_TRUE(is_valid_ascii_value(" "));
  EXPECT_TRUE(is_valid_ascii_value("~"));
  EXPECT_TRUE(is_valid_ascii_value("Bearer abc.DEF-123 =+/"));
  EXPECT_FALSE(is_valid_ascii_value("\x7F"));
  EXPECT_FALSE(is_valid_ascii_value("\x1F"));
  EXPECT_FALSE(is_valid_ascii_value("a\tb"));
  EXPECT_FALSE(is_valid_ascii_value("line\r\n"));
  EXPECT_FALSE(is_valid_ascii_value("caf\xC3\xA9"));
  EXPECT_FALSE(is_valid_ascii_value("a\0b"sv));
}

// RFC 4648 section 10 test vectors.
struct Vector {
  std::string_view plain, padded, unpadded;
};
constexpr Vector kVectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

TEST(Base64, encodes_without_padding) {
  for (const auto& v : kVectors) EXPECT_EQ(base64_encode(v.plain), v.unpadded) << v.plain;
}

TEST(Base64, decodes_padded_input) {
  for (const auto& v : kVectors) {
    auto d = base64_decode(v.padded);
    ASSERT_TRUE(d.has_value()) << v.padded;
    EXPECT_EQ(*d, v.plain);
  }
}

TEST(Base64, decodes_unpadded_input) {
  for (const auto& v : kVectors) {
    auto d = base64_decode(v.unpadded);
    ASSERT_TRUE(d.has_value()) << v.unpadded;
    EXPECT_EQ(*d, v.plain);
  }
}

TEST(Base64, uses_standard_alphabet_plus_and_slash) {
  EXPECT_EQ(base64_encode("\xFB\xFF"), "+/8");
  EXPECT_EQ(base64_decode("+/8"), std::string("\xFB\xFF"));
  EXPECT_EQ(base64_decode("+/8="), std::string("\xFB\xFF"));
}

TEST(Base64, binary_bytes_including_nul_round_trip) {
  const std::string bin("\0\x01\xFF\xFE\0\0\x80", 7);
  const std::string enc = base64_encode(bin);
  EXPECT_EQ(enc, "AAH//gAAgA");
  auto dec = base64_decode(enc);
  ASSERT_TRUE(dec.has_value());
  EXPECT_EQ(*dec, bin);
  EXPECT_EQ(base64_decode("AAAA"), std::string(3, '\0'));
  EXPECT_EQ(base64_decode("AA"), std::string(1, '\0'));
}

TEST(Base64, every_length_round_trips) {
  std::mt19937 rng(7);
  for (std::size_t len = 0; len < 300; ++len) {
    std::string bytes(len, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    const std::string enc = base64_encode(bytes);
    EXPECT_EQ(enc.find('='), std::string::npos);
    EXPECT_EQ(enc.size(), (len * 4 + 2) / 3);
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << len;
    EXPECT_EQ(*dec, bytes);
  }
}

TEST(Base64, large_input_round_trips_across_chunks) {
  std::string bytes(3 * (1u << 20) + 7, '\0');  // spans more than one internal encode chunk
  std::mt19937 rng(9);
  for (auto& c : bytes) c = static_cast<char>(rng());
  const std::string enc = base64_encode(bytes);
  EXPECT_EQ(enc.size(), (bytes.size() * 4 + 2) / 3);
  EXPECT_EQ(enc.find('='), std::string::npos);
  auto dec = base64_decode(enc);
  ASSERT_TRUE(dec.has_value());
  EXPECT_EQ(*dec, bytes);
}

TEST(Base64, rejects_invalid_characters) {
  for (std::string_view bad : {"Zm9v*", "Zm-_", "Zm9v_w", "Zm 9v", " Zm9v", "Zm9v ", "Zm9v\n", "Zm9v\r\n",
                               "\tZm9v", "Zg\xC3\xA9", "Zm.v", "Zm9v!"}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(base64_decode("Zm\0v"sv).has_value());
}

TEST(Base64, rejects_bad_padding_and_lengths) {
  for (std::string_view bad : {"Z", "Zm9vY", "Zg=", "Zg===", "Zm9v=", "Zm9v==", "Z===", "=",
                               "==", "===", "====", "Zg==Zg==", "Z=g=", "Zm=v", "=Zm9"}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

TEST(Base64, accepts_nonzero_trailing_bits) {
  // Lenient like most decoders: "QR" has stray low bits but decodes to "A".
  EXPECT_EQ(base64_decode("QR"), std::string("A"));
  EXPECT_EQ(base64_decode("QR=="), std::string("A"));
}

TEST(SplitCommaValues, splits_and_trims_optional_whitespace) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split_comma_values("a,b"), (V{"a", "b"}));
  EXPECT_EQ(split_comma_values("a , b"), (V{"a", "b"}));
  EXPECT_EQ(split_comma_values(" a\t,\tb "), (V{"a", "b"}));
  EXPECT_EQ(split_comma_values("single"), (V{"single"}));
  EXPECT_EQ(split_comma_values("in ner"), (V{"in ner"}));
  EXPECT_EQ(split_comma_values("Zg,Zm8=,Zm9v"), (V{"Zg", "Zm8=", "Zm9v"}));
}

TEST(SplitCommaValues, keeps_empty_pieces) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split_comma_values(""), (V{""}));
  EXPECT_EQ(split_comma_values("a,,b"), (V{"a", "", "b"}));
  EXPECT_EQ(split_comma_values(","), (V{"", ""}));
  EXPECT_EQ(split_comma_values("a, "), (V{"a", ""}));
}

}  // namespace
}  // namespace pronto::wire
