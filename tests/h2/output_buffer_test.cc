// h2::OutputBuffer and h2::SharedBytes: copied and referenced pieces in
// order, partial writes, and references held exactly as long as needed.
#include "h2/output_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "h2/shared_bytes.h"

namespace pronto::h2 {
namespace {

std::vector<std::string> pieces(const OutputBuffer& out) {
  iovec iov[64];
  const std::size_t n = out.gather(iov, 64);
  std::vector<std::string> v;
  for (std::size_t i = 0; i < n; ++i)
    v.emplace_back(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return v;
}

std::string flat(const OutputBuffer& out) {
  std::string s;
  for (auto& p : pieces(out)) s += p;
  return s;
}

TEST(SharedBytes, adopts_the_buffer_without_copying) {
  std::string big(100000, 'b');
  const char* where = big.data();
  SharedBytes shared(std::move(big));
  EXPECT_EQ(shared.data(), where);
  EXPECT_EQ(shared.size(), 100000u);
  EXPECT_EQ(shared.use_count(), 1u);
}

TEST(SharedBytes, copies_share_and_the_last_handle_frees) {
  SharedBytes a(std::string(20, 'x'));
  std::vector<SharedBytes> copies(3, a);
  EXPECT_EQ(a.use_count(), 4u);
  EXPECT_EQ(copies[2].data(), a.data());
  copies.clear();
  EXPECT_EQ(a.use_count(), 1u);
  SharedBytes c = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_EQ(c.use_count(), 1u);
  c.reset();
  EXPECT_FALSE(c);
  EXPECT_EQ(c.size(), 0u);
}

TEST(OutputBuffer, copied_bytes_back_to_back_are_one_piece) {
  OutputBuffer out;
  out.append("abc");
  out.append("def");
  EXPECT_EQ(out.size(), 6u);
  EXPECT_EQ(out.piece_count(), 1u);
  EXPECT_EQ(flat(out), "abcdef");
}

TEST(OutputBuffer, shared_bytes_are_referenced_in_place_and_in_order) {
  SharedBytes body(std::string(50000, 'p'));
  OutputBuffer out;
  out.append("HDR1");
  out.append_shared(body, body.data(), 20000);
  out.append("HDR2");
  out.append_shared(body, body.data() + 20000, 30000);
  ASSERT_EQ(out.piece_count(), 4u);
  iovec iov[4];
  ASSERT_EQ(out.gather(iov, 4), 4u);
  EXPECT_EQ(iov[1].iov_base, body.data());  // not a copy
  EXPECT_EQ(iov[3].iov_base, body.data() + 20000);
  EXPECT_EQ(flat(out), "HDR1" + std::string(20000, 'p') + "HDR2" + std::string(30000, 'p'));
  EXPECT_EQ(body.use_count(), 3u);
}

TEST(OutputBuffer, adjacent_slices_of_one_buffer_merge) {
  SharedBytes body(std::string(40000, 'q'));
  OutputBuffer out;
  out.append_shared(body, body.data(), 10000);
  out.append_shared(body, body.data() + 10000, 10000);
  EXPECT_EQ(out.piece_count(), 1u);
  EXPECT_EQ(out.size(), 20000u);
}

TEST(OutputBuffer, keeps_the_bytes_alive_after_the_owner_lets_go) {
  OutputBuffer out;
  {
    SharedBytes body(std::string(30000, 'k'));
    out.append_shared(body, body.data() + 100, 29000);
  }
  EXPECT_EQ(flat(out), std::string(29000, 'k'));
}

TEST(OutputBuffer, partial_consume_resumes_mid_piece) {
  SharedBytes body(std::string(10000, 'z'));
  OutputBuffer out;
  out.append("0123456789");
  out.append_shared(body, body.data(), 10000);
  out.append("tail");
  out.consume(4);
  EXPECT_EQ(out.size(), 10010u);
  EXPECT_EQ(pieces(out).front(), "456789");
  out.consume(6 + 9000);  // the copied piece, then into the shared one
  auto p = pieces(out);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], std::string(1000, 'z'));
  EXPECT_EQ(p[1], "tail");
  EXPECT_EQ(body.use_count(), 2u);  // still referenced
  out.consume(1000);
  EXPECT_EQ(body.use_count(), 1u);  // dropped as soon as its bytes are out
  EXPECT_EQ(flat(out), "tail");
  out.consume(4);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(out.piece_count(), 0u);
}

TEST(OutputBuffer, appending_after_a_partial_consume_keeps_the_order) {
  OutputBuffer out;
  out.append("abcdef");
  out.consume(2);
  out.append("gh");
  EXPECT_EQ(flat(out), "cdefgh");
  SharedBytes body(std::string(9000, 's'));
  out.append_shared(body, body.data(), 9000);
  out.append("ij");
  EXPECT_EQ(flat(out), "cdefgh" + std::string(9000, 's') + "ij");
}

TEST(OutputBuffer, gather_stops_at_max_pieces) {
  SharedBytes body(std::string(100, 'm'));
  OutputBuffer out;
  for (int i = 0; i < 5; ++i) {
    out.append("h");
    out.append_shared(body, body.data() + i * 10, 5);  // not adjacent: 5 gaps
  }
  EXPECT_EQ(out.piece_count(), 10u);
  iovec iov[3];
  EXPECT_EQ(out.gather(iov, 3), 3u);
  EXPECT_EQ(std::string(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len), "h");
}

TEST(OutputBuffer, move_to_flattens_and_empties) {
  SharedBytes body(std::string(9000, 'f'));
  OutputBuffer out;
  out.append("<");
  out.append_shared(body, body.data(), 9000);
  out.append(">");
  out.consume(1);
  std::string s = "x";
  out.move_to(s);
  std::string expected = "x";
  expected.append(9000, 'f');
  expected.append(">");
  EXPECT_EQ(s, expected);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(body.use_count(), 1u);
}

TEST(OutputBuffer, empty_appends_add_nothing) {
  OutputBuffer out;
  SharedBytes body(std::string(10, 'e'));
  out.append("", 0);
  out.append_shared(body, body.data(), 0);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(out.piece_count(), 0u);
  EXPECT_EQ(body.use_count(), 1u);
}

}  // namespace
}  // namespace pronto::h2
