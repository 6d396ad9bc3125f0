// pronto/health.h — serving statuses of the built-in health service
// (grpc.health.v1.Health; see Server::set_serving_status).
//
// A plain enumeration: no ownership or threading concerns. The values are
// those of grpc.health.v1.HealthCheckResponse.ServingStatus on the wire.
#pragma once

namespace pronto {

enum class ServingStatus {
  unknown = 0,
  serving = 1,
  not_serving = 2,
  service_unknown = 3,  // only sent by Watch, for a service it does not know
};

}  // namespace pronto
