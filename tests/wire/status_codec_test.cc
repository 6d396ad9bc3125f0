#include "wire/status_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace pronto::wire {
namespace {

constexpr std::string_view kNames[] = {
    "OK",        "CANCELLED",       "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS",  "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",    "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED",
};

TEST(StatusCodec, every_code_formats_as_its_number) {
  for (int i = 0; i <= 16; ++i) {
    EXPECT_EQ(format_status_code(static_cast<StatusCode>(i)), std::to_string(i));
  }
}

TEST(StatusCodec, every_code_parses_and_round_trips) {
  for (int i = 0; i <= 16; ++i) {
    const auto code = static_cast<StatusCode>(i);
    auto parsed = parse_status_code(std::to_string(i));
    ASSERT_TRUE(parsed.has_value()) << i;
    EXPECT_EQ(*parsed, code);
    EXPECT_EQ(parse_status_code(format_status_code(code)), code);
  }
}

TEST(StatusCodec, every_code_has_its_spec_name) {
  for (int i = 0; i <= 16; ++i) EXPECT_EQ(status_code_name(static_cast<StatusCode>(i)), kNames[i]) << i;
  EXPECT_EQ(status_code_name(static_cast<StatusCode>(17)), "UNKNOWN_CODE");
  EXPECT_EQ(status_code_name(static_cast<StatusCode>(255)), "UNKNOWN_CODE");
}

TEST(StatusCodec, named_constants_match_wire_values) {
  EXPECT_EQ(parse_status_code("0"), StatusCode::ok);
  EXPECT_EQ(parse_status_code("4"), StatusCode::deadline_exceeded);
  EXPECT_EQ(parse_status_code("8"), StatusCode::resource_exhausted);
  EXPECT_EQ(parse_status_code("12"), StatusCode::unimplemented);
  EXPECT_EQ(parse_status_code("13"), StatusCode::internal);
  EXPECT_EQ(parse_status_code("14"), StatusCode::unavailable);
  EXPECT_EQ(parse_status_code("16"), StatusCode::unauthenticated);
}

TEST(StatusCodec, rejects_anything_but_0_to_16) {
  for (std::string_view bad : {"", "17", "99", "100", "255", "256", "-1", "+1", "-0", " 1", "1 ", "00", "01",
                               "016", "1a", "a", "0x1", "1.0", "\xd9\xa1"}) {
    EXPECT_FALSE(parse_status_code(bad).has_value()) << "'" << bad << "'";
  }
  EXPECT_FALSE(parse_status_code(std::string_view("1\0", 2)).has_value());
}

TEST(StatusCodec, out_of_range_code_formats_as_unknown) {
  EXPECT_EQ(format_status_code(static_cast<StatusCode>(17)), "2");
  EXPECT_EQ(format_status_code(static_cast<StatusCode>(200)), "2");
}

TEST(StatusCodec, http_status_maps_per_spec) {
  EXPECT_EQ(status_from_http(400), StatusCode::internal);
  EXPECT_EQ(status_from_http(401), StatusCode::unauthenticated);
  EXPECT_EQ(status_from_http(403), StatusCode::permission_denied);
  EXPECT_EQ(status_from_http(404), StatusCode::unimplemented);
  EXPECT_EQ(status_from_http(429), StatusCode::unavailable);
  EXPECT_EQ(status_from_http(502), StatusCode::unavailable);
  EXPECT_EQ(status_from_http(503), StatusCode::unavailable);
  EXPECT_EQ(status_from_http(504), StatusCode::unavailable);
}

TEST(StatusCodec, other_http_statuses_map_to_unknown) {
  for (int http : {0, -1, 100, 200, 204, 301, 402, 405, 408, 418, 500, 501, 505, 599, 1000}) {
    EXPECT_EQ(status_from_http(http), StatusCode::unknown) << http;
  }
}

}  // namespace
}  // namespace pronto::wire
