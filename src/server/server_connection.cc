#include "server/server_connection.h"

#include <random>

#include "log.h"
#include "server/server_call.h"
#include "server/server_impl.h"

namespace pronto::detail {

namespace {
ServerCall* as_call(void* stream) { return static_cast<ServerCall*>(stream); }
// How soon window credit held back by memory pressure is tried again.
constexpr auto kCreditRetry = std::chrono::milliseconds(50);
}  // namespace

ServerConnection::ServerConnection(ServerImpl& server, EventLoop& loop, Socket socket,
                                   std::unique_ptr<TlsFilter> tls)
    : ServerConnection(server, loop, std::make_unique<SocketStream>(std::move(socket)), std::move(tls)) {}

ServerConnection::ServerConnection(ServerImpl& server, EventLoop& loop, std::unique_ptr<ByteStream> stream,
                                   std::unique_ptr<TlsFilter> tls)
    : Connection(loop, std::move(stream), h2::Session::Role::server, server.session_settings(),
                 std::move(tls)),
      server_(server),
      budget_(server.options().max_connection_memory, &server.memory_budget()) {
  if (log_enabled(LogLevel::debug)) peer();  // worked out while the socket is open, for on_closed()
  const ServerOptions& o = server.options();
  KeepaliveSettings k;
  k.time = o.keepalive_time;
  k.timeout = o.keepalive_timeout;
  k.enforce = true;
  k.min_time = o.keepalive_min_time;
  k.permit_peer_without_calls = o.permit_keepalive_without_calls;
  k.max_ping_strikes = o.max_ping_strikes;
  set_keepalive(k);
}

void ServerConnection::on_started() {
  if (log_enabled(LogLevel::debug)) logf(LogLevel::debug, "connection from %s opened", peer().c_str());
  const ServerOptions& o = server_.options();
  constexpr auto never = std::chrono::milliseconds::max();
  if (o.max_connection_idle != never) {
    idle_since_ = std::chrono::steady_clock::now();
    idle_timer_ = std::make_unique<asio::steady_timer>(loop().io());
    arm_idle_timer(o.max_connection_idle);
  }
  if (o.max_connection_age != never) {
    // +-10% jitter (A9), so connections made together do not all go at once.
    thread_local std::minstd_rand rng{std::random_device{}()};
    const double factor = std::uniform_real_distribution<double>(0.9, 1.1)(rng);
    const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(o.max_connection_age * factor);
    age_timer_ = std::make_unique<asio::steady_timer>(loop().io(), age);
    age_timer_->async_wait(
        [self = std::static_pointer_cast<ServerConnection>(shared_from_this())](const asio::error_code& ec) {
          if (!ec && !self->closed()) self->on_age_reached();
        });
  }
}

void ServerConnection::arm_idle_timer(std::chrono::steady_clock::duration after) {
  idle_timer_->expires_after(after);
  idle_timer_->async_wait(
      [self = std::static_pointer_cast<ServerConnection>(shared_from_this())](const asio::error_code& ec) {
        if (ec || self->closed() || self->goaway_begun()) return;
        const auto idle = self->server_.options().max_connection_idle;
        if (self->call_count_ > 0) return self->arm_idle_timer(idle);
        const auto idle_for = std::chrono::steady_clock::now() - self->idle_since_;
        if (idle_for < idle) return self->arm_idle_timer(idle - idle_for);
        logf(LogLevel::debug, "%s: max_connection_idle reached", self->peer().c_str());
        self->begin_graceful_goaway();
      });
}

void ServerConnection::on_age_reached() {
  logf(LogLevel::debug, "%s: max_connection_age reached", peer().c_str());
  begin_graceful_goaway();
  const auto grace = server_.options().max_connection_age_grace;
  if (grace == std::chrono::milliseconds::max()) return;
  age_timer_->expires_after(grace);
  age_timer_->async_wait(
      [self = std::static_pointer_cast<ServerConnection>(shared_from_this())](const asio::error_code& ec) {
        if (ec || self->closed()) return;
        self->finish_goaway();
        self->abort_calls();
        self->close();
      });
}

ServerConnection::~ServerConnection() { server_.connection_gone(); }

void* ServerConnection::on_begin_headers(std::int32_t stream_id, void* stream) {
  if (stream != nullptr) return stream;            // trailers from the client
  // Refused (REFUSED_STREAM: not processed, safe to retry); no handler runs.
  if (call_count_ >= max_calls() || budget_.under_pressure()) return nullptr;
  ++call_count_;
  auto* call = new ServerCall(std::static_pointer_cast<ServerConnection>(shared_from_this()), stream_id);
  call->next_ = calls_;
  if (calls_) calls_->prev_ = call;
  calls_ = call;
  return call;
}

bool ServerConnection::on_header(void* stream, std::string_view name, std::string_view value) {
  return as_call(stream)->on_header(name, value);
}
void ServerConnection::on_headers_end(void* stream, bool end_stream) {
  as_call(stream)->on_headers_end(end_stream);
}
void ServerConnection::on_data(void* stream, const std::uint8_t* data, std::size_t size) {
  as_call(stream)->on_data(data, size);
}
void ServerConnection::on_remote_end(void* stream) { as_call(stream)->on_remote_end(); }
void ServerConnection::on_stream_close(void* stream, std::uint32_t error_code) {
  as_call(stream)->on_stream_close(error_code);
}
void ServerConnection::on_body_drained(void* stream) { as_call(stream)->on_body_drained(); }

std::size_t ServerConnection::max_calls() const noexcept {
  return 4 * static_cast<std::size_t>(server_.session_settings().max_concurrent_streams);
}

void ServerConnection::retry_credit_later() {
  if (credit_retry_armed_ || closed()) return;
  credit_retry_armed_ = true;
  if (!credit_retry_) credit_retry_ = std::make_unique<asio::steady_timer>(loop().io());
  credit_retry_->expires_after(kCreditRetry);
  credit_retry_->async_wait(
      [self = std::static_pointer_cast<ServerConnection>(shared_from_this())](const asio::error_code& ec) {
        self->credit_retry_armed_ = false;
        if (ec || self->closed()) return;
        // Calls still under pressure ask again.
        for (ServerCall* c = self->calls_; c; c = c->next_) {
          if (c->credit_withheld_) c->credit_window();
        }
        self->request_flush();
      });
}

void ServerConnection::remove_call(ServerCall* call) {
  if (call->prev_) call->prev_->next_ = call->next_;
  if (call->next_) call->next_->prev_ = call->prev_;
  if (calls_ == call) calls_ = call->next_;
  call->prev_ = call->next_ = nullptr;
  if (--call_count_ == 0 && idle_timer_) [[unlikely]]
    idle_since_ = std::chrono::steady_clock::now();
}

std::vector<ServerCall*> ServerConnection::live_calls() const {
  std::vector<ServerCall*> out;
  for (ServerCall* c = calls_; c; c = c->next_) out.push_back(c);
  return out;
}

void ServerConnection::on_closed() {
  if (credit_retry_) credit_retry_->cancel();
  if (idle_timer_) idle_timer_->cancel();
  if (age_timer_) age_timer_->cancel();
  if (log_enabled(LogLevel::debug) && !close_reason().empty()) {
    logf(LogLevel::debug, "connection from %s closed: %s", peer().c_str(), close_reason().c_str());
  }
  // A copy: calls may remove themselves.
  std::vector<ServerCall*> calls = live_calls();
  for (auto* c : calls) c->on_connection_lost();
}

void ServerConnection::begin_shutdown() {
  if (closed()) return;
  begin_graceful_goaway();
}

void ServerConnection::abort_calls() {
  std::vector<ServerCall*> calls = live_calls();
  for (auto* c : calls) c->abort(Status::unavailable("server shutting down"));
  finish_goaway();  // no waiting for the PING's ACK any more
  request_flush();
}

}  // namespace pronto::detail
