#include "pronto/server.h"

#include "admin/admin_listener.h"
#include "metrics/prometheus.h"
#include "server/server_impl.h"

namespace pronto {

Server::Server(ServerOptions options) : impl_(std::make_unique<detail::ServerImpl>(options)) {}
Server::~Server() {
  // The server first (healthz answers 503 while it shuts down), then the
  // admin listener, whose callbacks read it.
  impl_->shutdown(std::chrono::milliseconds(0));
  stop_admin();
}

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
Status Server::start() {
  if (Status st = impl_->start(); !st.ok()) return st;
  if (Status st = start_admin(); !st.ok()) {
    impl_->shutdown(std::chrono::milliseconds(0));
    return st;
  }
  return {};
}

Status Server::start_admin() {
  if (admin_address_.empty() || admin_) return {};
  const ServerOptions& o = impl_->options();
  detail::AdminListener::Options options{.format = o.metrics_format,
                                         .header_timeout = o.admin_header_timeout,
                                         .max_connections = o.admin_max_connections,
                                         .max_header_size = o.admin_max_header_size,
                                         .max_requests = o.admin_max_requests};
  detail::ServerImpl* impl = impl_.get();
  auto admin = std::make_unique<detail::AdminListener>(
      options, [impl](MetricsFormat f) {
        const metrics::Registry* m = impl->metrics();
        return m ? metrics::to_prometheus(*m, f) : std::string();
      },
      // TODO(health): also require Server::serving_status() == SERVING once
      // the health service adds it.
      [impl] { return impl->serving(); });
  if (Status st = admin->start(admin_address_); !st.ok()) return st;
  admin_ = std::move(admin);
  return {};
}

void Server::stop_admin() {
  if (admin_) admin_->stop();
}

Server& Server::listen_admin(std::string address) {
  admin_address_ = std::move(address);
  return *this;
}
int Server::admin_port() const { return admin_ ? admin_->port() : 0; }
std::vector<int> Server::ports() const { return impl_->ports(); }
int Server::port() const {
  for (int p : impl_->ports())
    if (p != 0) return p;
  return 0;
}
void Server::wait() { impl_->wait(); }
Status Server::run() {
  if (!admin_address_.empty() && !admin_) {
    if (Status st = start(); !st.ok()) return st;
  }
  Status st = impl_->run();
  stop_admin();
  return st;
}
void Server::shutdown(std::chrono::milliseconds grace) { impl_->shutdown(grace); }

std::string Server::metrics_text(MetricsFormat format) const {
  const metrics::Registry* m = impl_->metrics();
  return m ? metrics::to_prometheus(*m, format) : std::string();
}

}  // namespace pronto
