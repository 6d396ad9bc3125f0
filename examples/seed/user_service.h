// seed/user_service.h — UserService.GetUserProfile (unary): one user from
// SQLite, NOT_FOUND "User <id> not found" for an unknown id.
//
// Ownership: borrows the Store, which must outlive the service.
// Threading: the handler runs on the call's event loop; the SQLite lookup
// runs on the server's blocking pool via ctx.blocking().
#pragma once

#include "store.h"
#include "user_service.pronto.h"

namespace seed {

class UserServiceImpl final : public pronto::examples::UserService::Service {
 public:
  explicit UserServiceImpl(Store& store) : store_(store) {}

  pronto::Task<pronto::Result<pronto::examples::UserProfile>> GetUserProfile(
      pronto::ServerContext& ctx, const pronto::examples::UserRequest& request) override;

 private:
  Store& store_;
};

}  // namespace seed
