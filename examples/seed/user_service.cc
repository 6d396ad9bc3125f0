// seed/user_service.cc — the seed's GetUserProfile, as a coroutine.
#include "user_service.h"

namespace seed {

using pronto::examples::UserProfile;

pronto::Task<pronto::Result<UserProfile>> UserServiceImpl::GetUserProfile(
    pronto::ServerContext& ctx, const pronto::examples::UserRequest& request) {
  // SQLite blocks: run it on the pool, resume here on the loop.
  std::optional<UserRow> row = co_await ctx.blocking([&] { return store_.find_user(request.user_id()); });
  if (!row) co_return pronto::Status::not_found("User " + request.user_id() + " not found");

  UserProfile profile;
  profile.set_user_id(row->id);
  profile.set_username(row->username);
  profile.set_email(row->email);
  profile.set_created_at(row->created_at);
  co_return profile;
}

}  // namespace seed
