#include "pronto/server.h"

#include "admin/admin_listener.h"
#include "metrics/prometheus.h"
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
      // 200 while the server runs, is not shutting down and its overall
      // health status ("") is SERVING (set_serving_status can take it out).
      [impl] { return impl->serving() && impl->health().get("") == ServingStatus::serving; });
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
  add_built_in_services(*impl_, built_ins_added_);  // nothing when start() came first
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
