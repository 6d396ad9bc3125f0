// Result, Metadata and ClientContext promises of the public API (issue 9).
#include <gtest/gtest.h>

#include <string>

#include "pronto/pronto.h"

namespace pronto {
namespace {

struct User {
  std::string name;
};

TEST(Result, access_to_an_error_throws_bad_result_access_naming_the_status) {
  Result<User> r = Status::not_found("user u1 not found");
  try {
    (void)r->name;
    FAIL() << "no exception";
  } catch (const BadResultAccess& e) {
    EXPECT_STREQ(e.what(), "NOT_FOUND: user u1 not found");
    EXPECT_EQ(e.status().code(), StatusCode::not_found);
    EXPECT_EQ(e.status().message(), "user u1 not found");
  }
  EXPECT_THROW((void)*r, BadResultAccess);
  EXPECT_THROW((void)r.value(), BadResultAccess);
  EXPECT_THROW((void)std::move(r).value(), BadResultAccess);
  const Result<User>& cr = r;
  EXPECT_THROW((void)cr.value(), BadResultAccess);
  EXPECT_THROW((void)cr->name, BadResultAccess);
  // A std::exception, so generic handlers see the status too.
  try {
    (void)r.value();
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "NOT_FOUND: user u1 not found");
  }
}

TEST(Result, access_to_a_value_does_not_throw) {
  Result<User> r = User{"ada"};
  EXPECT_EQ(r->name, "ada");
  EXPECT_EQ((*r).name, "ada");
  EXPECT_EQ(std::move(r).value().name, "ada");
}

TEST(Metadata, keys_are_lower_cased_and_lookups_ignore_case) {
  Metadata md{{"X-Request-ID", "1"}, {"trace", "2"}};
  md.add("Authorization", "Bearer t");
  md.set("X-Mixed", "m");
  std::vector<std::string> keys;
  for (const auto& [k, v] : md) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"x-request-id", "trace", "authorization", "x-mixed"}));
  EXPECT_EQ(md.get("x-request-id"), "1");
  EXPECT_EQ(md.get("X-REQUEST-ID"), "1");
  EXPECT_TRUE(md.contains("AUTHORIZATION"));
  md.add("TRACE", "3");
  EXPECT_EQ(md.get_all("Trace"), (std::vector<std::string_view>{"2", "3"}));
  md.set("trace", "4");
  EXPECT_EQ(md.get_all("TRACE"), (std::vector<std::string_view>{"4"}));
  md.erase("X-Request-Id");
  EXPECT_FALSE(md.contains("x-request-id"));
  EXPECT_FALSE(md.contains("x-request-i"));
  EXPECT_TRUE(md.validate_for_send().ok());
  // Values keep their case.
  EXPECT_EQ(md.get("authorization"), "Bearer t");
}

TEST(ClientContext, is_cancelled_after_cancel) {
  ClientContext ctx;
  EXPECT_FALSE(ctx.is_cancelled());
  ctx.cancel();
  EXPECT_TRUE(ctx.is_cancelled());
}

}  // namespace
}  // namespace pronto
