// pronto/server.h — a gRPC server: listeners, event loops, services.
//
// Ownership: the user owns the Server; services and interceptors added to it
// must outlive it (interceptors are shared). Destroying a running server
// shuts it down with no grace period.
// Threading: the Server object is not thread-safe while it is configured:
// add_service, add_interceptor and listen from one thread, then start() or
// run() from that thread. After start(), shutdown(), wait(), ports() and
// port() may be called from any thread, concurrently, including from a
// handler (shutdown then returns at once and finishes in the background).
// Services: one Service object is called from several event loops at once
// (one per core by default), so its handlers must be thread-safe; state
// they share needs a lock or atomics. Handlers run on an event loop: they
// must not block it (no sleeping, blocking I/O, or blocking client calls
// from a plain function); blocking work goes through
// `co_await ctx.blocking(fn)`, which runs fn on the server's thread pool
// (ServerOptions::blocking_threads). Interceptors likewise.
// Diagnostics (accept failures, failed handshakes, ...) go to the sink of
// pronto/log.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pronto/channel.h"
#include "pronto/health.h"
#include "pronto/interceptor.h"
#include "pronto/log.h"
#include "pronto/metrics.h"
#include "pronto/service.h"
#include "pronto/status.h"
#include "pronto/tls.h"

namespace pronto {

namespace detail {
class ServerImpl;
class AdminListener;
}

struct ServerOptions {
  unsigned event_loops = 0;  // 0: one per core
  unsigned blocking_threads = 4;  // pool behind ServerContext::blocking()
  std::size_t max_receive_message_size = 4 * 1024 * 1024;
  std::uint32_t max_concurrent_streams = 100;  // advertised per connection
  // A client that has not finished its TLS handshake and sent the HTTP/2
  // connection preface (through its first SETTINGS frame) by then is
  // dropped.
  std::chrono::milliseconds handshake_timeout{10000};
  // Memory for buffered call data that one connection, and all connections
  // together, may hold: received messages not yet read by handlers, partial
  // messages (counted at their declared length), response bytes not yet
  // sent. Near a limit (3/4) new streams are refused with REFUSED_STREAM
  // (clients retry those) and stream windows stop reopening; a message that
  // does not fit fails its call with RESOURCE_EXHAUSTED. Handlers' own
  // memory is theirs. A connection's budget is raised to at least
  // max_receive_message_size + 1 MiB, the server's to at least a
  // connection's.
  std::size_t max_connection_memory = 32 << 20;
  std::size_t max_server_memory = std::size_t{1} << 30;
  // run() only: how long in-flight calls may go on after SIGINT/SIGTERM
  // before they are cancelled (a second signal cancels them at once).
  std::chrono::milliseconds shutdown_grace{5000};
  // run() only: whether run() handles SIGINT and SIGTERM (see run()). False
  // leaves signals alone; stop the server with shutdown() then.
  bool handle_signals = true;

  // Built-in services. Each is added by start() unless a service of the
  // same name was added with add_service() (the user's wins).
  // grpc.health.v1.Health (Check, Watch, List; see set_serving_status).
  bool health_service = true;
  // grpc.reflection.v1 and v1alpha; off by default as in grpc++.
  bool reflection_service = false;
  // Open health Watch streams per server (the health listener's included);
  // past it Watch fails with RESOURCE_EXHAUSTED.
  std::size_t max_health_watchers = 10000;
  // ---- Metrics and the admin listener (docs/design.md "Metrics", "Admin
  // listener"; pronto/metrics.h) ----
  // Count every call (A66 instruments, per event loop, no lock): read them
  // with Server::metrics_text() or GET /metrics on listen_admin().
  bool metrics = true;
  // The names GET /metrics gives when the request has no ?format= (?format=go
  // asks for go_grpc_prometheus, ?format=otel for opentelemetry).
  MetricsFormat metrics_format = MetricsFormat::opentelemetry;
  // An admin connection must send a complete request head within this time
  // (from its accept, then from the end of its previous request), or it is
  // closed (408 if it sent part of one).
  std::chrono::milliseconds admin_header_timeout{10000};
  // Admin connections open at once; further ones are closed at accept.
  std::size_t admin_max_connections = 64;
  // A request head above this size is answered 431 and the connection closed.
  std::size_t admin_max_header_size = 8192;
  // Requests served per admin connection before it is closed (keep-alive).
  std::size_t admin_max_requests = 1000;

  // ---- Keepalive and connection management (gRPC proposals A8 and A9) ----
  // Durations of milliseconds::max() mean "never". docs/design.md "Keepalive"
  // and "Connection management" tell the details.
  // The server PINGs a connection that has calls open after keepalive_time
  // without one; no ACK within keepalive_timeout closes the connection (its
  // calls are cancelled). grpc-core's defaults: 2 hours, 20 seconds.
  std::chrono::milliseconds keepalive_time{std::chrono::hours(2)};
  std::chrono::milliseconds keepalive_timeout{20000};
  // Enforcement of the client's PINGs (grpc-core's ping-strike policy): a
  // PING sooner than keepalive_min_time after the previous one is a strike
  // (sooner than 2 hours while no call is open, unless
  // permit_keepalive_without_calls); sending HEADERS or DATA clears the
  // strikes; more than max_ping_strikes (0: no limit) get GOAWAY
  // ENHANCE_YOUR_CALM with debug data "too_many_pings", and the connection
  // closes. Defaults as grpc-core: 5 minutes, false, 2.
  std::chrono::milliseconds keepalive_min_time{std::chrono::minutes(5)};
  bool permit_keepalive_without_calls = false;
  int max_ping_strikes = 2;
  // A connection with no call open for max_connection_idle gets a graceful
  // GOAWAY. A connection older than max_connection_age (each connection's
  // age randomized by +-10%) gets a graceful GOAWAY; calls still running
  // max_connection_age_grace after it are cancelled and the connection
  // closed. Graceful GOAWAY: two steps as in grpc-core (last-stream-id
  // 2^31-1 and a PING; on its ACK, or after 20 s, the real last stream id).
  // Default: never, for all three.
  std::chrono::milliseconds max_connection_idle = std::chrono::milliseconds::max();
  std::chrono::milliseconds max_connection_age = std::chrono::milliseconds::max();
  std::chrono::milliseconds max_connection_age_grace = std::chrono::milliseconds::max();

  // ---- Limits ----
  // (Also above: max_receive_message_size, max_concurrent_streams,
  // handshake_timeout, max_connection_memory, max_server_memory.)
  // Request header block size (HPACK: name + value + 32 per field),
  // advertised as SETTINGS_MAX_HEADER_LIST_SIZE: a larger block fails the
  // call with RESOURCE_EXHAUSTED; past 4x this (at least 64 KiB) the stream
  // is reset unexamined. Default 16 KiB (grpc-core: 16 KiB).
  std::uint32_t max_header_list_size = 16 * 1024;
  // Connections open at once, server-wide (0: no limit). Past it, a new
  // connection is accepted and closed at once (as grpc-core's
  // max_allowed_incoming_connections; the client sees the connection reset
  // and retries with backoff) rather than left in the listen backlog.
  // A connection counts until it is closed.
  std::size_t max_connections = 0;
  // A response message larger than this (after serialization, before
  // compression) fails the call with RESOURCE_EXHAUSTED instead of going
  // out. Default: no limit (as grpc-core).
  std::size_t max_send_message_size = SIZE_MAX;
};

class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Server& add_service(Service& service);
  Server& add_interceptor(std::shared_ptr<ServerInterceptor> interceptor);
  // "0.0.0.0:50051", "[::]:0", ":50051" (every interface), "localhost:8080",
  // "ipv4:127.0.0.1:0", "ipv6:[::1]:0", "unix:/tmp/s.sock" (a stale socket
  // file there is replaced; the file is removed at shutdown),
  // "unix-abstract:name". The port is required; 0 picks a free port, and
  // ports() tells which after start(). Errors show at start().
  Server& listen(std::string address);
  // The same, serving TLS (ALPN h2; TLS 1.2 minimum; mTLS when the options
  // name a client CA). Certificate errors surface from start().
  Server& listen(std::string address, TlsServerOptions tls);

  // A second, plaintext listener that serves only the health service
  // (grpc.health.v1.Health; everything else is UNIMPLEMENTED there), for
  // probes that cannot speak TLS (Kubernetes). Same address forms as
  // listen(); bound by start() (its errors come from there), on a loop of
  // its own, and shut down with the server. It serves the health service
  // even when options.health_service is false (the user's, if one was
  // added). health_port() tells the bound port.
  Server& listen_health(std::string address);

  // Health. The status the health service reports for `service` (a full
  // service name, "package.Service"; "" is the server as a whole).
  // start() makes "" and every registered service SERVING, unless a status
  // was set for it before; shutdown() (any path: signal, destructor) makes
  // every entry NOT_SERVING before GOAWAY goes out, and later calls are
  // ignored. ServingStatus::service_unknown removes the entry (Check then
  // answers NOT_FOUND). Any name may be given (the entry is created).
  // Thread-safe: any thread, before or after start(), from handlers too.
  // Watch streams see each change.
  void set_serving_status(std::string_view service, ServingStatus status);
  // What Check would say: service_unknown when there is no entry.
  ServingStatus serving_status(std::string_view service) const;

  // Checks the configuration, binds every listener and starts the loops.
  // Never throws; on error nothing is left running, and the Status says why:
  //   FAILED_PRECONDITION  no listen() before start() (a server reached only
  //                        through in_process_channel() needs none: make
  //                        the channel before start()), or started already;
  //   INVALID_ARGUMENT     a listen address that does not parse (named);
  //   ALREADY_EXISTS       two services with the same name, or two methods
  //                        with the same path (named);
  //   UNAVAILABLE          a listener cannot bind (port in use, no such
  //                        address, permission): names the address;
  //   TLS errors (bad certificate or key files) as TlsContext reports them.
  Status start();
  // The bound TCP ports, in listen() order (0 for unix listeners).
  std::vector<int> ports() const;
  int port() const;  // first bound TCP port
  int health_port() const;  // the listen_health() port (0: none, or unix)
  // Blocks until the server has shut down. Does nothing about signals.
  void wait();
  // start() (unless it was called already: start() then run() is fine),
  // then serve until the server shuts down; returns start()'s error (at
  // once), or OK once the server has stopped.
  // With options.handle_signals (the default), run() installs handlers for
  // SIGINT and SIGTERM for its duration (unblocking them in the calling
  // thread) and puts the previous handlers and mask back before returning:
  // the first signal begins shutdown(options.shutdown_grace), a second one
  // cancels the calls still in flight at once. The handlers are async-
  // signal-safe (they write to a pipe) and work whichever thread the signal
  // lands on; several servers may run() at once, and a signal stops them
  // all. Other threads that block SIGINT/SIGTERM are fine; a process that
  // wants the signals for itself (sigwait) sets handle_signals = false.
  // shutdown() from another thread or a handler also makes run() return.
  [[nodiscard]] Status run();
  // Graceful shutdown: stop accepting, send GOAWAY, let in-flight calls
  // finish for up to `grace`, then cancel what is left and close.
  // Blocks until done unless called from one of the server's own loops.
  void shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // A channel to this server through memory: no socket, no port, no file
  // descriptor for its connection, the whole stack otherwise (HTTP/2,
  // framing, deadlines, metadata, flow control). For tests, and for calling
  // a service from inside the same process.
  // - The server treats each of its connections as an accepted connection,
  //   on one of its loops: same services, interceptors, limits, memory
  //   budget, graceful shutdown. ServerContext::peer() is "inproc:<n>".
  // - The connection opens on the first call (Channel::connected() is true
  //   from then on; after a drop the next call opens a new one). While the server is not running (before start() or
  //   once shutdown() began), calls fail with UNAVAILABLE; a call made after
  //   start() connects (no backoff). Once the server shuts down, calls in
  //   flight end as on any connection (finishing within the grace period,
  //   then UNAVAILABLE) and later ones fail with UNAVAILABLE.
  // - Ownership: the channel is the caller's, as from Channel::create; the
  //   channel and the server may be destroyed in either order (a channel
  //   left without its server fails its calls with UNAVAILABLE). Each
  //   channel owns one loop thread, like any Channel; its loop opens asio's
  //   reactor descriptors (epoll, eventfd, timerfd) only once a call has a
  //   deadline or timeout, and closes them with the channel.
  // - Blocking calls on it from inside a handler of the same server can
  //   deadlock that handler's loop, as over a socket: co_await instead.
  // - Threading: call from any thread, before or after start(), any number
  //   of times (each channel has its own connection).
  // - `options`: tls is ignored (nothing to secure in memory); the
  //   authority defaults to "inprocess"; Channel::target() is "inproc".
  //   Each direction of a connection buffers at most 256 KiB in memory; a
  //   side that writes faster than the other reads waits, as on a socket.
  std::shared_ptr<Channel> in_process_channel(ChannelOptions options = {});

  // Serves GET /metrics and GET /healthz over plaintext HTTP/1.1 on
  // `address` (same forms as listen(); errors show at start()). See
  // docs/design.md "Admin listener".
  Server& listen_admin(std::string address);
  // The admin listener's bound port after start() (0 without one).
  int admin_port() const;
  // The server's call metrics in the Prometheus text format (empty with
  // ServerOptions::metrics off). Any thread, any time.
  std::string metrics_text(MetricsFormat format = MetricsFormat::opentelemetry) const;

 private:
  std::unique_ptr<detail::ServerImpl> impl_;
  bool built_ins_added_ = false;  // by the first start() or run()
  // The admin listener (listen_admin), started by start()/run(); stopped
  // once the server has stopped (healthz answers 503 meanwhile).
  std::string admin_address_;
  std::unique_ptr<detail::AdminListener> admin_;
  Status start_admin();
  void stop_admin();
};

}  // namespace pronto
