#include "pronto/server.h"

#include "server/server_impl.h"
#include "services/health_service.h"
#include "services/reflection_index.h"
#include "services/reflection_service.h"

namespace pronto {
namespace {

// Server reflection (ServerOptions::reflection_service): both versions,
// added LAST so that the index covers every registered service, the other
// built-in ones and reflection itself included. A server that already has
// a service of that name (the user's own, or a second start()) keeps it.
void add_reflection(detail::ServerImpl& impl) {
  using detail::ReflectionService;
  if (!impl.options().reflection_service || impl.has_service(ReflectionService::v1_name) ||
      impl.has_service(ReflectionService::v1alpha_name)) {
    return;
  }
  auto v1 = std::make_unique<ReflectionService>(ReflectionService::Version::v1);
  auto v1alpha = std::make_unique<ReflectionService>(ReflectionService::Version::v1alpha);
  ReflectionService* v1_ptr = v1.get();
  ReflectionService* v1alpha_ptr = v1alpha.get();
  impl.add_owned_service(std::move(v1));
  impl.add_owned_service(std::move(v1alpha));
  auto index = std::make_shared<const detail::ReflectionIndex>(impl.services());
  v1_ptr->set_index(index);
  v1alpha_ptr->set_index(std::move(index));
}

// grpc.health.v1.Health (ServerOptions::health_service) and the health
// listener's service, unless the user added one of the same name (the
// user's wins, on the health listener too).
void add_health(detail::ServerImpl& impl) {
  const ServerOptions& o = impl.options();
  const bool user_health = impl.has_service(detail::HealthService::kName);
  if (o.health_service && !user_health) impl.add_owned_service(detail::make_health_service(impl));
  if (detail::ServerImpl* h = impl.health_listener()) {
    // The health listener serves the health service in any case: the
    // user's if there is one, else its own over this server's statuses.
    if (user_health) {
      h->add_service(*impl.find_service(detail::HealthService::kName));
    } else {
      h->add_owned_service(detail::make_health_service(impl));
    }
  }
}

// The built-in services the options ask for, before the server starts;
// once (start() then run() is allowed): `added` remembers.
void add_built_in_services(detail::ServerImpl& impl, bool& added) {
  if (added) return;
  added = true;
  add_health(impl);
  add_reflection(impl);  // last: its index covers the others
}

}  // namespace

Server::Server(ServerOptions options) : impl_(std::make_unique<detail::ServerImpl>(options)) {}
Server::~Server() = default;

Server& Server::add_service(Service& service) {
  impl_->add_service(service);
  return *this;
}
Server& Server::add_interceptor(std::shared_ptr<ServerInterceptor> interceptor) {
  impl_->add_interceptor(std::move(interceptor));
  return *this;
}
Server& Server::listen(std::string address) {
  impl_->add_listen_address(std::move(address));
  return *this;
}
Server& Server::listen(std::string address, TlsServerOptions tls) {
  impl_->add_listen_address(std::move(address), std::move(tls));
  return *this;
}
Server& Server::listen_health(std::string address) {
  impl_->health_listener(std::move(address));
  return *this;
}
void Server::set_serving_status(std::string_view service, ServingStatus status) {
  impl_->health().set(service, status);
}
ServingStatus Server::serving_status(std::string_view service) const {
  return impl_->health().get(service).value_or(ServingStatus::service_unknown);
}
int Server::health_port() const {
  detail::ServerImpl* h = impl_->health_listener();
  if (h == nullptr) return 0;
  for (int p : h->ports())
    if (p != 0) return p;
  return 0;
}

Status Server::start() {
  add_built_in_services(*impl_, built_ins_added_);
  return impl_->start();
}
std::vector<int> Server::ports() const { return impl_->ports(); }
int Server::port() const {
  for (int p : impl_->ports())
    if (p != 0) return p;
  return 0;
}
void Server::wait() { impl_->wait(); }
Status Server::run() {
  add_built_in_services(*impl_, built_ins_added_);  // nothing when start() came first
  return impl_->run();
}
void Server::shutdown(std::chrono::milliseconds grace) { impl_->shutdown(grace); }

}  // namespace pronto
