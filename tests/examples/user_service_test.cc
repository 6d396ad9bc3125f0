// tests/examples/user_service_test.cc — GetUserProfile end to end, and the
// auth and logging interceptors in front of it.
#include "auth_interceptor.h"
#include "seed_fixture.h"
#include "user_service.pronto.h"

namespace seed_test {
namespace {

namespace ex = pronto::examples;

ex::UserRequest user(std::string id) {
  ex::UserRequest r;
  r.set_user_id(std::move(id));
  return r;
}

using UserServiceTest = SeedFixture;

TEST_F(UserServiceTest, KnownUserHasTheSeededProfile) {
  ex::UserService::Stub stub(channel_);
  pronto::Result<ex::UserProfile> profile = stub.GetUserProfile(user("u_12345"), call());
  ASSERT_TRUE(profile.ok()) << profile.status().to_string();
  EXPECT_EQ(profile->user_id(), "u_12345");
  EXPECT_EQ(profile->username(), "ada");
  EXPECT_EQ(profile->email(), "ada@example.com");
  EXPECT_EQ(profile->created_at(), 1709251200);
}

TEST_F(UserServiceTest, UnknownUserIsNotFoundWithTheSeedMessage) {
  ex::UserService::Stub stub(channel_);
  pronto::Result<ex::UserProfile> profile = stub.GetUserProfile(user("u_404"), call());
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().code(), pronto::StatusCode::not_found);
  EXPECT_EQ(profile.status().message(), "User u_404 not found");
}

TEST_F(UserServiceTest, MissingOrShortTokenIsUnauthenticated) {
  ex::UserService::Stub stub(channel_);
  for (std::string token : {"", "short"}) {
    pronto::Result<ex::UserProfile> profile = stub.GetUserProfile(user("u_12345"), call(token));
    ASSERT_FALSE(profile.ok()) << "token '" << token << "'";
    EXPECT_EQ(profile.status().code(), pronto::StatusCode::unauthenticated);
    EXPECT_EQ(profile.status().message(), "Invalid or missing auth token");
  }
  // Not a bearer token at all.
  pronto::CallOptions basic = call("");
  basic.metadata.add("authorization", std::string("Basic ") + kToken);
  EXPECT_EQ(stub.GetUserProfile(user("u_12345"), basic).status().code(), pronto::StatusCode::unauthenticated);
}

TEST_F(UserServiceTest, ConfiguredTokenMustMatchExactly) {
  start({.token = "s3cret"});
  ex::UserService::Stub stub(channel_);
  EXPECT_TRUE(stub.GetUserProfile(user("u_001"), call("s3cret")).ok());
  EXPECT_EQ(stub.GetUserProfile(user("u_001"), call(kToken)).status().code(),
            pronto::StatusCode::unauthenticated);
}

TEST(AuthInterceptorTest, SeedRuleAndExpectedToken) {
  seed::AuthInterceptor seed_rule;
  EXPECT_TRUE(seed_rule.accepts(std::string("Bearer ") + kToken));
  EXPECT_FALSE(seed_rule.accepts("Bearer " + std::string(43, 'x')));  // exactly 50 characters
  EXPECT_TRUE(seed_rule.accepts("Bearer " + std::string(44, 'x')));   // 51
  EXPECT_FALSE(seed_rule.accepts("bearer " + std::string(60, 'x')));
  EXPECT_FALSE(seed_rule.accepts(""));

  seed::AuthInterceptor exact("s3cret");
  EXPECT_TRUE(exact.accepts("Bearer s3cret"));
  EXPECT_FALSE(exact.accepts("Bearer s3cret2"));
  EXPECT_FALSE(exact.accepts("s3cret"));
}

TEST_F(UserServiceTest, LoggingInterceptorSeesEveryCallIncludingRejectedOnes) {
  ex::UserService::Stub stub(channel_);
  ASSERT_TRUE(stub.GetUserProfile(user("u_001"), call()).ok());
  ASSERT_FALSE(stub.GetUserProfile(user("u_404"), call()).ok());
  ASSERT_FALSE(stub.GetUserProfile(user("u_001"), call("")).ok());
  // on_finish may run just after the client saw the status.
  EXPECT_TRUE(wait_until([&] { return app_->logging().calls() == 3; })) << app_->logging().calls();
}

TEST_F(UserServiceTest, CoroutineStubGivesTheSameAnswers) {
  ex::UserService::Stub stub(channel_);
  auto both = [&]() -> pronto::Task<std::pair<pronto::Status, std::string>> {
    pronto::Result<ex::UserProfile> missing = co_await stub.async().GetUserProfile(user("u_404"), call());
    pronto::Result<ex::UserProfile> found = co_await stub.async().GetUserProfile(user("u_002"), call());
    co_return std::make_pair(missing.status(), found ? found->username() : found.status().to_string());
  };
  auto [missing, name] = pronto::detail::block_on(both());
  EXPECT_EQ(missing.code(), pronto::StatusCode::not_found);
  EXPECT_EQ(name, "linus");
}

}  // namespace
}  // namespace seed_test
