// client/client_connection.h — the client side of one HTTP/2 connection:
// submits calls as streams and routes session events to them.
//
// Ownership: shared_ptr; the channel holds the current connection, and each
// attached call holds the connection it runs on. Threading: the channel loop.
#pragma once

#include <functional>
#include <utility>

#include "transport/connection.h"

namespace pronto::detail {

class ClientCall;

class ClientConnection final : public Connection {
 public:
  ClientConnection(EventLoop& loop, Socket socket, std::function<void(ClientConnection*)> on_lost,
                   std::unique_ptr<TlsFilter> tls, const h2::SessionSettings& settings = {});
  // On any byte stream (an in-process channel's pipe end).
  ClientConnection(EventLoop& loop, std::unique_ptr<ByteStream> stream,
                   std::function<void(ClientConnection*)> on_lost, std::unique_ptr<TlsFilter> tls,
                   const h2::SessionSettings& settings = {});

  // Opens a stream for the call. Returns the stream id (<0 on failure).
  std::int32_t submit(ClientCall* call, const h2::HeaderBlock& headers, h2::OutboundBody& body);
  void detach(ClientCall* call);
  // No new streams: the server sent GOAWAY or the connection is closing.
  bool draining() const noexcept { return draining_ || closed(); }
  // The server sent GOAWAY ENHANCE_YOUR_CALM "too_many_pings" (A8: the
  // channel doubles its keepalive time). True once.
  bool take_too_many_pings() noexcept { return std::exchange(too_many_pings_, false); }

 private:
  void* on_begin_headers(std::int32_t stream_id, void* stream) override;
  bool on_header(void* stream, std::string_view name, std::string_view value) override;
  void on_headers_end(void* stream, bool end_stream) override;
  void on_data(void* stream, const std::uint8_t* data, std::size_t size) override;
  void on_remote_end(void* stream) override;
  void on_stream_close(void* stream, std::uint32_t error_code) override;
  void on_body_drained(void* stream) override;
  void on_goaway(std::int32_t last_stream_id, std::uint32_t error_code, std::string_view debug_data) override;
  void on_closed() override;

  ClientCall* calls_ = nullptr;  // attached calls (intrusive list)
  std::function<void(ClientConnection*)> on_lost_;
  bool draining_ = false;
  bool too_many_pings_ = false;
};

}  // namespace pronto::detail
