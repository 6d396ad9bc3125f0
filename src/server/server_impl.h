// server/server_impl.h — what a pronto::Server is made of: event loops,
// listeners, the router, interceptors, the blocking pool, and shutdown.
//
// Ownership: owned by pronto::Server. Services and interceptors are the
// user's (interceptors shared). Connections are tracked weakly.
// Threading: configured on the user's thread before start(); afterwards
// the loops run connections, and shutdown() may come from any thread.
#pragma once

#include <cstddef>  // before asio: see transport/event_loop.h

#include <asio/generic/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "h2/session.h"
#include "server/health_state.h"
#include "metrics/registry.h"
#include "transport/byte_stream.h"
#include "pronto/server.h"
#include "transport/event_loop.h"
#include "transport/memory_budget.h"

namespace pronto::detail {

class ServerConnection;
class ByteStream;
class InProcessAcceptor;

class ServerImpl {
 public:
  explicit ServerImpl(ServerOptions options);
  ~ServerImpl();

  void add_service(Service& service) { services_.push_back(&service); }
  // Registers a service the server owns (built-in services). Before start().
  void add_owned_service(std::unique_ptr<Service> service);
  bool has_service(std::string_view name) const;
  // The service of that name (the user's or owned), or nullptr.
  Service* find_service(std::string_view name) const;
  // Every registered service, the user's and the owned ones, in
  // registration order (what server reflection lists). Before start().
  std::vector<const Service*> services() const { return {services_.begin(), services_.end()}; }
  void add_interceptor(std::shared_ptr<ServerInterceptor> interceptor) {
    interceptors_.push_back(std::move(interceptor));
  }
  void add_listen_address(std::string address, std::optional<TlsServerOptions> tls = std::nullopt) {
    addresses_.push_back({std::move(address), std::move(tls)});
  }
  Status start();
  std::vector<int> ports() const { return ports_; }

  // Health (server/health_state.h): the status of each service, for the
  // health service and Server::set_serving_status.
  HealthState& health() noexcept { return health_; }
  // A second, plaintext server that serves only what is added to it (the
  // health service): started by start() after this one's listeners, shut
  // down with it (its watchers see NOT_SERVING at the same moment). Made on
  // first call; before start().
  ServerImpl& health_listener(std::string address);
  ServerImpl* health_listener() noexcept { return health_listener_.get(); }

  void wait();
  void shutdown(std::chrono::milliseconds grace);
  // start(); then, with options().handle_signals, SIGINT/SIGTERM start a
  // graceful shutdown (a second one ends the grace period at once); returns
  // once the server has stopped, however it was shut down.
  Status run();
  // Started, and neither shutting down nor stopped (GET /healthz).
  bool serving();

  // For calls and connections.
  const Service::Method* find_method(std::string_view path) const;
  const std::vector<std::shared_ptr<ServerInterceptor>>& interceptors() const noexcept { return interceptors_; }
  const ServerOptions& options() const noexcept { return options_; }
  const h2::SessionSettings& session_settings() const noexcept { return settings_; }
  // options().max_send_message_size, at most what a gRPC frame can say.
  std::size_t max_send_message_size() const noexcept { return max_send_message_size_; }
  asio::thread_pool& blocking_pool() noexcept { return *pool_; }
  SharedMemoryBudget& memory_budget() noexcept { return memory_; }
  // The call metrics (null with ServerOptions::metrics off).
  metrics::Registry* metrics() const noexcept { return metrics_.get(); }
  void connection_gone();

  // In-process channels (server/in_process.cc). The channel's side of a
  // new in-memory connection to this server, whose side runs on one of the
  // loops like an accepted socket; UNAVAILABLE once shutting down.
  Result<std::unique_ptr<ByteStream>> accept_in_process(EventLoop& client_loop);
  // What an in-process channel connects through (transport/byte_stream.h);
  // marks the server as served in process (start() then needs no listen()).
  StreamConnector in_process_connector();
  // An in-process channel was made (before or after start()): the server is
  // reachable without any listen().
  bool serves_in_process() const noexcept { return in_process_requested_; }

 private:
  struct Listener;
  Status start_listeners();
  // Undoes a start() that failed half-way: nothing is left running.
  void abandon_start();
  void accept_next(Listener& listener);
  // Ends the grace period of a shutdown in progress.
  void cut_grace();
  void shutdown_now(std::chrono::milliseconds grace);
  EventLoop& next_loop();
  // Every 250 ms on the first loop: gives memory freed after a burst back
  // to the system.
  void schedule_housekeeping();
  // In-process channels connect between start() and shutdown.
  static std::shared_ptr<InProcessAcceptor> make_in_process_acceptor();
  void open_in_process(bool open);

  ServerOptions options_;
  h2::SessionSettings settings_;
  std::size_t max_send_message_size_;
  // Before the loops: connections give their share back when destroyed.
  SharedMemoryBudget memory_;
  // Before the loops: calls record into it until the loops stop.
  std::unique_ptr<metrics::Registry> metrics_;
  struct ListenAddress {
    std::string address;
    std::optional<TlsServerOptions> tls;
  };
  std::vector<ListenAddress> addresses_;
  std::vector<int> ports_;
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Service*> services_;
  std::vector<std::unique_ptr<Service>> owned_services_;  // also in services_
  // Built by start() from services_.
  std::unordered_map<std::string, const Service::Method*, StringHash, std::equal_to<>> methods_;
  std::vector<std::shared_ptr<ServerInterceptor>> interceptors_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::unique_ptr<Listener>> listeners_;  // after loops_: their timers die first
  std::unique_ptr<asio::steady_timer> housekeeping_;   // on loops_[0], so after loops_ too
  std::unique_ptr<asio::thread_pool> pool_;
  std::atomic<unsigned> next_loop_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::weak_ptr<ServerConnection>> connections_;  // guarded by mu_
  std::size_t live_connections_ = 0;                          // guarded by mu_
  bool started_ = false;
  bool shutting_down_ = false;  // guarded by mu_
  bool stopped_ = false;        // guarded by mu_
  // Shared with in-process channels, which may outlive the server.
  std::shared_ptr<InProcessAcceptor> inproc_ = make_in_process_acceptor();
  std::atomic<bool> in_process_requested_{false};
  bool cut_grace_ = false;      // guarded by mu_
  int run_wake_fd_ = -1;        // guarded by mu_: run()'s pipe, told when stopped
  HealthState health_;
  // After health_: its calls watch health_ (of this server) until they end.
  std::unique_ptr<ServerImpl> health_listener_;
};

}  // namespace pronto::detail
