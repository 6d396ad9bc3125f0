// Http1Reader: requests read from bytes however they are split, and the
// exact status for each kind of bad input.
#include "transport/http1_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pronto::detail {
namespace {

struct Fed {
  int status = 0;
  std::vector<Http1Request> requests;
};

Fed feed(std::string_view bytes, Http1Reader::Limits limits = {}, bool eof = false) {
  Http1Reader reader(limits);
  Fed f;
  f.status = reader.feed(bytes, f.requests);
  if (f.status == 0 && eof) f.status = reader.finish(f.requests);
  return f;
}

TEST(Http1Reader, reads_a_get_with_its_target_headers_and_query) {
  auto f = feed("GET /metrics?format=go&x=1 HTTP/1.1\r\nHost: a\r\nX-Two: b c\r\n\r\n");
  ASSERT_EQ(f.status, 0);
  ASSERT_EQ(f.requests.size(), 1u);
  const auto& r = f.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/metrics?format=go&x=1");
  EXPECT_EQ(r.path(), "/metrics");
  EXPECT_EQ(r.query_param("format"), "go");
  EXPECT_EQ(r.query_param("x"), "1");
  EXPECT_EQ(r.query_param("y"), "");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[1].first, "X-Two");
  EXPECT_EQ(r.headers[1].second, "b c");
  EXPECT_TRUE(r.keep_alive);
}

TEST(Http1Reader, a_request_split_byte_by_byte_is_the_same_request) {
  const std::string bytes = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  Http1Reader reader({});
  std::vector<Http1Request> out;
  for (char c : bytes) ASSERT_EQ(reader.feed(std::string_view(&c, 1), out), 0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].method, "POST");
  EXPECT_EQ(out[0].body, "hello");
  EXPECT_EQ(out[0].headers[0].first, "Host");
  EXPECT_FALSE(reader.in_request());
}

TEST(Http1Reader, an_empty_read_is_not_the_end_of_the_input) {
  // libhttp-parser takes a zero-length buffer as EOF (http1_reader_fuzz).
  Http1Reader reader({});
  std::vector<Http1Request> out;
  ASSERT_EQ(reader.feed("GET /a HT", out), 0);
  ASSERT_EQ(reader.feed("", out), 0);
  ASSERT_EQ(reader.feed("TP/1.1\r\n\r\n", out), 0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].target, "/a");
}

TEST(Http1Reader, pipelined_requests_come_out_in_order) {
  auto f = feed(
      "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nContent-Length: 1\r\n\r\nzGET /d "
      "HTTP/1.1\r\n\r\n");
  ASSERT_EQ(f.status, 0);
  ASSERT_EQ(f.requests.size(), 4u);
  EXPECT_EQ(f.requests[0].target, "/a");
  EXPECT_EQ(f.requests[1].target, "/b");
  EXPECT_EQ(f.requests[2].target, "/c");
  EXPECT_EQ(f.requests[2].body, "z");
  EXPECT_EQ(f.requests[3].target, "/d");
}

TEST(Http1Reader, chunked_bodies_are_reassembled) {
  auto f = feed("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_EQ(f.status, 0);
  ASSERT_EQ(f.requests.size(), 1u);
  EXPECT_EQ(f.requests[0].body, "abcde");
}

TEST(Http1Reader, connection_close_and_http10_end_the_connection_after_the_request) {
  auto f = feed("GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(f.status, 0);
  ASSERT_EQ(f.requests.size(), 1u);  // nothing after a last request is read
  EXPECT_FALSE(f.requests[0].keep_alive);
  auto f10 = feed("GET /a HTTP/1.0\r\n\r\n");
  ASSERT_EQ(f10.requests.size(), 1u);
  EXPECT_FALSE(f10.requests[0].keep_alive);
  auto f10ka = feed("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_EQ(f10ka.requests.size(), 1u);
  EXPECT_TRUE(f10ka.requests[0].keep_alive);
}

TEST(Http1Reader, the_request_limit_closes_after_the_last_allowed) {
  auto f = feed("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n", {.max_requests = 2});
  ASSERT_EQ(f.status, 0);
  ASSERT_EQ(f.requests.size(), 2u);
  EXPECT_TRUE(f.requests[0].keep_alive);
  EXPECT_FALSE(f.requests[1].keep_alive);
}

TEST(Http1Reader, malformed_input_is_400) {
  EXPECT_EQ(feed("GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(feed("GET / HTTP/1.1\r\nBad Header\r\n\r\n").status, 400);
  EXPECT_EQ(feed("GET /\x01 HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(feed("G@T / HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(feed(std::string_view("GET / HTTP/1.1\r\nA: \0b\r\n\r\n", 25)).status, 400);
  // A response where a request belongs: out of order.
  EXPECT_EQ(feed("HTTP/1.1 200 OK\r\n\r\n").status, 400);
  // Request smuggling shapes.
  EXPECT_EQ(
      feed("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").status,
      400);
  EXPECT_EQ(feed("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").status, 400);
  EXPECT_EQ(feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").status, 400);
}

TEST(Http1Reader, requests_before_the_error_are_still_returned) {
  auto f = feed("GET /ok HTTP/1.1\r\n\r\nBROKEN\r\n\r\n");
  EXPECT_EQ(f.status, 400);
  ASSERT_EQ(f.requests.size(), 1u);
  EXPECT_EQ(f.requests[0].target, "/ok");
}

TEST(Http1Reader, an_oversize_head_is_431_and_a_head_at_the_limit_is_fine) {
  const Http1Reader::Limits limits{.max_header_size = 100};
  // target (1) + header (name 1 + value v + 4)
  const std::string at_limit = "GET / HTTP/1.1\r\nA: " + std::string(94, 'v') + "\r\n\r\n";
  EXPECT_EQ(feed(at_limit, limits).status, 0);
  const std::string over = "GET / HTTP/1.1\r\nA: " + std::string(95, 'v') + "\r\n\r\n";
  EXPECT_EQ(feed(over, limits).status, 431);
  EXPECT_EQ(feed("GET /" + std::string(200, 'p') + " HTTP/1.1\r\n\r\n", limits).status, 431);
  // Many small headers add up.
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 30; ++i) many += "H: v\r\n";
  EXPECT_EQ(feed(many + "\r\n", limits).status, 431);
}

TEST(Http1Reader, an_oversize_head_sent_in_pieces_is_431_before_it_ends) {
  Http1Reader reader({.max_header_size = 1000});
  std::vector<Http1Request> out;
  ASSERT_EQ(reader.feed("GET / HTTP/1.1\r\nX: ", out), 0);
  int status = 0;
  for (int i = 0; i < 200 && status == 0; ++i) status = reader.feed("vvvvvvvvvv", out);
  EXPECT_EQ(status, 431);
  EXPECT_TRUE(reader.done());
}

TEST(Http1Reader, an_oversize_body_is_413) {
  const Http1Reader::Limits limits{.max_body_size = 10};
  EXPECT_EQ(feed("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits).status, 413);
  EXPECT_EQ(feed("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", limits).status, 0);
  EXPECT_EQ(
      feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n",
           limits)
          .status,
      413);
}

TEST(Http1Reader, http2_and_other_major_versions_are_505) {
  auto f2 = feed("GET / HTTP/2.0\r\n\r\n");
  EXPECT_EQ(f2.status, 505);
  EXPECT_TRUE(f2.requests.empty());
  // The HTTP/2 preface is not an HTTP/1.1 request.
  EXPECT_NE(feed("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").status, 0);
}

TEST(Http1Reader, a_truncated_request_is_400_at_eof_and_a_clean_end_is_0) {
  EXPECT_EQ(feed("GET / HTTP/1.1\r\nHost: a\r\n", {}, true).status, 400);
  EXPECT_EQ(feed("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", {}, true).status, 400);
  EXPECT_EQ(feed("GET / HTTP/1.1\r\n\r\n", {}, true).status, 0);
  EXPECT_EQ(feed("", {}, true).status, 0);
  Http1Reader reader({});
  std::vector<Http1Request> out;
  EXPECT_FALSE(reader.in_request());
  ASSERT_EQ(reader.feed("GE", out), 0);
  EXPECT_TRUE(reader.in_request());
}

TEST(Http1Reader, after_an_error_nothing_more_is_read) {
  Http1Reader reader({});
  std::vector<Http1Request> out;
  EXPECT_EQ(reader.feed("BAD\r\n\r\n", out), 400);
  EXPECT_EQ(reader.feed("GET / HTTP/1.1\r\n\r\n", out), 400);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace pronto::detail
