// pronto/channel.h — a client's connection to one server address.
//
// A Channel owns one HTTP/2 connection (opened on first use, re-opened with
// backoff when it drops) and an event loop thread that drives it. Any number
// of calls, from any threads, share the connection concurrently. Stubs are
// cheap views that hold a shared_ptr to their channel.
// Ownership: shared (std::shared_ptr); the last owner's release closes the
// connection, cancelling calls still running.
// Threading: every method is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pronto/interceptor.h"
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
};

class Channel : public std::enable_shared_from_this<Channel> {
 public:
  // target: "host:port", "[v6addr]:port", "ipv4:1.2.3.4:5", "unix:/path"
  // (or "unix:///path"). Never fails here: an unreachable target surfaces as
  // UNAVAILABLE on calls.
  static std::shared_ptr<Channel> create(std::string target, ChannelOptions options = {});
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  const std::string& target() const noexcept;
  // True while an HTTP/2 connection is established.
  bool connected() const;

  detail::ChannelImpl& impl() noexcept { return *impl_; }

 private:
  friend class Server;  // Server::in_process_channel
  explicit Channel(std::unique_ptr<detail::ChannelImpl> impl);
  std::unique_ptr<detail::ChannelImpl> impl_;
};

}  // namespace pronto
