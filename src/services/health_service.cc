#include "services/health_service.h"

#include "grpc/health/v1/health.pronto.h"
#include "server/health_state.h"
#include "server/server_impl.h"
#include "transport/event_loop.h"

namespace pronto::detail {

namespace {

namespace pb = ::grpc::health::v1;

pb::HealthCheckResponse::ServingStatus to_proto(ServingStatus s) {
  switch (s) {
    case ServingStatus::serving:
      return pb::HealthCheckResponse::SERVING;
    case ServingStatus::not_serving:
      return pb::HealthCheckResponse::NOT_SERVING;
    case ServingStatus::service_unknown:
      return pb::HealthCheckResponse::SERVICE_UNKNOWN;
    case ServingStatus::unknown:
      break;
  }
  return pb::HealthCheckResponse::UNKNOWN;
}

pb::HealthCheckResponse response(ServingStatus s) {
  pb::HealthCheckResponse r;
  r.set_status(to_proto(s));
  return r;
}

Status check_name(const std::string& service) {
  if (service.size() <= HealthService::kMaxServiceName) return {};
  return Status::invalid_argument("service name longer than " +
                                  std::to_string(HealthService::kMaxServiceName) + " bytes");
}

class Health final : public pb::Health::Service {
 public:
  explicit Health(ServerImpl& server)
      : state_(&server.health()), max_watchers_(server.options().max_health_watchers) {}

  Task<Result<pb::HealthCheckResponse>> Check(ServerContext& ctx,
                                              const pb::HealthCheckRequest& req) override {
    if (Status st = check_name(req.service()); !st.ok()) co_return st;
    auto status = state_->get(req.service());
    if (!status) co_return Status::not_found("unknown service");
    co_return response(*status);
  }

  Task<Result<pb::HealthListResponse>> List(ServerContext& ctx, const pb::HealthListRequest& req) override {
    auto entries = state_->list();
    if (entries.size() > HealthService::kMaxListed) {
      co_return Status::resource_exhausted("server health list exceeds maximum capacity: " +
                                           std::to_string(HealthService::kMaxListed));
    }
    pb::HealthListResponse r;
    for (auto& [name, status] : entries) (*r.mutable_statuses())[name].set_status(to_proto(status));
    co_return r;
  }

  Task<Status> Watch(ServerContext& ctx, const pb::HealthCheckRequest& req,
                     ServerWriter<pb::HealthCheckResponse>& writer) override {
    if (Status st = check_name(req.service()); !st.ok()) co_return st;
    EventLoop* loop = EventLoop::current();
    if (loop == nullptr) co_return Status::internal("health Watch outside an event loop");
    HealthState::Registration watcher = state_->watch(req.service(), *loop, max_watchers_);
    if (!watcher) {
      co_return Status::resource_exhausted("too many health Watch streams (max " +
                                           std::to_string(max_watchers_) + ")");
    }
    ctx.on_cancel([w = watcher.shared()] { w->cancel(); });
    std::optional<ServingStatus> sent;
    for (;;) {
      HealthState::Watcher::Update u = co_await watcher->next();
      if (u.cancelled) co_return Status::cancelled();
      // Shutting down: NOT_SERVING for every name, known or not.
      const ServingStatus now = u.shutting_down ? ServingStatus::not_serving : u.status;
      if (now != sent) {
        sent = now;
        pb::HealthCheckResponse r = response(now);
        if (Status st = co_await writer.write(r); !st.ok()) co_return st;
      }
      if (u.shutting_down) co_return Status::unavailable("server shutting down");
    }
  }

 private:
  HealthState* state_;
  std::size_t max_watchers_;
};

}  // namespace

std::unique_ptr<Service> make_health_service(ServerImpl& server) { return std::make_unique<Health>(server); }

}  // namespace pronto::detail
