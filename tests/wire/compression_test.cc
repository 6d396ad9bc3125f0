#include "wire/compression.h"

#include <gtest/gtest.h>

#include <random>

namespace pronto::wire {
namespace {

std::string random_bytes(std::size_t n) {
  std::mt19937 rng(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(Compression, gzip_and_deflate_round_trip) {
  for (auto c : {Compression::gzip, Compression::deflate}) {
    for (std::size_t n : {0u, 1u, 100u, 70000u}) {
      std::string in = random_bytes(n) + std::string(n, 'a');
      auto packed = compress(c, in);
      auto out = decompress(c, packed, in.size());
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      EXPECT_EQ(*out, in);
    }
  }
}

TEST(Compression, gzip_output_is_a_gzip_stream) {
  auto packed = compress(Compression::gzip, "hello");
  ASSERT_GE(packed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
}

TEST(Compression, output_exactly_at_the_limit_is_accepted) {
  std::string in(4096, 'z');
  auto out = decompress(Compression::gzip, compress(Compression::gzip, in), 4096);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), 4096u);
}

TEST(Compression, bomb_is_rejected_while_inflating_before_allocating_its_size) {
  std::string huge(16 << 20, '\0');  // 16 MiB of zeros
  auto packed = compress(Compression::gzip, huge);
  EXPECT_LT(packed.size(), 32u * 1024);
  auto out = decompress(Compression::gzip, packed, 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::resource_exhausted);
}

TEST(Compression, limit_plus_one_is_resource_exhausted) {
  std::string in(4097, 'z');
  auto out = decompress(Compression::deflate, compress(Compression::deflate, in), 4096);
  EXPECT_EQ(out.status().code(), StatusCode::resource_exhausted);
}

TEST(Compression, corrupt_data_is_internal) {
  auto out = decompress(Compression::gzip, "this is not gzip at all", 1 << 20);
  EXPECT_EQ(out.status().code(), StatusCode::internal);
  auto packed = compress(Compression::gzip, std::string(1000, 'x'));
  packed[packed.size() / 2] ^= 0x55;
  packed[packed.size() - 3] ^= 0x55;  // the CRC too
  EXPECT_EQ(decompress(Compression::gzip, packed, 1 << 20).status().code(), StatusCode::internal);
}

TEST(Compression, truncated_stream_is_internal) {
  auto packed = compress(Compression::gzip, random_bytes(5000));
  packed.resize(packed.size() / 2);
  EXPECT_EQ(decompress(Compression::gzip, packed, 1 << 20).status().code(), StatusCode::internal);
}

TEST(Compression, trailing_garbage_is_internal) {
  auto packed = compress(Compression::deflate, "abc") + "junk";
  EXPECT_EQ(decompress(Compression::deflate, packed, 1 << 20).status().code(), StatusCode::internal);
}

TEST(Compression, gzip_data_under_deflate_name_is_internal) {
  auto packed = compress(Compression::gzip, "abc");
  EXPECT_EQ(decompress(Compression::deflate, packed, 1 << 20).status().code(), StatusCode::internal);
}

TEST(Compression, encoding_names_parse_and_accept_lists) {
  EXPECT_EQ(parse_encoding("gzip"), Compression::gzip);
  EXPECT_EQ(parse_encoding("deflate"), Compression::deflate);
  EXPECT_EQ(parse_encoding("identity"), Compression::identity);
  EXPECT_FALSE(parse_encoding("snappy").has_value());
  EXPECT_FALSE(parse_encoding("GZIP").has_value());
  EXPECT_EQ(encoding_name(Compression::gzip), "gzip");
  EXPECT_TRUE(accepts("identity, deflate,gzip", Compression::gzip));
  EXPECT_TRUE(accepts("deflate", Compression::deflate));
  EXPECT_FALSE(accepts("identity,deflate", Compression::gzip));
  EXPECT_TRUE(accepts("", Compression::identity));
}

TEST(Compression, accepted_encodings_is_a_set_parsed_once_ignoring_unknown_names) {
  const unsigned id = encoding_bit(Compression::identity);
  const unsigned gz = encoding_bit(Compression::gzip);
  const unsigned df = encoding_bit(Compression::deflate);
  EXPECT_EQ(accepted_encodings("identity,deflate,gzip"), id | gz | df);
  EXPECT_EQ(accepted_encodings(" gzip , snappy,br"), id | gz);
  EXPECT_EQ(accepted_encodings(""), id);
  EXPECT_EQ(accepted_encodings(",,deflate,"), id | df);
  EXPECT_EQ(accepted_encodings("GZIP"), id);  // names are case-sensitive
}

}  // namespace
}  // namespace pronto::wire
