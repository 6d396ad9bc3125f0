#include "server/server_connection.h"

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
  --call_count_;
}

std::vector<ServerCall*> ServerConnection::live_calls() const {
  std::vector<ServerCall*> out;
  for (ServerCall* c = calls_; c; c = c->next_) out.push_back(c);
  return out;
}

void ServerConnection::on_closed() {
  if (credit_retry_) credit_retry_->cancel();
  if (log_enabled(LogLevel::debug) && !close_reason().empty()) {
    logf(LogLevel::debug, "connection from %s closed: %s", peer().c_str(), close_reason().c_str());
  }
  // A copy: calls may remove themselves.
  std::vector<ServerCall*> calls = live_calls();
  for (auto* c : calls) c->on_connection_lost();
}

void ServerConnection::begin_shutdown() {
  if (closed()) return;
  session().submit_shutdown_notice();
  session().submit_goaway(0);
  request_flush();
}

void ServerConnection::abort_calls() {
  std::vector<ServerCall*> calls = live_calls();
  for (auto* c : calls) c->abort(Status::unavailable("server shutting down"));
  request_flush();
}

}  // namespace pronto::detail
