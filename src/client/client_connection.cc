#include "client/client_connection.h"

#include "client/client_call.h"
#include "h2/error_code.h"

namespace pronto::detail {

namespace {
ClientCall* as_call(void* stream) { return static_cast<ClientCall*>(stream); }
}  // namespace

ClientConnection::ClientConnection(EventLoop& loop, Socket socket,
                                   std::function<void(ClientConnection*)> on_lost,
                                   std::unique_ptr<TlsFilter> tls, const h2::SessionSettings& settings)
    : ClientConnection(loop, std::make_unique<SocketStream>(std::move(socket)), std::move(on_lost),
                       std::move(tls), settings) {}

ClientConnection::ClientConnection(EventLoop& loop, std::unique_ptr<ByteStream> stream,
                                   std::function<void(ClientConnection*)> on_lost,
                                   std::unique_ptr<TlsFilter> tls, const h2::SessionSettings& settings)
    : Connection(loop, std::move(stream), h2::Session::Role::client, settings, std::move(tls)),
      on_lost_(std::move(on_lost)) {
  peer();  // worked out now: calls report it, also after the socket is gone
}

std::int32_t ClientConnection::submit(ClientCall* call, const h2::HeaderBlock& headers,
                                      h2::OutboundBody& body) {
  if (draining()) return -1;
  std::int32_t id = session().submit_request(headers, &body, call);
  if (id > 0) {
    call->conn_prev_ = nullptr;
    call->conn_next_ = calls_;
    if (calls_) calls_->conn_prev_ = call;
    calls_ = call;
  }
  return id;
}

void ClientConnection::detach(ClientCall* call) {
  if (call->conn_prev_) {
    call->conn_prev_->conn_next_ = call->conn_next_;
  } else if (calls_ == call) {
    calls_ = call->conn_next_;
  } else {
    return;  // not attached (already detached)
  }
  if (call->conn_next_) call->conn_next_->conn_prev_ = call->conn_prev_;
  call->conn_prev_ = call->conn_next_ = nullptr;
}

void* ClientConnection::on_begin_headers(std::int32_t, void* stream) { return stream; }
bool ClientConnection::on_header(void* stream, std::string_view name, std::string_view value) {
  return as_call(stream)->on_header(name, value);
}
void ClientConnection::on_headers_end(void* stream, bool end_stream) {
  as_call(stream)->on_headers_end(end_stream);
}
void ClientConnection::on_data(void* stream, const std::uint8_t* data, std::size_t size) {
  as_call(stream)->on_data(data, size);
}
void ClientConnection::on_remote_end(void* stream) { as_call(stream)->on_remote_end(); }
void ClientConnection::on_stream_close(void* stream, std::uint32_t error_code) {
  as_call(stream)->on_stream_close(error_code);
}
void ClientConnection::on_body_drained(void* stream) { as_call(stream)->on_body_drained(); }

void ClientConnection::on_goaway(std::int32_t, std::uint32_t error_code, std::string_view debug_data) {
  draining_ = true;
  if (error_code == static_cast<std::uint32_t>(h2::ErrorCode::enhance_your_calm) && debug_data == kTooManyPings)
    too_many_pings_ = true;
  if (on_lost_) on_lost_(this);
}

void ClientConnection::on_closed() {
  draining_ = true;
  auto self = shared_from_this();  // calls drop their references below
  if (on_lost_) on_lost_(this);
  std::vector<ClientCall*> calls;
  for (ClientCall* c = calls_; c; c = c->conn_next_) calls.push_back(c);
  for (ClientCall* c : calls) c->conn_prev_ = c->conn_next_ = nullptr;
  calls_ = nullptr;
  // The session will report nothing more: close every stream here.
  const std::string reason = close_reason().empty() ? "connection closed" : close_reason();
  for (auto* c : calls) c->on_connection_lost(reason);
}

}  // namespace pronto::detail
