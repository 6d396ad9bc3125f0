#include "client/channel_impl.h"

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <thread>

#include "client/client_call.h"
#include "client/client_connection.h"
#include "log.h"

namespace pronto::detail {

ChannelImpl::ChannelImpl(std::string target, ChannelOptions options)
    : target_(std::move(target)), options_(std::move(options)), parsed_(parse_target(target_)) {
  authority_ = !options_.authority.empty() ? options_.authority : parsed_ ? parsed_->authority : target_;
  if (options_.metrics) metrics_ = std::make_unique<metrics::Registry>(metrics::Side::client, target_);
  if (options_.tls) {
    auto ctx = TlsContext::client(*options_.tls);
    if (ctx) {
      tls_ = *ctx;
    } else {
      tls_error_ = ctx.status();
    }
    tls_name_ = !options_.tls->server_name_override.empty() ? options_.tls->server_name_override
                : parsed_                                   ? parsed_->host
                                                            : std::string();
    if (!options_.tls->server_name_override.empty() && options_.authority.empty()) {
      const bool tcp = parsed_ && parsed_->addresses.front().kind == Address::Kind::tcp;
      authority_ = options_.tls->server_name_override +
                   (tcp ? ":" + std::to_string(parsed_->addresses.front().port) : "");
    }
  }
  keepalive_time_ = options_.keepalive_time;
  user_agent_ = (options_.user_agent.empty() ? "" : options_.user_agent + " ") + "pronto/0.1";
  loop_ = std::make_unique<EventLoop>();
  loop_->start("pronto-chan");
}

ChannelImpl::ChannelImpl(std::string target, ChannelOptions options, StreamConnector connector)
    : ChannelImpl(std::move(target), std::move(options)) {
  connector_ = std::move(connector);
}

ChannelImpl::~ChannelImpl() {
  // Close the connection on the loop, then stop it. Calls still running
  // fail with UNAVAILABLE.
  auto cleanup = [this] {
    if (conn_) conn_->close();
    conn_.reset();
    auto waiting = std::move(waiting_);
    for (auto* c : waiting) c->on_connect_failed(Status::unavailable("channel closed"));
  };
  if (loop_->in_loop()) {
    // The last reference went away on our own loop (a call released there):
    // a loop cannot join itself, so another thread finishes it.
    cleanup();
    loop_->release_work();
    std::thread([loop = std::move(loop_)] { loop->join(); }).detach();
    return;
  }
  loop_->post(cleanup);
  loop_->release_work();
  loop_->join();
}

void ChannelImpl::attach(ClientCall* call) {
  if (conn_ && !conn_->draining()) {
    call->attach(conn_);
    return;
  }
  if (!parsed_) {
    // Not a target pronto can connect to: no call can ever succeed.
    call->on_connect_failed(parsed_.status());
    return;
  }
  if (!tls_error_.ok()) {
    call->on_connect_failed(Status::unavailable("TLS setup failed: " + tls_error_.message()));
    return;
  }
  if (!connecting_ && Clock::now() < next_attempt_) {
    // In backoff after a failed attempt: fail fast (no wait-for-ready).
    call->on_connect_failed(last_error_);
    return;
  }
  waiting_.push_back(call);
  if (!connecting_) connect();
}

void ChannelImpl::connect() {
  if (connector_) return connect_stream();
  connecting_ = true;
  // Every address of the target (and every address a name resolves to),
  // tried in order until one connects: the one connection goes to the first
  // that answers.
  std::vector<Endpoint> endpoints;
  Status resolve_error;
  for (const Address& a : parsed_->addresses) {
    auto r = resolve(a, false);
    if (r) {
      endpoints.insert(endpoints.end(), r->begin(), r->end());
    } else if (resolve_error.ok()) {
      resolve_error = r.status();
    }
  }
  if (endpoints.empty()) {
    on_connect_failed(resolve_error.ok() ? Status::unavailable("no addresses for " + target_)
                                         : resolve_error);
    return;
  }
  auto socket = std::make_shared<Connection::Socket>(loop_->io());
  auto timer = std::make_shared<asio::steady_timer>(loop_->io(), options_.connect_timeout);
  timer->async_wait([socket](const asio::error_code& ec) {
    if (!ec) {
      asio::error_code ignored;
      socket->close(ignored);
    }
  });
  asio::async_connect(*socket, endpoints,
                      [this, socket, timer](const asio::error_code& ec, const Endpoint&) {
                        timer->cancel();
                        if (ec) {
                          on_connect_failed(Status::unavailable("failed to connect to " + target_ + ": " +
                                                                ec.message()));
                          return;
                        }
                        auto conn = std::make_shared<ClientConnection>(
                            *loop_, std::move(*socket), [this](ClientConnection* c) { on_lost(c); },
                            tls_ ? std::make_unique<TlsFilter>(tls_, tls_name_) : nullptr, session_settings());
                        on_connected(std::move(conn));
                      });
}

void ChannelImpl::connect_stream() {
  connecting_ = true;
  auto stream = connector_(*loop_);
  if (!stream) {
    on_connect_failed(stream.status());
    next_attempt_ = {};  // no backoff: the next call asks again (and it costs nothing)
    return;
  }
  on_connected(std::make_shared<ClientConnection>(*loop_, std::move(*stream),
                                                  [this](ClientConnection* c) { on_lost(c); }, nullptr,
                                                  session_settings()));
}

h2::SessionSettings ChannelImpl::session_settings() const {
  h2::SessionSettings s;
  s.max_header_list_size = options_.max_header_list_size;
  return s;
}

void ChannelImpl::configure(ClientConnection& conn) const {
  KeepaliveSettings k;
  k.time = keepalive_time_;
  k.timeout = options_.keepalive_timeout;
  k.permit_without_calls = options_.keepalive_permit_without_calls;
  conn.set_keepalive(k);
}

void ChannelImpl::on_connected(std::shared_ptr<ClientConnection> conn) {
  connecting_ = false;
  configure(*conn);
  backoff_ = std::chrono::milliseconds(0);
  conn_ = std::move(conn);
  connected_ = true;
  conn_->start();
  auto waiting = std::move(waiting_);
  for (auto* c : waiting) c->attach(conn_);
  conn_->request_flush();
}

void ChannelImpl::on_connect_failed(const Status& status) {
  connecting_ = false;
  // At most once per attempt, and attempts back off: no flood.
  log(LogLevel::info, status.message());
  last_error_ = status;
  backoff_ = backoff_.count() == 0 ? options_.initial_backoff
                                   : std::min(options_.max_backoff,
                                              std::chrono::milliseconds(backoff_.count() * 16 / 10));
  next_attempt_ = Clock::now() + backoff_;
  auto waiting = std::move(waiting_);
  for (auto* c : waiting) c->on_connect_failed(status);
}

void ChannelImpl::on_lost(ClientConnection* conn) {
  if (conn->take_too_many_pings() && keepalive_time_ != std::chrono::milliseconds::max()) {
    // A8: the server thinks we ping too often; back off for good.
    keepalive_time_ = keepalive_time_ > std::chrono::milliseconds::max() / 2 ? std::chrono::milliseconds::max()
                                                                               : keepalive_time_ * 2;
    logf(LogLevel::warning, "%s: GOAWAY too_many_pings: keepalive time now %lld ms", target_.c_str(),
         static_cast<long long>(keepalive_time_.count()));
  }
  if (conn_.get() == conn) {
    conn_.reset();
    connected_ = false;
  }
}

}  // namespace pronto::detail
