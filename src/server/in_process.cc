// server/in_process.cc — the server side of in-process channels: memory
// pipes (transport/memory_pipe.h) to new server connections on the server's
// loops, accepted like sockets. (The Channel itself is made in
// src/inproc/, above both server and client.)
#include <mutex>

#include "pronto/server.h"
#include "server/server_connection.h"
#include "server/server_impl.h"
#include "transport/memory_pipe.h"

namespace pronto {

namespace detail {

// What in-process channels connect through: the server while it runs
// (between a successful start() and shutdown), else nothing. Shared with
// the channels, which may outlive the server.
class InProcessAcceptor {
 public:
  void open(ServerImpl* server) {
    std::lock_guard lock(mu_);
    server_ = server;
  }
  void close() {
    std::lock_guard lock(mu_);
    server_ = nullptr;
  }
  // On the channel's loop: a new connection, or UNAVAILABLE.
  Result<std::unique_ptr<ByteStream>> connect(EventLoop& client_loop) {
    // Held while accepting: the server cannot go away meanwhile (its
    // destructor closes this first).
    std::lock_guard lock(mu_);
    if (server_ == nullptr) return Status::unavailable("in-process server is not running");
    return server_->accept_in_process(client_loop);
  }

 private:
  std::mutex mu_;
  ServerImpl* server_ = nullptr;
};

std::shared_ptr<InProcessAcceptor> ServerImpl::make_in_process_acceptor() {
  return std::make_shared<InProcessAcceptor>();
}
void ServerImpl::open_in_process(bool open) {
  if (open) {
    inproc_->open(this);
  } else {
    inproc_->close();
  }
}

Result<std::unique_ptr<ByteStream>> ServerImpl::accept_in_process(EventLoop& client_loop) {
  EventLoop& loop = next_loop();
  auto [client_end, server_end] = MemoryPipe::create(client_loop, loop);
  std::unique_lock lock(mu_);
  if (shutting_down_) return Status::unavailable("in-process server is shutting down");
  ++live_connections_;
  // As for an accepted socket: the connection runs on `loop`.
  auto conn = std::make_shared<ServerConnection>(*this, loop, std::move(server_end), nullptr);
  std::erase_if(connections_, [](const auto& w) { return w.expired(); });
  connections_.push_back(conn);
  lock.unlock();
  loop.post([conn, timeout = options_.handshake_timeout] { conn->start(timeout); });
  return std::unique_ptr<ByteStream>(std::move(client_end));
}

StreamConnector ServerImpl::in_process_connector() {
  in_process_requested_ = true;
  return [acceptor = inproc_](EventLoop& client_loop) { return acceptor->connect(client_loop); };
}

}  // namespace detail
}  // namespace pronto
