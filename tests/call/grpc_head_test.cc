// The gRPC <-> HTTP/2 head mapping: build and parse side by side, every edge.
#include "call/grpc_head.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace pronto::call {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields fields_of(const HeaderBlock& block) {
  Fields out;
  for (std::size_t i = 0; i < block.size(); ++i) out.emplace_back(block.name(i), block.value(i));
  return out;
}

struct ReadRequest {
  RequestHeadReader head;
  Metadata metadata;
  std::string path;
};
ReadRequest read_request(const Fields& fields) {
  ReadRequest r;
  for (const auto& [n, v] : fields)
    if (r.head.take(n, v, r.metadata) == RequestHeadReader::Field::path) r.path = v;
  return r;
}

Fields valid_request() {
  return {{":method", "POST"}, {":scheme", "http"}, {":path", "/p.S/M"}, {":authority", "h:1"},
          {"content-type", "application/grpc"}, {"te", "trailers"}};
}

TEST(ContentType, one_rule_for_both_sides) {
  EXPECT_TRUE(is_grpc_content_type("application/grpc"));
  EXPECT_TRUE(is_grpc_content_type("application/grpc+proto"));
  EXPECT_TRUE(is_grpc_content_type("application/grpc+json"));
  EXPECT_TRUE(is_grpc_content_type("application/grpc;charset=utf-8"));
  EXPECT_FALSE(is_grpc_content_type("application/grpcfoo"));
  EXPECT_FALSE(is_grpc_content_type("application/grpc-web"));
  EXPECT_FALSE(is_grpc_content_type("application/gr"));
  EXPECT_FALSE(is_grpc_content_type(""));
  EXPECT_FALSE(is_grpc_content_type("Application/grpc"));
  EXPECT_FALSE(is_grpc_content_type(" application/grpc"));
  EXPECT_FALSE(is_grpc_content_type("text/html"));
}

TEST(RequestHead, built_head_reads_back_the_same) {
  Metadata md{{"k", "v"}, {"blob-bin", std::string("\0\xff", 2)}};
  RequestHead head;
  head.scheme = "https";
  head.path = "/p.S/M";
  head.authority = "example.com:443";
  head.user_agent = "ua/1";
  head.timeout = std::chrono::milliseconds(1500);
  head.encoding = Compression::gzip;
  head.metadata = &md;
  HeaderBlock block;
  build_request_head(head, block);
  Fields f = fields_of(block);
  EXPECT_EQ(f[0], (std::pair<std::string, std::string>{":method", "POST"}));
  ReadRequest r = read_request(f);
  EXPECT_EQ(r.path, "/p.S/M");
  EXPECT_EQ(r.head.http_refusal(), 0);
  EXPECT_TRUE(r.head.error().ok()) << r.head.error().to_string();
  EXPECT_EQ(r.head.authority(), "example.com:443");
  EXPECT_EQ(r.head.encoding(), Compression::gzip);
  ASSERT_TRUE(r.head.timeout());
  EXPECT_EQ(*r.head.timeout(), std::chrono::milliseconds(1500));
  EXPECT_NE(r.head.accepted_encodings(), 0u);
  EXPECT_EQ(r.metadata.get("k"), "v");
  EXPECT_EQ(r.metadata.get("blob-bin"), std::string_view("\0\xff", 2));
  EXPECT_EQ(r.metadata.get("user-agent"), "ua/1");
}

TEST(RequestHead, without_deadline_or_metadata_nothing_extra_is_sent) {
  RequestHead head;
  head.scheme = "http";
  head.path = "/p.S/M";
  head.authority = "h";
  HeaderBlock block;
  build_request_head(head, block);
  for (const auto& [n, v] : fields_of(block)) {
    EXPECT_NE(n, "grpc-timeout");
    EXPECT_NE(n, "grpc-encoding");
    EXPECT_NE(n, "user-agent");
  }
}

TEST(RequestHead, refusals_are_http_statuses) {
  Fields get = valid_request();
  get[0].second = "GET";
  EXPECT_EQ(read_request(get).head.http_refusal(), 405);
  Fields no_type = valid_request();
  no_type.erase(no_type.begin() + 4);
  EXPECT_EQ(read_request(no_type).head.http_refusal(), 415);
  Fields foo = valid_request();
  foo[4].second = "application/grpcfoo";
  EXPECT_EQ(read_request(foo).head.http_refusal(), 415);
  Fields json = valid_request();
  json[4].second = "application/grpc+json";
  EXPECT_EQ(read_request(json).head.http_refusal(), 0);
}

TEST(RequestHead, field_errors_are_grpc_statuses) {
  auto with = [](std::string name, std::string value) {
    Fields f = valid_request();
    f.emplace_back(std::move(name), std::move(value));
    return read_request(f).head.error();
  };
  EXPECT_EQ(with("grpc-timeout", "1").code(), StatusCode::internal);
  EXPECT_EQ(with("grpc-timeout", "123456789S").code(), StatusCode::internal);  // 9 digits
  EXPECT_EQ(with("grpc-timeout", "10x").code(), StatusCode::internal);
  EXPECT_EQ(with("grpc-timeout", "-1S").code(), StatusCode::internal);
  EXPECT_TRUE(with("grpc-timeout", "99999999H").ok());
  EXPECT_EQ(with("grpc-encoding", "br").code(), StatusCode::unimplemented);
  EXPECT_TRUE(with("grpc-encoding", "identity").ok());
  EXPECT_EQ(with("bad key!", "v").code(), StatusCode::internal);
  EXPECT_EQ(with("x-bin", "!!!").code(), StatusCode::internal);
  EXPECT_EQ(with("x", std::string("a\x01", 2)).code(), StatusCode::internal);
  // The first error wins.
  Fields two = valid_request();
  two.emplace_back("grpc-encoding", "br");
  two.emplace_back("grpc-timeout", "x");
  EXPECT_EQ(read_request(two).head.error().code(), StatusCode::unimplemented);
}

TEST(RequestHead, protocol_fields_are_not_metadata) {
  Fields f = valid_request();
  f.emplace_back("grpc-accept-encoding", "gzip");
  f.emplace_back("grpc-timeout", "1S");
  ReadRequest r = read_request(f);
  EXPECT_TRUE(r.metadata.empty());
  EXPECT_EQ(r.path, "/p.S/M");
}

TEST(ResponseHead, head_and_trailers_read_back_the_same) {
  Metadata initial{{"i", "1"}};
  Metadata trailing{{"t", "2"}, {"t-bin", std::string("\x01\x02", 2)}};
  HeaderBlock head;
  build_response_head(Compression::deflate, &initial, head);
  HeaderBlock trailers;
  build_trailers(Status(StatusCode::not_found, "no such 100% thing", "det"), trailing, trailers);
  ResponseReader r;
  for (auto& [n, v] : fields_of(head)) r.take(n, v);
  EXPECT_FALSE(r.end_headers(false).has_value());
  EXPECT_EQ(r.encoding(), Compression::deflate);
  for (auto& [n, v] : fields_of(trailers)) r.take(n, v);
  Status st = r.end_trailers();
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_EQ(st.message(), "no such 100% thing");
  EXPECT_EQ(st.details(), "det");
  EXPECT_EQ(r.initial_metadata().get("i"), "1");
  EXPECT_EQ(r.trailing_metadata().get("t"), "2");
  EXPECT_EQ(r.trailing_metadata().get("t-bin"), std::string_view("\x01\x02", 2));
}

TEST(ResponseHead, trailers_only_carries_status_and_trailing_metadata) {
  Metadata trailing{{"t", "2"}};
  HeaderBlock block;
  build_response_head(Compression::identity, nullptr, block);
  build_trailers(Status::unavailable("later"), trailing, block);
  ResponseReader r;
  for (auto& [n, v] : fields_of(block)) r.take(n, v);
  auto st = r.end_headers(true);
  ASSERT_TRUE(st);
  EXPECT_EQ(*st, Status::unavailable("later"));
  EXPECT_EQ(r.trailing_metadata().get("t"), "2");
  EXPECT_TRUE(r.initial_metadata().empty());
}

TEST(ResponseHead, http_errors_without_grpc_status_map_per_protocol) {
  auto end_with = [](Fields f, bool end_stream) {
    ResponseReader r;
    for (auto& [n, v] : f) r.take(n, v);
    return r.end_headers(end_stream);
  };
  EXPECT_EQ(end_with({{":status", "503"}}, true)->code(), StatusCode::unavailable);
  EXPECT_EQ(end_with({{":status", "404"}, {"content-type", "application/grpc"}}, false)->code(),
            StatusCode::unimplemented);
  EXPECT_EQ(end_with({{":status", "401"}}, true)->code(), StatusCode::unauthenticated);
  EXPECT_EQ(end_with({{":status", "200"}}, true)->code(), StatusCode::internal);  // no grpc-status
  EXPECT_EQ(end_with({{":status", "2x0"}}, false)->code(), StatusCode::unknown);
  EXPECT_EQ(end_with({{":status", "200"}, {"content-type", "text/html"}}, false)->code(), StatusCode::unknown);
  EXPECT_EQ(end_with({{":status", "200"}, {"content-type", "application/grpcfoo"}}, false)->code(),
            StatusCode::unknown);
  EXPECT_EQ(
      end_with({{":status", "200"}, {"content-type", "application/grpc"}, {"grpc-encoding", "br"}}, false)->code(),
      StatusCode::internal);
  EXPECT_FALSE(end_with({{":status", "200"}, {"content-type", "application/grpc+proto"}}, false).has_value());
}

TEST(ResponseHead, malformed_status_fields) {
  auto trailers = [](Fields f) {
    ResponseReader r;
    r.take(":status", "200");
    r.take("content-type", "application/grpc");
    EXPECT_FALSE(r.end_headers(false));
    for (auto& [n, v] : f) r.take(n, v);
    return r.end_trailers();
  };
  EXPECT_EQ(trailers({{"grpc-status", "abc"}}).code(), StatusCode::unknown);
  EXPECT_EQ(trailers({{"grpc-status", "99"}}).code(), StatusCode::unknown);
  EXPECT_EQ(trailers({}).code(), StatusCode::internal);
  EXPECT_EQ(trailers({{"grpc-status", "0"}, {"grpc-message", "%zz%41"}}).ok(), true);
  // Metadata a server should not send is dropped, not fatal.
  Status st = trailers({{"grpc-status", "5"}, {"bad key", "v"}, {"x-bin", "!!"}});
  EXPECT_EQ(st.code(), StatusCode::not_found);
}

TEST(HeaderBudget, counts_as_hpack_and_has_two_limits) {
  HeaderBudget b;
  std::string v(1000, 'v');
  int n = 0;
  while (b.add("name", v) == HeaderBudget::Verdict::ok) ++n;
  EXPECT_EQ(n, static_cast<int>(kMaxHeaderBytes / (4 + 1000 + 32)));
  EXPECT_TRUE(b.over_soft());
  HeaderBudget::Verdict last{};
  for (int i = 0; i < 100; ++i) last = b.add("name", v);
  EXPECT_EQ(last, HeaderBudget::Verdict::over_hard);
}

}  // namespace
}  // namespace pronto::call
