// End-to-end compression: grpc-encoding both ways, per-message choice.
#include <gtest/gtest.h>

#include "echo_service.h"

namespace pronto::test {
namespace {

EchoRequest request(std::string message) {
  EchoRequest r;
  r.set_message(std::move(message));
  return r;
}

class CompressionE2E : public ::testing::TestWithParam<Compression> {
 protected:
  EchoServer server_;
  Echo::Stub stub_{Channel::create(server_.target())};
};

TEST_P(CompressionE2E, compressed_request_arrives_compressed_and_intact) {
  auto req = request(std::string(10000, 'c'));
  auto r = stub_.Unary(req, {.compression = GetParam()});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), req.message());
  EXPECT_TRUE(r->request_was_compressed());
}

TEST_P(CompressionE2E, compressed_response_round_trips) {
  auto req = request("x");
  req.set_compress_response(static_cast<int>(GetParam()));
  req.set_response_size(100000);
  auto r = stub_.Unary(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->payload(), std::string(100000, 'p'));
}

TEST_P(CompressionE2E, server_stream_mixes_compressed_and_plain_messages) {
  auto req = request("s");
  req.set_count(10);
  req.set_response_size(5000);
  req.set_compress_response(static_cast<int>(GetParam()));
  req.set_uncompressed_every_other(true);
  auto stream = stub_.ServerStream(req);
  int n = 0;
  for (const auto& r : stream) {
    EXPECT_EQ(r.payload().size(), 5000u);
    ++n;
  }
  EXPECT_EQ(n, 10);
  EXPECT_TRUE(stream.status().ok());
}

TEST_P(CompressionE2E, client_stream_sends_some_messages_uncompressed) {
  auto writer = stub_.ClientStream({.compression = GetParam()});
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(writer.write(request("m"), /*compress=*/i % 2 == 0));
  auto r = writer.finish();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->index(), 10);
  EXPECT_EQ(r->deadline_ms(), 5);  // the service counts compressed arrivals here
}

TEST_P(CompressionE2E, decompressed_size_is_held_to_the_receive_limit) {
  EchoServer small({.event_loops = 1, .max_receive_message_size = 1024});
  Echo::Stub stub(Channel::create(small.target()));
  auto req = request(std::string(64 * 1024, 'z'));  // compresses to well under 1 KiB
  auto r = stub.Unary(req, {.compression = GetParam()});
  EXPECT_EQ(r.status().code(), StatusCode::resource_exhausted) << r.status().to_string();
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CompressionE2E, ::testing::Values(Compression::gzip, Compression::deflate),
                         [](const auto& info) { return info.param == Compression::gzip ? "gzip" : "deflate"; });

}  // namespace
}  // namespace pronto::test
