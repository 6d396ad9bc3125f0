// seed/auth_interceptor.cc — bearer-token check on every call.
#include "auth_interceptor.h"

namespace seed {

namespace {
constexpr std::string_view kBearer = "Bearer ";
constexpr std::size_t kSeedMinLength = 50;  // the seed: len(token) > 50

// Health checks and reflection go through without a token.
bool exempt(std::string_view method) {
  return method.starts_with("/grpc.health.v1.Health/") || method.starts_with("/grpc.reflection.v1.") ||
         method.starts_with("/grpc.reflection.v1alpha.");
}
}  // namespace

bool AuthInterceptor::accepts(std::string_view authorization) const {
  if (authorization.substr(0, kBearer.size()) != kBearer) return false;
  if (!expected_token_.empty()) return authorization.substr(kBearer.size()) == expected_token_;
  return authorization.size() > kSeedMinLength;
}

pronto::Status AuthInterceptor::on_start(pronto::ServerContext& ctx) {
  if (exempt(ctx.method())) return {};
  std::optional<std::string_view> value = ctx.client_metadata().get("authorization");
  if (!value || !accepts(*value)) return pronto::Status::unauthenticated("Invalid or missing auth token");
  return {};
}

}  // namespace seed
