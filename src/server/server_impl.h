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
  void add_interceptor(std::shared_ptr<ServerInterceptor> interceptor) {
    interceptors_.push_back(std::move(interceptor));
  }
  void add_listen_address(std::string address, std::optional<TlsServerOptions> tls = std::nullopt) {
    addresses_.push_back({std::move(address), std::move(tls)});
  }
  Status start();
  std::vector<int> ports() const { return ports_; }
  void wait();
  void shutdown(std::chrono::milliseconds grace);
  // start(); then, with options().handle_signals, SIGINT/SIGTERM start a
  // graceful shutdown (a second one ends the grace period at once); returns
  // once the server has stopped, however it was shut down.
  Status run();

  // For calls and connections.
  const Service::Method* find_method(std::string_view path) const;
  const std::vector<std::shared_ptr<ServerInterceptor>>& interceptors() const noexcept { return interceptors_; }
  const ServerOptions& options() const noexcept { return options_; }
  const h2::SessionSettings& session_settings() const noexcept { return settings_; }
  // options().max_send_message_size, at most what a gRPC frame can say.
  std::size_t max_send_message_size() const noexcept { return max_send_message_size_; }
  asio::thread_pool& blocking_pool() noexcept { return *pool_; }
  SharedMemoryBudget& memory_budget() noexcept { return memory_; }
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
};

}  // namespace pronto::detail
