#include "pronto/server.h"

#include "metrics/prometheus.h"
#include "server/server_impl.h"

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
Status Server::start() { return impl_->start(); }
std::vector<int> Server::ports() const { return impl_->ports(); }
int Server::port() const {
  for (int p : impl_->ports())
    if (p != 0) return p;
  return 0;
}
void Server::wait() { impl_->wait(); }
Status Server::run() { return impl_->run(); }
void Server::shutdown(std::chrono::milliseconds grace) { impl_->shutdown(grace); }

Server& Server::listen_admin(std::string address) {
  (void)address;  // TODO(admin): wired in the next commit
  return *this;
}
int Server::admin_port() const { return 0; }

std::string Server::metrics_text(MetricsFormat format) const {
  const metrics::Registry* m = impl_->metrics();
  return m ? metrics::to_prometheus(*m, format) : std::string();
}

}  // namespace pronto
