// services/health_service.h — the built-in grpc.health.v1.Health service
// (Check, Watch, List of gRPC proposal A90) over a server's HealthState.
//
//   Check(service)  the status; NOT_FOUND for a name without an entry.
//   Watch(service)  the current status at once (SERVICE_UNKNOWN for a name
//                   without an entry: the stream stays open), then every
//                   change. When the server begins shutting down it sends
//                   NOT_SERVING and ends with UNAVAILABLE at once (so an
//                   open Watch does not hold the shutdown's grace period).
//                   At most ServerOptions::max_health_watchers streams per
//                   server; past it RESOURCE_EXHAUSTED.
//   List()          every entry; RESOURCE_EXHAUSTED past kMaxListed (A90).
// A service name longer than kMaxServiceName bytes is INVALID_ARGUMENT; a
// request that does not parse is INTERNAL (as for any pronto method).
//
// Ownership: made by the assembly layer and owned by the server it is added
// to (ServerImpl::add_owned_service); it refers to the HealthState and the
// options of the ServerImpl given to make_health_service, which must outlive
// it (a health listener's service refers to its parent server).
// Threading: called from every loop at once; all state is in HealthState.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "pronto/service.h"

namespace pronto::detail {

class ServerImpl;

struct HealthService {
  static constexpr std::string_view kName = "grpc.health.v1.Health";
  // Longest service name accepted (bytes). Real names are far shorter; this
  // keeps a hostile name from being stored as a watcher key.
  static constexpr std::size_t kMaxServiceName = 1024;
  // Entries List answers with at most (A90's suggested bound).
  static constexpr std::size_t kMaxListed = 100;
};

// A health service reporting `server`'s HealthState.
std::unique_ptr<Service> make_health_service(ServerImpl& server);

}  // namespace pronto::detail
