// client/channel_impl.h — what a Channel is made of: its event loop, the
// target, the current connection, and the connect/backoff state machine.
//
// Ownership: owned by pronto::Channel (which calls keep alive through a
// shared_ptr). Threading: target/options are immutable after construction;
// connection state lives on the loop.
#pragma once

#include <cstddef>  // before asio: see transport/event_loop.h

#include <asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "h2/session.h"
#include "pronto/channel.h"
#include "transport/address.h"
#include "transport/byte_stream.h"
#include "metrics/registry.h"
#include "transport/event_loop.h"
#include "transport/tls.h"

namespace pronto::detail {

class ByteStream;
class ClientCall;
class ClientConnection;

class ChannelImpl {
 public:
  ChannelImpl(std::string target, ChannelOptions options);
  // Connections come from `connector` (called on the loop) instead of a
  // socket connect: in-process channels (Server::in_process_channel).
  ChannelImpl(std::string target, ChannelOptions options, StreamConnector connector);
  ~ChannelImpl();

  const std::string& target() const noexcept { return target_; }
  const std::string& authority() const noexcept { return authority_; }
  const ChannelOptions& options() const noexcept { return options_; }
  std::string_view scheme() const noexcept { return tls_ ? "https" : "http"; }
  const std::string& user_agent() const noexcept { return user_agent_; }
  EventLoop& loop() noexcept { return *loop_; }
  bool connected() const noexcept { return connected_.load(); }
  // OK, or INVALID_ARGUMENT naming the target and what is wrong with it
  // (then every call fails at once with this status).
  Status target_status() const { return parsed_ ? Status() : parsed_.status(); }
  // The call metrics (null with ChannelOptions::metrics off).
  metrics::Registry* metrics() const noexcept { return metrics_.get(); }

  // Loop side: gives the call a connection (now, after connecting, or a
  // failure when the target is unreachable).
  void attach(ClientCall* call);

 private:
  void connect();
  void connect_stream();  // with connector_
  void on_connected(std::shared_ptr<ClientConnection> conn);
  void on_connect_failed(const Status& status);
  void on_lost(ClientConnection* conn);

  std::string target_;
  ChannelOptions options_;
  Result<Target> parsed_;
  std::string authority_;
  std::string user_agent_;
  // Before the loop: calls record into it until the loop stops.
  std::unique_ptr<metrics::Registry> metrics_;
  std::unique_ptr<EventLoop> loop_;
  std::shared_ptr<TlsContext> tls_;
  Status tls_error_;
  std::string tls_name_;
  StreamConnector connector_;  // set: no socket, no target address

  // Loop state.
  std::shared_ptr<ClientConnection> conn_;
  bool connecting_ = false;
  std::vector<ClientCall*> waiting_;  // each holds a reference
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  Status last_error_;
  std::atomic<bool> connected_{false};
  // options_.keepalive_time, doubled on every GOAWAY "too_many_pings" (A8).
  std::chrono::milliseconds keepalive_time_;
  void configure(ClientConnection& conn) const;
  h2::SessionSettings session_settings() const;

 public:
  // The keepalive time the next connection uses (tests).
  std::chrono::milliseconds keepalive_time() const noexcept { return keepalive_time_; }
};

}  // namespace pronto::detail
