// server/server_connection.h — the server side of one HTTP/2 connection:
// creates a ServerCall per stream and routes session events to it.
//
// Ownership: shared_ptr, held by pending I/O and by each live call; the
// ServerImpl tracks it (weakly) for shutdown. Threading: its loop only.
#pragma once

#include <cstddef>  // before asio: see transport/event_loop.h

#include <asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "transport/connection.h"
#include "transport/memory_budget.h"

namespace pronto::detail {

class ServerImpl;
class ServerCall;

class ServerConnection final : public Connection {
 public:
  ServerConnection(ServerImpl& server, EventLoop& loop, Socket socket, std::unique_ptr<TlsFilter> tls);
  // On any byte stream (an in-process channel's pipe end).
  ServerConnection(ServerImpl& server, EventLoop& loop, std::unique_ptr<ByteStream> stream,
                   std::unique_ptr<TlsFilter> tls);
  ~ServerConnection() override;

  ServerImpl& server() noexcept { return server_; }
  // What this connection's calls hold of buffered data (see memory_budget.h).
  ConnectionBudget& budget() noexcept { return budget_; }
  // A call held back window credit for the budget: retry its credit (and
  // every other held back) shortly, as the budget frees.
  void retry_credit_later();
  void remove_call(ServerCall* call);
  // Graceful shutdown: GOAWAY; the connection closes when its calls are done.
  void begin_shutdown();
  // Past the grace period: cancel every call and close.
  void abort_calls();

 private:
  void* on_begin_headers(std::int32_t stream_id, void* stream) override;
  bool on_header(void* stream, std::string_view name, std::string_view value) override;
  void on_headers_end(void* stream, bool end_stream) override;
  void on_data(void* stream, const std::uint8_t* data, std::size_t size) override;
  void on_remote_end(void* stream) override;
  void on_stream_close(void* stream, std::uint32_t error_code) override;
  void on_body_drained(void* stream) override;
  void on_closed() override;
  void on_started() override;
  // A9: max_connection_idle and max_connection_age(+grace).
  void arm_idle_timer(std::chrono::steady_clock::duration after);
  void on_age_reached();

  ServerImpl& server_;
  ConnectionBudget budget_;
  std::unique_ptr<asio::steady_timer> credit_retry_;  // made on first use
  bool credit_retry_armed_ = false;
  // Every call on the connection (intrusive list through ServerCall), also
  // those whose stream is gone but whose handler still runs.
  ServerCall* calls_ = nullptr;
  std::size_t call_count_ = 0;
  std::unique_ptr<asio::steady_timer> idle_timer_;  // with max_connection_idle
  std::unique_ptr<asio::steady_timer> age_timer_;   // with max_connection_age
  std::chrono::steady_clock::time_point idle_since_;  // call_count_ last went to 0
  // New streams are refused (REFUSED_STREAM, safe to retry) while
  // call_count_ is at this (4x max_concurrent_streams: one read can reset
  // and reopen many streams before the reset calls' handlers get to
  // return): a client that resets streams cannot make handlers pile up.
  std::size_t max_calls() const noexcept;
  std::vector<ServerCall*> live_calls() const;
};

}  // namespace pronto::detail
