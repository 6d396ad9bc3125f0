// pronto/channel.h — a client's connection to one server.
//
// A Channel owns one HTTP/2 connection (opened on first use, re-opened with
// backoff when it drops) and an event loop thread that drives it. Any number
// of calls, from any threads, share the connection concurrently. Stubs are
// cheap views that hold a shared_ptr to their channel.
// Ownership: shared (std::shared_ptr); the last owner's release closes the
// connection, cancelling calls still running.
// Threading: every method of Channel is thread-safe, from any thread; one
// channel is meant to be shared by many calls and threads (create one per
// server, not one per call). Stubs are thread-safe too.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pronto/interceptor.h"
#include "pronto/status.h"
#include "pronto/tls.h"

namespace pronto {

namespace detail {
class ChannelImpl;
}

struct ChannelOptions {
  std::size_t max_receive_message_size = 4 * 1024 * 1024;
  std::chrono::milliseconds connect_timeout{20000};
  // Backoff between reconnect attempts (doc/connection-backoff.md).
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{120000};
  std::string authority{};  // :authority; default: the target's host:port
  std::string user_agent{};  // prefixed to "pronto/<version>"
  std::vector<std::shared_ptr<ClientInterceptor>> interceptors{};
  // Connect with TLS (ALPN h2, certificate verified against the target host
  // or tls->server_name_override).
  std::optional<TlsChannelOptions> tls{};

  // ---- Metrics (docs/design.md "Metrics"; pronto/metrics.h) ----
  // Count every call and attempt (A66 client instruments, no lock on the
  // call path); read them with pronto::metrics_text(channel).
  bool metrics = true;

  // ---- Keepalive and connection management (gRPC proposals A8 and A9) ----
  // After keepalive_time without a PING, the client PINGs the server (only
  // while calls are open, unless keepalive_permit_without_calls); no ACK
  // within keepalive_timeout drops the connection, and its calls fail with
  // UNAVAILABLE. Default: never (as grpc-core's client); a server enforces a
  // minimum (grpc-core and pronto: 5 minutes), so values below it end in
  // GOAWAY ENHANCE_YOUR_CALM "too_many_pings": the channel then doubles its
  // keepalive_time for its next connections (A8). On any GOAWAY the
  // channel sends new calls on a new connection and lets the running ones
  // finish on the old one.
  std::chrono::milliseconds keepalive_time = std::chrono::milliseconds::max();
  std::chrono::milliseconds keepalive_timeout{20000};
  bool keepalive_permit_without_calls = false;

  // ---- Limits ----
  // (Also above: max_receive_message_size, connect_timeout.)
  // Response header block size (headers and trailers together, as HPACK
  // counts them), advertised as SETTINGS_MAX_HEADER_LIST_SIZE: a larger one
  // fails the call with RESOURCE_EXHAUSTED. Default 16 KiB.
  std::uint32_t max_header_list_size = 16 * 1024;
  // A request message larger than this (serialized, before compression)
  // fails the call with RESOURCE_EXHAUSTED; nothing of it is sent. Default:
  // no limit (as grpc-core).
  std::size_t max_send_message_size = SIZE_MAX;
};

class Channel : public std::enable_shared_from_this<Channel> {
 public:
  // target, in gRPC's naming (grpc/grpc doc/naming.md):
  //   "host:port", "[v6addr]:port", "dns:///host:port", "dns:host:port",
  //   "dns://dns-server/host:port" (the DNS server is ignored: the system
  //     resolver answers),
  //   "ipv4:1.2.3.4:5,1.2.3.5:5", "ipv6:[::1]:5,[::2]:5" (or "ipv6:::1"),
  //   "unix:relative/path", "unix:/abs/path", "unix:///abs/path",
  //   "unix-abstract:name" (Linux abstract namespace; name up to 106 bytes).
  // A missing port is 443, as in gRPC. unix paths and abstract names are
  // percent-decoded (%XX). Several addresses (an ipv4:/ipv6: list, or every
  // address a name resolves to) are tried in order when connecting, and the
  // channel's one connection goes to the first that accepts (no load
  // balancing); connect_timeout covers the whole attempt.
  // Never fails here and never throws. A target that cannot be parsed (an
  // unsupported scheme such as "http://" or "vsock:", a bad port, unbalanced
  // brackets, ...) makes target_status() and every call fail at once with
  // INVALID_ARGUMENT naming the target and the problem (gRPC's "lame
  // channel"); an unreachable target surfaces as UNAVAILABLE on calls.
  static std::shared_ptr<Channel> create(std::string target, ChannelOptions options = {});
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  const std::string& target() const noexcept;
  // OK if the target parsed, else the INVALID_ARGUMENT calls will fail with.
  // Does not connect: reachability shows on calls (or connected()).
  Status target_status() const;
  // True while an HTTP/2 connection is established.
  bool connected() const;

  detail::ChannelImpl& impl() noexcept { return *impl_; }

 private:
  friend class Server;  // Server::in_process_channel
  explicit Channel(std::unique_ptr<detail::ChannelImpl> impl);
  std::unique_ptr<detail::ChannelImpl> impl_;
};

}  // namespace pronto
