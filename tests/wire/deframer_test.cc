#include "wire/deframer.h"
#include "wire/message_queue.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace pronto::wire {
namespace {

std::string frame(std::string_view payload, bool compressed = false) {
  std::string out;
  append_frame(out, payload, compressed);
  return out;
}

std::string header(std::uint8_t flag, std::uint32_t length) {
  std::uint8_t h[kFrameHeaderSize];
  write_frame_header(h, length, false);
  h[0] = flag;
  return std::string(reinterpret_cast<const char*>(h), kFrameHeaderSize);
}

// Feeds `bytes` in pieces of `chunk` bytes; returns the first non-OK status.
Status feed_in_chunks(Deframer& d, std::string_view bytes, std::size_t chunk, std::vector<Message>& out) {
  for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
    Status st = d.feed(bytes.substr(pos, chunk), out);
    if (!st.ok()) return st;
  }
  return Status();
}

TEST(Frame, header_is_flag_then_big_endian_length) {
  std::uint8_t h[kFrameHeaderSize];
  write_frame_header(h, 0x01020304, true);
  EXPECT_EQ(h[0], 1);
  EXPECT_EQ(h[1], 0x01);
  EXPECT_EQ(h[2], 0x02);
  EXPECT_EQ(h[3], 0x03);
  EXPECT_EQ(h[4], 0x04);
  write_frame_header(h, 0xFFFFFFFF, false);
  EXPECT_EQ(h[0], 0);
  EXPECT_EQ(h[1], 0xFF);
  EXPECT_EQ(h[4], 0xFF);
}

TEST(Frame, append_frame_appends_prefix_and_payload) {
  std::string out = "xy";
  append_frame(out, "abc", false);
  EXPECT_EQ(out, std::string("xy\0\0\0\0\x03"
                             "abc",
                             10));
  append_frame(out, "", true);
  EXPECT_EQ(out.size(), 15u);
  EXPECT_EQ(out.substr(10), std::string("\x01\0\0\0\0", 5));
}

TEST(Deframer, single_message_in_one_chunk) {
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(frame("hello"), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].compressed);
  EXPECT_EQ(out[0].payload, "hello");
  EXPECT_TRUE(d.at_message_boundary());
  EXPECT_EQ(d.buffered_bytes(), 0u);
}

TEST(Deframer, many_messages_in_one_chunk) {
  Deframer d;
  std::string bytes = frame("one") + frame("", true) + frame("three", true) + frame(std::string(1000, 'x'));
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(bytes, out).ok());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].payload, "one");
  EXPECT_FALSE(out[0].compressed);
  EXPECT_EQ(out[1].payload, "");
  EXPECT_TRUE(out[1].compressed);
  EXPECT_EQ(out[2].payload, "three");
  EXPECT_TRUE(out[2].compressed);
  EXPECT_EQ(out[3].payload, std::string(1000, 'x'));
  EXPECT_TRUE(d.at_message_boundary());
}

TEST(Deframer, appends_to_existing_output) {
  Deframer d;
  std::vector<Message> out(1);
  out[0].payload = "old";
  ASSERT_TRUE(d.feed(frame("new"), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, "old");
  EXPECT_EQ(out[1].payload, "new");
}

TEST(Deframer, header_split_at_every_position) {
  const std::string bytes = frame("payload");
  for (std::size_t cut = 1; cut < kFrameHeaderSize; ++cut) {
    Deframer d;
    std::vector<Message> out;
    ASSERT_TRUE(d.feed(bytes.substr(0, cut), out).ok());
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(d.at_message_boundary()) << cut;
    EXPECT_EQ(d.buffered_bytes(), cut);
    ASSERT_TRUE(d.feed(bytes.substr(cut), out).ok());
    ASSERT_EQ(out.size(), 1u) << cut;
    EXPECT_EQ(out[0].payload, "payload");
    EXPECT_TRUE(d.at_message_boundary());
  }
}

TEST(Deframer, payload_split_across_chunks) {
  const std::string payload(300, 'p');
  const std::string bytes = frame(payload);
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(bytes.substr(0, 5), out).ok());
  EXPECT_FALSE(d.at_message_boundary());
  ASSERT_TRUE(d.feed(bytes.substr(5, 100), out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(d.buffered_bytes(), 105u);
  ASSERT_TRUE(d.feed(bytes.substr(105, 194), out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(d.buffered_bytes(), 299u);
  ASSERT_TRUE(d.feed(bytes.substr(299), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, payload);
  EXPECT_EQ(d.buffered_bytes(), 0u);
}

TEST(Deframer, one_byte_at_a_time_several_messages) {
  const std::vector<std::pair<std::string, bool>> msgs = {
      {"a", false},  {"", false}, {"compressed", true}, {"", true}, {std::string(70000, 'z'), false},
      {"end", false}};
  std::string bytes;
  for (const auto& [p, c] : msgs) append_frame(bytes, p, c);
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(feed_in_chunks(d, bytes, 1, out).ok());
  ASSERT_EQ(out.size(), msgs.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_EQ(out[i].payload, msgs[i].first) << i;
    EXPECT_EQ(out[i].compressed, msgs[i].second) << i;
  }
  EXPECT_TRUE(d.at_message_boundary());
}

TEST(Deframer, message_straddling_chunks_with_next_header) {
  // Chunk 1 ends mid-payload; chunk 2 finishes it and carries a partial header.
  const std::string bytes = frame("abcdef") + frame("xyz");
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(bytes.substr(0, 8), out).ok());
  ASSERT_TRUE(d.feed(bytes.substr(8, 5), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "abcdef");
  EXPECT_FALSE(d.at_message_boundary());
  EXPECT_EQ(d.buffered_bytes(), 2u);
  ASSERT_TRUE(d.feed(bytes.substr(13), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].payload, "xyz");
}

TEST(Deframer, random_chunking_matches_single_chunk) {
  std::mt19937 rng(1234);
  std::string bytes;
  std::vector<std::string> payloads;
  for (int i = 0; i < 50; ++i) {
    std::string p(rng() % 200, '\0');
    for (auto& c : p) c = static_cast<char>(rng());
    payloads.push_back(p);
    append_frame(bytes, p, i % 3 == 0);
  }
  for (int trial = 0; trial < 100; ++trial) {
    Deframer d;
    std::vector<Message> out;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
      const std::size_t n = std::min<std::size_t>(1 + rng() % 64, bytes.size() - pos);
      ASSERT_TRUE(d.feed(std::string_view(bytes).substr(pos, n), out).ok());
      pos += n;
    }
    ASSERT_EQ(out.size(), payloads.size());
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      EXPECT_EQ(out[i].payload, payloads[i]);
      EXPECT_EQ(out[i].compressed, i % 3 == 0);
    }
    EXPECT_TRUE(d.at_message_boundary());
  }
}

TEST(Deframer, zero_length_message_is_emitted_immediately) {
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(header(0, 0), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "");
  EXPECT_FALSE(out[0].compressed);
  EXPECT_TRUE(d.at_message_boundary());
  EXPECT_EQ(d.buffered_bytes(), 0u);
}

TEST(Deframer, empty_feed_is_ok_and_changes_nothing) {
  Deframer d;
  std::vector<Message> out;
  EXPECT_TRUE(d.feed("", out).ok());
  EXPECT_TRUE(d.feed(nullptr, 0, out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(d.at_message_boundary());
}

TEST(Deframer, flag_two_is_internal) {
  Deframer d;
  std::vector<Message> out;
  Status st = d.feed(header(2, 3) + "abc", out);
  EXPECT_EQ(st.code(), StatusCode::internal);
  EXPECT_TRUE(out.empty());
}

TEST(Deframer, flag_0xff_is_internal_even_with_split_header) {
  Deframer d;
  std::vector<Message> out;
  const std::string h = header(0xFF, 0);
  ASSERT_TRUE(d.feed(h.substr(0, 4), out).ok());  // flag alone is not judged yet
  EXPECT_EQ(d.feed(h.substr(4), out).code(), StatusCode::internal);
  EXPECT_TRUE(out.empty());
}

TEST(Deframer, exact_limit_length_is_accepted) {
  Deframer d(16);
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(frame(std::string(16, 'q')), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.size(), 16u);
}

TEST(Deframer, limit_plus_one_is_resource_exhausted) {
  Deframer d(16);
  std::vector<Message> out;
  Status st = d.feed(frame(std::string(17, 'q')), out);
  EXPECT_EQ(st.code(), StatusCode::resource_exhausted);
  EXPECT_TRUE(out.empty());
}

TEST(Deframer, rejects_oversize_length_before_buffering) {
  Deframer d;  // default 4 MiB
  std::vector<Message> out;
  // Only the header of a 4 MiB + 1 message: rejected without any payload byte.
  Status st = d.feed(header(0, kDefaultMaxMessageSize + 1), out);
  EXPECT_EQ(st.code(), StatusCode::resource_exhausted);
  EXPECT_LE(d.buffered_bytes(), kFrameHeaderSize);
  EXPECT_TRUE(out.empty());
}

TEST(Deframer, rejects_max_uint32_length_split_header) {
  Deframer d(1024);
  std::vector<Message> out;
  const std::string h = header(1, 0xFFFFFFFF);
  for (std::size_t i = 0; i + 1 < h.size(); ++i) ASSERT_TRUE(d.feed(h.substr(i, 1), out).ok());
  EXPECT_EQ(d.feed(h.substr(h.size() - 1), out).code(), StatusCode::resource_exhausted);
  EXPECT_LE(d.buffered_bytes(), kFrameHeaderSize);
}

TEST(Deframer, large_declared_length_buffers_only_received_bytes) {
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(header(0, kDefaultMaxMessageSize) + "0123456789", out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(d.buffered_bytes(), kFrameHeaderSize + 10);
  EXPECT_FALSE(d.at_message_boundary());
}

TEST(Deframer, large_message_at_default_limit_in_pieces) {
  const std::string payload(kDefaultMaxMessageSize, 'L');
  const std::string bytes = frame(payload);
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(feed_in_chunks(d, bytes, 16384, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, payload);
}

TEST(Deframer, stays_failed_after_error) {
  Deframer d(4);
  std::vector<Message> out;
  const Status first = d.feed(frame("too long"), out);
  ASSERT_EQ(first.code(), StatusCode::resource_exhausted);
  const Status second = d.feed(frame("ok"), out);
  EXPECT_EQ(second, first);
  EXPECT_TRUE(out.empty());
  d.set_max_message_size(1000);  // raising the limit does not revive it
  EXPECT_EQ(d.feed(frame("ok"), out), first);
  EXPECT_TRUE(out.empty());
}

TEST(Deframer, messages_before_bad_header_in_same_chunk_are_delivered) {
  Deframer d;
  std::vector<Message> out;
  Status st = d.feed(frame("good") + header(7, 0) + frame("after"), out);
  EXPECT_EQ(st.code(), StatusCode::internal);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "good");
}

TEST(Deframer, set_max_message_size_applies_to_next_header) {
  Deframer d(100);
  EXPECT_EQ(d.max_message_size(), 100u);
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(frame(std::string(50, 'a')), out).ok());
  d.set_max_message_size(10);
  EXPECT_EQ(d.max_message_size(), 10u);
  EXPECT_EQ(d.feed(frame(std::string(50, 'a')), out).code(), StatusCode::resource_exhausted);
  EXPECT_EQ(out.size(), 1u);
}

TEST(Deframer, zero_limit_allows_only_empty_messages) {
  Deframer d(0);
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(frame("") + frame(""), out).ok());
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(d.feed(frame("x"), out).code(), StatusCode::resource_exhausted);
}

TEST(Deframer, binary_payload_with_nul_bytes_is_exact) {
  const std::string payload("\0\x01\xff\0\x80", 5);
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(feed_in_chunks(d, frame(payload), 2, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, payload);
}

TEST(Deframer, header_alone_reserves_at_most_128_KiB) {
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(header(0, kDefaultMaxMessageSize), out).ok());
  EXPECT_GT(d.reserved_bytes(), 0u);
  EXPECT_LE(d.reserved_bytes(), 128u * 1024);
}

TEST(Deframer, payload_up_to_the_eager_limit_is_reserved_once) {
  const std::string payload(100000, 'e');
  const std::string bytes = frame(payload);
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(bytes.substr(0, kFrameHeaderSize + 1), out).ok());
  const std::size_t reserved = d.reserved_bytes();
  EXPECT_GE(reserved, payload.size());
  EXPECT_LE(reserved, payload.size() + 16 * 1024);  // rounded up for reuse, at most
  for (std::size_t pos = kFrameHeaderSize + 1; pos + 1 < bytes.size(); pos += 16384) {
    ASSERT_TRUE(d.feed(bytes.substr(pos, std::min<std::size_t>(16384, bytes.size() - 1 - pos)), out).ok());
    EXPECT_EQ(d.reserved_bytes(), reserved);  // never grown
  }
  ASSERT_TRUE(d.feed(bytes.substr(bytes.size() - 1), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, payload);
  EXPECT_EQ(d.reserved_bytes(), 0u);
}

TEST(Deframer, large_payload_is_enlarged_once_to_its_full_length) {
  // 1 MiB of protobuf bytes field plus its tag and length, as in the benchmark.
  std::string payload((1 << 20) + 4, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
  const std::string bytes = frame(payload);
  Deframer d;
  std::vector<Message> out;
  std::vector<std::size_t> sizes;
  for (std::size_t pos = 0; pos < bytes.size(); pos += 16384) {
    ASSERT_TRUE(d.feed(bytes.substr(pos, 16384), out).ok());
    if (d.reserved_bytes() && (sizes.empty() || sizes.back() != d.reserved_bytes())) {
      sizes.push_back(d.reserved_bytes());
    }
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, payload);
  ASSERT_EQ(sizes.size(), 2u);  // the eager part, then the full length
  EXPECT_LE(sizes[0], 128u * 1024);
  EXPECT_GE(sizes[1], payload.size());
  EXPECT_LE(sizes[1], payload.size() + 16 * 1024);  // rounded up for reuse, at most
}

TEST(Deframer, message_exactly_at_a_large_limit_with_split_header) {
  const std::size_t limit = 300000;
  const std::string payload(limit, 'x');
  const std::string bytes = frame(payload);
  Deframer d(limit);
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(bytes.substr(0, 2), out).ok());  // header split 2 + 3
  ASSERT_TRUE(d.feed(bytes.substr(2, 3), out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(feed_in_chunks(d, bytes.substr(5), 7000, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.size(), limit);
  EXPECT_TRUE(d.at_message_boundary());

  Deframer over(limit - 1);
  EXPECT_EQ(over.feed(bytes.substr(0, 5), out).code(), StatusCode::resource_exhausted);
  EXPECT_EQ(over.reserved_bytes(), 0u);  // refused before reserving
}

TEST(Deframer, zero_length_messages_between_large_ones) {
  const std::string a(200000, 'a'), b(150000, 'b');
  const std::string bytes = frame(a) + frame("") + frame("") + frame(b) + frame("");
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(feed_in_chunks(d, bytes, 12345, out).ok());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].payload, a);
  EXPECT_TRUE(out[1].payload.empty());
  EXPECT_TRUE(out[2].payload.empty());
  EXPECT_EQ(out[3].payload, b);
  EXPECT_TRUE(out[4].payload.empty());
  EXPECT_TRUE(d.at_message_boundary());
}

TEST(Deframer, a_partial_message_counts_at_its_declared_length) {
  const std::string payload(300000, 'p');
  const std::string bytes = frame(payload);
  Deframer d;
  std::vector<Message> out;
  EXPECT_EQ(d.partial_length(), 0u);
  ASSERT_TRUE(d.feed(bytes.substr(0, 3), out).ok());
  EXPECT_EQ(d.partial_length(), 0u);  // a header alone commits nothing yet
  ASSERT_TRUE(d.feed(bytes.substr(3, 100), out).ok());
  EXPECT_GE(d.partial_length(), payload.size());
  ASSERT_TRUE(d.feed(bytes.substr(103), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(d.partial_length(), 0u);
}

TEST(Deframer, abandon_drops_the_partial_message_and_fails_later_feeds) {
  const std::string bytes = frame(std::string(300000, 'p'));
  Deframer d;
  std::vector<Message> out;
  ASSERT_TRUE(d.feed(bytes.substr(0, 200000), out).ok());
  d.abandon(Status::resource_exhausted("budget"));
  EXPECT_EQ(d.partial_length(), 0u);
  EXPECT_EQ(d.reserved_bytes(), 0u);
  EXPECT_TRUE(d.at_message_boundary());
  EXPECT_EQ(d.feed(bytes.substr(200000), out).code(), StatusCode::resource_exhausted);
  EXPECT_TRUE(out.empty());
}

TEST(MessageQueue, bytes_follow_what_is_queued) {
  MessageQueue q;
  EXPECT_EQ(q.bytes(), 0u);
  Message big{false, std::string(100000, 'b')};
  const std::size_t big_cost = MessageQueue::cost(big);
  EXPECT_GE(big_cost, 100000u);
  q.push(std::move(big));
  for (int i = 0; i < 100; ++i) q.push(Message{});
  EXPECT_EQ(q.bytes(), big_cost + 100 * MessageQueue::cost(Message{}));
  EXPECT_EQ(q.pop().payload.size(), 100000u);
  EXPECT_EQ(q.bytes(), 100 * MessageQueue::cost(Message{}));
  while (!q.empty()) q.pop();
  EXPECT_EQ(q.bytes(), 0u);
}

}  // namespace
}  // namespace pronto::wire
