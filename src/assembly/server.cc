#include "pronto/server.h"

#include "server/server_impl.h"
#include "services/health_service.h"

namespace pronto {

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
  // Built-in services, unless the user added one of the same name (the
  // user's wins). Added once: a second start() fails anyway.
  if (!built_ins_added_) {
    built_ins_added_ = true;
    const ServerOptions& o = impl_->options();
    const bool user_health = impl_->has_service(detail::HealthService::kName);
    if (o.health_service && !user_health) impl_->add_owned_service(detail::make_health_service(*impl_));
    if (detail::ServerImpl* h = impl_->health_listener()) {
      // The health listener serves the health service in any case: the
      // user's if there is one, else its own over this server's statuses.
      if (user_health) {
        h->add_service(*impl_->find_service(detail::HealthService::kName));
      } else {
        h->add_owned_service(detail::make_health_service(*impl_));
      }
    }
  }
  return impl_->start();
}
std::vector<int> Server::ports() const { return impl_->ports(); }
int Server::port() const {
  for (int p : impl_->ports())
    if (p != 0) return p;
  return 0;
}
void Server::wait() { impl_->wait(); }
Status Server::run() { return impl_->run(); }
void Server::shutdown(std::chrono::milliseconds grace) { impl_->shutdown(grace); }

}  // namespace pronto
