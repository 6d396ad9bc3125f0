// pronto-echo-server: the Echo test service as a process, for tests that
// need a separate server (hostile peers, official clients).
//   --port=N (0: a free port; prints "listening on port N")  --threads=N
//   --handshake-timeout-ms=N (ServerOptions::handshake_timeout)
//   --admin (listen_admin on 127.0.0.1:0; prints "admin on port N")
//   --admin-header-timeout-ms=N --admin-max-connections=N --admin-max-header-size=N
//   keepalive / connection management / limits: --keepalive-time-ms,
//   --keepalive-timeout-ms, --keepalive-min-time-ms,
//   --permit-keepalive-without-calls, --max-ping-strikes,
//   --max-connection-idle-ms, --max-connection-age-ms,
//   --max-connection-age-grace-ms (the ServerOptions fields; -1: default)
//   --log-connections: pronto's debug log to stderr ("connection from X
//   opened" per connection, for tests that count connections)
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "echo_service.h"
#include "flags.h"  // tools/common/flags.h

int main(int argc, char** argv) {
  // SIGTERM/SIGINT are blocked before any thread starts (the server's threads inherit the
  // mask) and taken by sigwait() below: a handler may not allocate or start a thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int port = 0;
  unsigned threads = 1;
  long handshake_timeout_ms = -1;
  bool admin = false;
  long admin_header_timeout_ms = -1;
  long admin_max_connections = -1;
  long admin_max_header_size = -1;
  cli::Flags flags("pronto-echo-server", "The Echo test service on 127.0.0.1, until SIGINT/SIGTERM.");
  flags.integer("port", &port, 0, 65535, "0: a free port")
      .integer("threads", &threads, 0u, 1024u, "event loops")
      .integer("handshake-timeout-ms", &handshake_timeout_ms, -1L, 86'400'000L,
               "ServerOptions::handshake_timeout; -1: the default")
      .boolean("admin", &admin, "serve /metrics and /healthz on a second port")
      .integer("admin-header-timeout-ms", &admin_header_timeout_ms, -1L, 86'400'000L, "-1: the default")
      .integer("admin-max-connections", &admin_max_connections, -1L, 100'000L, "-1: the default")
      .integer("admin-max-header-size", &admin_max_header_size, -1L, 1'000'000L, "-1: the default");
  long keepalive_time_ms = -1, keepalive_timeout_ms = -1, keepalive_min_time_ms = -1, max_ping_strikes = -1;
  long max_idle_ms = -1, max_age_ms = -1, max_age_grace_ms = -1;
  bool permit_without_calls = false, log_connections = false;
  constexpr long kMaxMs = 86'400'000L;
  flags.integer("keepalive-time-ms", &keepalive_time_ms, -1L, kMaxMs, "ServerOptions::keepalive_time")
      .integer("keepalive-timeout-ms", &keepalive_timeout_ms, -1L, kMaxMs, "ServerOptions::keepalive_timeout")
      .integer("keepalive-min-time-ms", &keepalive_min_time_ms, -1L, kMaxMs, "ServerOptions::keepalive_min_time")
      .boolean("permit-keepalive-without-calls", &permit_without_calls,
               "ServerOptions::permit_keepalive_without_calls")
      .integer("max-ping-strikes", &max_ping_strikes, -1L, 1000L, "ServerOptions::max_ping_strikes")
      .integer("max-connection-idle-ms", &max_idle_ms, -1L, kMaxMs, "ServerOptions::max_connection_idle")
      .integer("max-connection-age-ms", &max_age_ms, -1L, kMaxMs, "ServerOptions::max_connection_age")
      .integer("max-connection-age-grace-ms", &max_age_grace_ms, -1L, kMaxMs,
               "ServerOptions::max_connection_age_grace")
      .boolean("log-connections", &log_connections, "debug log to stderr (connections opened and closed)");
  flags.parse_or_exit(argc, argv);
  if (log_connections) pronto::set_log_level(pronto::LogLevel::debug);
  pronto::test::EchoService service;
  pronto::ServerOptions options{.event_loops = threads};
  if (handshake_timeout_ms >= 0) options.handshake_timeout = std::chrono::milliseconds(handshake_timeout_ms);
  if (admin_header_timeout_ms >= 0) options.admin_header_timeout = std::chrono::milliseconds(admin_header_timeout_ms);
  if (admin_max_connections >= 0) options.admin_max_connections = static_cast<std::size_t>(admin_max_connections);
  if (admin_max_header_size >= 0) options.admin_max_header_size = static_cast<std::size_t>(admin_max_header_size);
  using ms = std::chrono::milliseconds;
  if (keepalive_time_ms >= 0) options.keepalive_time = ms(keepalive_time_ms);
  if (keepalive_timeout_ms >= 0) options.keepalive_timeout = ms(keepalive_timeout_ms);
  if (keepalive_min_time_ms >= 0) options.keepalive_min_time = ms(keepalive_min_time_ms);
  options.permit_keepalive_without_calls = permit_without_calls;
  if (max_ping_strikes >= 0) options.max_ping_strikes = static_cast<int>(max_ping_strikes);
  if (max_idle_ms >= 0) options.max_connection_idle = ms(max_idle_ms);
  if (max_age_ms >= 0) options.max_connection_age = ms(max_age_ms);
  if (max_age_grace_ms >= 0) options.max_connection_age_grace = ms(max_age_grace_ms);
  pronto::Server server(options);
  server.add_service(service).listen("127.0.0.1:" + std::to_string(port));
  if (admin) server.listen_admin("127.0.0.1:0");
  if (auto st = server.start(); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.to_string().c_str());
    return 1;
  }
  std::printf("listening on port %d\n", server.port());
  if (admin) std::printf("admin on port %d\n", server.admin_port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  server.shutdown(std::chrono::seconds(1));
  server.wait();
  return 0;
}
