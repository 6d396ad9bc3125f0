// pronto/interceptor.h — middleware on both sides of a call.
//
// Interceptors run in the order they were added: on_start in order, on_finish
// in reverse order, and on_finish only for interceptors whose on_start ran.
// Ownership: servers and channels hold interceptors by shared_ptr; one
// interceptor object serves every call, so per-call state belongs in the
// context (e.g. ServerContext::start_time()).
// Threading: server interceptors run on the call's event loop (many loops may
// call one interceptor at once: keep shared state thread-safe). Client
// interceptors run on the thread that starts the call (on_start) and on the
// channel's loop (on_finish).
#pragma once

#include <chrono>
#include <string>

#include "pronto/metadata.h"
#include "pronto/server_context.h"
#include "pronto/status.h"

namespace pronto {

class ServerInterceptor {
 public:
  virtual ~ServerInterceptor() = default;
  // Before the handler. The context shows method, metadata, deadline and peer;
  // add response metadata through it. A non-OK return rejects the call with
  // that status and the handler never runs.
  virtual Status on_start(ServerContext& /*ctx*/) { return {}; }
  // After the call ended, with the status sent to the client.
  virtual void on_finish(ServerContext& /*ctx*/, const Status& /*status*/) {}
};

// What a client interceptor sees of a call.
struct ClientCallInfo {
  std::string method;                  // "/package.Service/Method"
  Metadata& metadata;                  // outgoing; interceptors may add to it
  std::optional<Deadline> deadline;    // effective deadline, if any
  Clock::time_point start_time;
};

class ClientInterceptor {
 public:
  virtual ~ClientInterceptor() = default;
  // Before anything is sent. A non-OK return fails the call with that status
  // without touching the network.
  virtual Status on_start(ClientCallInfo& /*call*/) { return {}; }
  // When the call's status is known (after the trailers, or a local failure).
  virtual void on_finish(const ClientCallInfo& /*call*/, const Status& /*status*/) {}
};

}  // namespace pronto
