// seed/auth_interceptor.h — the seed's AuthInterceptor: a call goes through
// only with `authorization: Bearer <token>` metadata and a token the server
// accepts; otherwise it fails with UNAUTHENTICATED "Invalid or missing auth
// token" before any handler runs. The operator's services are exempt:
// grpc.health.v1.Health (Kubernetes and load-balancer probes send no token)
// and server reflection (it lists what the server offers, no data).
//
// Which tokens are accepted:
//   - with an expected token (seed-server --token=T): exactly "Bearer T";
//   - without one: the seed's rule, any value that starts with "Bearer " and
//     is longer than 50 characters in all (so a token of 44+ characters).
//
// Ownership: holds a copy of the expected token. Threading: immutable after
// construction, so any number of event loops may call it at once.
#pragma once

#include <string>
#include <string_view>

#include "pronto/interceptor.h"

namespace seed {

class AuthInterceptor final : public pronto::ServerInterceptor {
 public:
  explicit AuthInterceptor(std::string expected_token = {}) : expected_token_(std::move(expected_token)) {}

  pronto::Status on_start(pronto::ServerContext& ctx) override;

  // True when the value of an `authorization` header would be let through.
  bool accepts(std::string_view authorization) const;

 private:
  std::string expected_token_;
};

}  // namespace seed
