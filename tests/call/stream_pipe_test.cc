// The stream pipe: messages in (deframe, decompress, count, queue, hand
// over, credit) and out (frame, queue, pace), without a session.
#include "call/stream_pipe.h"

#include <gtest/gtest.h>

#include <string>

#include "wire/compression.h"
#include "wire/deframer.h"

namespace pronto::call {
namespace {

std::string framed(std::string_view payload, bool compressed = false) {
  std::string out;
  wire::append_frame(out, payload, compressed);
  return out;
}

Status feed(InboundPipe& p, std::string_view bytes) {
  return p.receive(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

TEST(InboundPipe, messages_split_anywhere_arrive_whole_and_in_order) {
  InboundPipe p(1024);
  std::string bytes = framed("one") + framed("") + framed("three");
  for (char c : bytes) ASSERT_TRUE(feed(p, std::string_view(&c, 1)).ok());
  detail::ReadOp op;
  ASSERT_TRUE(p.start_read(op));
  EXPECT_EQ(op.message, "one");
  ASSERT_TRUE(p.start_read(op));
  EXPECT_EQ(op.message, "");
  ASSERT_TRUE(p.start_read(op));
  EXPECT_EQ(op.message, "three");
  EXPECT_FALSE(p.start_read(op));  // waits
  EXPECT_TRUE(p.reading());
  EXPECT_EQ(p.messages_received(), 3u);
}

TEST(InboundPipe, a_waiting_reader_gets_the_next_message_then_the_end) {
  InboundPipe p(1024);
  detail::ReadOp op;
  EXPECT_FALSE(p.start_read(op));
  EXPECT_EQ(p.deliver(), nullptr);
  ASSERT_TRUE(feed(p, framed("m")).ok());
  EXPECT_EQ(p.deliver(), &op);
  EXPECT_EQ(op.message, "m");
  EXPECT_FALSE(p.start_read(op));
  EXPECT_EQ(p.end(), &op);
  EXPECT_FALSE(op.message.has_value());
  EXPECT_EQ(p.end(), nullptr);  // nobody waits
}

TEST(InboundPipe, end_still_hands_over_queued_messages_first) {
  InboundPipe p(1024);
  ASSERT_TRUE(feed(p, framed("a") + framed("b")).ok());
  detail::ReadOp op;
  ASSERT_TRUE(p.start_read(op));
  ASSERT_TRUE(p.start_read(op));
  EXPECT_EQ(op.message, "b");
}

TEST(InboundPipe, a_second_message_where_one_is_due_is_internal) {
  InboundPipe p(1024);
  p.expect_one("request");
  EXPECT_TRUE(feed(p, framed("a")).ok());
  Status st = feed(p, framed("b"));
  EXPECT_EQ(st.code(), StatusCode::internal);
  EXPECT_NE(st.message().find("cardinality"), std::string::npos);
  // In one feed, too.
  InboundPipe q(1024);
  q.expect_one("response");
  EXPECT_EQ(feed(q, framed("a") + framed("b")).code(), StatusCode::internal);
}

TEST(InboundPipe, compressed_messages_need_an_encoding_and_fit_the_limit) {
  const std::string big(5000, 'z');
  const std::string gz = wire::compress(Compression::gzip, big);
  InboundPipe none(10000);
  EXPECT_EQ(feed(none, framed(gz, true)).code(), StatusCode::internal);
  InboundPipe ok(10000);
  ok.set_encoding(Compression::gzip);
  ASSERT_TRUE(feed(ok, framed(gz, true)).ok());
  detail::ReadOp op;
  ASSERT_TRUE(ok.start_read(op));
  EXPECT_EQ(op.message, big);
  EXPECT_TRUE(op.compressed);
  InboundPipe small(1000);  // the bomb is held to the receive limit
  small.set_encoding(Compression::gzip);
  EXPECT_EQ(feed(small, framed(gz, true)).code(), StatusCode::resource_exhausted);
  InboundPipe garbage(10000);
  garbage.set_encoding(Compression::gzip);
  EXPECT_FALSE(feed(garbage, framed("not gzip", true)).ok());
}

TEST(InboundPipe, oversize_and_bad_flags_fail_from_the_prefix) {
  InboundPipe p(100);
  std::string header("\x00\x00\x00\x01\x00", 5);  // 256 bytes declared
  EXPECT_EQ(feed(p, header).code(), StatusCode::resource_exhausted);
  EXPECT_EQ(feed(p, "more").code(), StatusCode::resource_exhausted);  // stays failed
  InboundPipe q(100);
  EXPECT_EQ(feed(q, std::string("\x07\x00\x00\x00\x00", 5)).code(), StatusCode::internal);
}

TEST(InboundPipe, credit_waits_while_the_reader_is_behind) {
  InboundPipe p(1024);
  ASSERT_TRUE(feed(p, framed("a")).ok());
  EXPECT_EQ(p.take_credit(), 6u);
  EXPECT_EQ(p.take_credit(), 0u);
  ASSERT_TRUE(feed(p, framed("b") + framed("c")).ok());  // two unread now
  EXPECT_EQ(p.take_credit(), 0u);
  EXPECT_EQ(p.uncredited(), 12u);
  detail::ReadOp op;
  ASSERT_TRUE(p.start_read(op));
  ASSERT_TRUE(p.start_read(op));
  EXPECT_EQ(p.take_credit(), 12u);
  p.discard(7);
  EXPECT_EQ(p.take_credit(), 7u);
}

TEST(InboundPipe, footprint_counts_the_partial_message_at_its_declared_length) {
  InboundPipe p(1 << 20);
  std::string header("\x00\x00\x01\x00\x00", 5);  // 65536 declared
  ASSERT_TRUE(feed(p, header + "abc").ok());
  EXPECT_GE(p.footprint(), 65536u);
  EXPECT_FALSE(p.at_message_boundary());
  p.abandon(Status::resource_exhausted("budget"));
  EXPECT_EQ(p.footprint(), 0u);
  EXPECT_EQ(feed(p, "x").code(), StatusCode::resource_exhausted);
}

TEST(OutboundPipe, frames_compresses_and_paces) {
  OutboundPipe out;
  out.set_encoding(Compression::gzip);
  out.queue(std::string(1000, 'a'), false, true);
  EXPECT_LT(out.pending(), 1000u);  // compressed
  const std::size_t compressed = out.pending();
  out.queue(std::string(1000, 'b'), false, false);
  EXPECT_EQ(out.pending(), compressed + 1005);  // uncompressed on request
  detail::WriteOp w;
  EXPECT_TRUE(out.admit(w, 4096));
  EXPECT_TRUE(w.ok);
  EXPECT_FALSE(out.admit(w, 100));  // over the bound: waits
  EXPECT_EQ(out.drained(100), nullptr);
  EXPECT_EQ(out.drained(1 << 20), &w);
  EXPECT_TRUE(w.ok);
  EXPECT_FALSE(out.admit(w, 0));
  EXPECT_EQ(out.fail_writer(), &w);
  EXPECT_FALSE(w.ok);
  EXPECT_EQ(out.fail_writer(), nullptr);
}

TEST(OutboundPipe, a_message_behind_a_reserved_prefix_is_framed_in_place) {
  OutboundPipe out;
  std::string m(detail::kFramePrefixSize, '\0');
  m += "payload";
  out.queue(std::move(m), true, true);
  EXPECT_EQ(out.pending(), 5u + 7u);
  std::string bytes(out.pending(), '\0');
  out.body().read(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size());
  EXPECT_EQ(bytes, framed("payload"));
}

}  // namespace
}  // namespace pronto::call
