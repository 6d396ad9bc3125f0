#include "server/server_impl.h"

#include <asio/basic_socket_acceptor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <malloc.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <future>
#include <thread>

#include "server/server_connection.h"
#include "transport/address.h"

namespace pronto::detail {

struct ServerImpl::Listener {
  asio::basic_socket_acceptor<asio::generic::stream_protocol> acceptor;
  std::string address;    // as given to listen(), for messages
  std::string unix_path;  // removed at shutdown
  std::shared_ptr<TlsContext> tls;
  // Accepting pauses on this while descriptors (or kernel memory) run out.
  asio::steady_timer retry;
  bool told_exhausted = false;  // logged once per exhaustion
  explicit Listener(asio::io_context& io) : acceptor(io), retry(io) {}
};

namespace {

// accept() failed for want of a resource that frees up by itself (the
// pending connection stays in the backlog): retrying at once would spin.
bool out_of_resources(const asio::error_code& ec) {
  if (ec.category() != asio::system_category()) return false;
  switch (ec.value()) {
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return true;
    default:
      return false;
  }
}

// How long accepting pauses after running out of descriptors.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr auto kHousekeepingPeriod = std::chrono::milliseconds(250);
// Buffered call data freed since the last look that makes trimming worth it.
constexpr std::size_t kTrimAfterFreeing = 8 << 20;

}  // namespace

namespace {
// A connection's budget holds at least one message of the largest size
// accepted (and the server's at least one connection's): a smaller one could
// never admit such a message.
ServerOptions with_consistent_budgets(ServerOptions o) {
  o.max_connection_memory = std::max(o.max_connection_memory, o.max_receive_message_size + (1 << 20));
  o.max_server_memory = std::max(o.max_server_memory, o.max_connection_memory);
  return o;
}
}  // namespace

ServerImpl::ServerImpl(ServerOptions options)
    : options_(with_consistent_budgets(options)), memory_(options_.max_server_memory) {
  settings_.max_concurrent_streams = options_.max_concurrent_streams;
  if (options_.event_loops == 0) options_.event_loops = std::max(1u, std::thread::hardware_concurrency());
  if (options_.blocking_threads == 0) options_.blocking_threads = 1;
}

ServerImpl::~ServerImpl() {
  open_in_process(false);  // in-process channels may outlive the server
  shutdown(std::chrono::milliseconds(0));
}

void ServerImpl::add_service(Service& service) {
  for (const auto& m : service.methods()) methods_[m.path] = &m;
}

const Service::Method* ServerImpl::find_method(std::string_view path) const {
  auto it = methods_.find(path);
  return it == methods_.end() ? nullptr : it->second;
}

EventLoop& ServerImpl::next_loop() { return *loops_[next_loop_++ % loops_.size()]; }

Status ServerImpl::start() {
  if (started_) return Status::failed_precondition("server already started");
  for (unsigned i = 0; i < options_.event_loops; ++i) {
    loops_.push_back(std::make_unique<EventLoop>());
    loops_.back()->enable_session_memory();
  }
  pool_ = std::make_unique<asio::thread_pool>(options_.blocking_threads);

  for (const auto& [text, tls] : addresses_) {
    auto address = parse_address(text);
    if (!address) return address.status();
    auto endpoints = resolve(*address, true);
    if (!endpoints) return endpoints.status();
    auto listener = std::make_unique<Listener>(loops_[0]->io());
    listener->address = text;
    if (tls) {
      auto ctx = TlsContext::server(*tls);
      if (!ctx) return ctx.status();
      listener->tls = *ctx;
    }
    asio::error_code ec;
    const auto& ep = endpoints->front();
    if (address->kind == Address::Kind::unix_socket) {
      std::error_code fs_ec;
      std::filesystem::remove(address->path, fs_ec);  // a stale socket file
      listener->unix_path = address->path;
    }
    listener->acceptor.open(ep.protocol(), ec);
    if (!ec && address->kind == Address::Kind::tcp) {
      listener->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      if (ep.protocol().family() == AF_INET6) {
        int off = 0;  // dual stack for "[::]:port"
        ::setsockopt(listener->acceptor.native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
      }
    }
    if (!ec) listener->acceptor.bind(ep, ec);
    if (!ec) listener->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      listeners_.clear();
      return Status::unavailable("cannot listen on '" + text + "': " + ec.message());
    }
    int port = 0;
    if (address->kind == Address::Kind::tcp) {
      auto local = listener->acceptor.local_endpoint();
      asio::ip::tcp::endpoint tcp;
      std::memcpy(tcp.data(), local.data(), local.size());
      port = tcp.port();
    }
    ports_.push_back(port);
    listeners_.push_back(std::move(listener));
  }
  started_ = true;
  for (auto& l : listeners_) accept_next(*l);
  housekeeping_ = std::make_unique<asio::steady_timer>(loops_[0]->io());
  schedule_housekeeping();
  for (std::size_t i = 0; i < loops_.size(); ++i) loops_[i]->start("pronto-srv-" + std::to_string(i));
  open_in_process(true);
  return {};
}

void ServerImpl::accept_next(Listener& listener) {
  EventLoop& loop = next_loop();
  listener.acceptor.async_accept(loop.io(), [this, &listener, &loop](const asio::error_code& ec,
                                                                      Connection::Socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (out_of_resources(ec)) [[unlikely]] {
      // Existing connections go on; new ones wait in the backlog until
      // descriptors free up. Said once per exhaustion, not per retry.
      if (!listener.told_exhausted) {
        listener.told_exhausted = true;
        std::fprintf(stderr, "pronto: accept on %s: %s; retrying every %lld ms\n", listener.address.c_str(),
                     ec.message().c_str(), static_cast<long long>(kAcceptRetry.count()));
      }
      listener.retry.expires_after(kAcceptRetry);
      listener.retry.async_wait([this, &listener](const asio::error_code& wait_ec) {
        if (!wait_ec && listener.acceptor.is_open()) accept_next(listener);
      });
      return;
    }
    if (!ec) {
      listener.told_exhausted = false;
      std::unique_lock lock(mu_);
      if (shutting_down_) return;
      ++live_connections_;
      // The socket belongs to `loop`; start the connection there.
      auto conn = std::make_shared<ServerConnection>(
          *this, loop, std::move(socket), listener.tls ? std::make_unique<TlsFilter>(listener.tls, "") : nullptr);
      std::erase_if(connections_, [](const auto& w) { return w.expired(); });
      connections_.push_back(conn);
      lock.unlock();
      loop.post([conn, timeout = options_.handshake_timeout] { conn->start(timeout); });
    }
    accept_next(listener);
  });
}

void ServerImpl::schedule_housekeeping() {
  housekeeping_->expires_after(kHousekeepingPeriod);
  housekeeping_->async_wait([this](const asio::error_code& ec) {
    if (ec) return;
    // Buffers of a burst went back to malloc, which keeps them (and glibc's
    // mmap threshold rises after large frees, so big buffers come from the
    // heap): once a burst is over, return the free pages to the system.
    const std::size_t peak = memory_.take_peak();
    if (peak > memory_.used() + kTrimAfterFreeing) ::malloc_trim(0);
    schedule_housekeeping();
  });
}

void ServerImpl::connection_gone() {
  std::lock_guard lock(mu_);
  --live_connections_;
  cv_.notify_all();
}

void ServerImpl::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopped_; });
}

void ServerImpl::shutdown(std::chrono::milliseconds grace) {
  {
    std::unique_lock lock(mu_);
    if (!started_ || shutting_down_) {
      // Another thread is shutting down: wait for it (unless on a loop).
      if (started_ && EventLoop::current() == nullptr) cv_.wait(lock, [&] { return stopped_; });
      return;
    }
    shutting_down_ = true;
  }
  if (EventLoop::current() != nullptr) {
    // Called from a handler: finish in the background.
    std::thread([this, grace] { shutdown_now(grace); }).detach();
    return;
  }
  shutdown_now(grace);
}

void ServerImpl::shutdown_now(std::chrono::milliseconds grace) {
  open_in_process(false);  // in-process channels: no new connections
  // 1. Stop accepting (on the listeners' loop; wait until done, so a unix
  // socket file is gone when shutdown returns).
  std::promise<void> closed;
  loops_[0]->post([this, &closed] {
    for (auto& l : listeners_) {
      asio::error_code ec;
      l->acceptor.close(ec);
      l->retry.cancel();
      if (!l->unix_path.empty()) std::filesystem::remove(l->unix_path, ec);
    }
    if (housekeeping_) housekeeping_->cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  // 2. GOAWAY on every connection; they close as their calls finish.
  std::vector<std::shared_ptr<ServerConnection>> conns;
  {
    std::lock_guard lock(mu_);
    for (auto& w : connections_)
      if (auto c = w.lock()) conns.push_back(std::move(c));
  }
  for (auto& c : conns) c->loop().post([c] { c->begin_shutdown(); });
  conns.clear();
  // 3. Wait for them, up to the grace period.
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, grace, [&] { return live_connections_ == 0; });
    for (auto& w : connections_)
      if (auto c = w.lock()) conns.push_back(std::move(c));
  }
  // 4. Cancel what is left and close.
  for (auto& c : conns) {
    c->loop().post([c] {
      c->abort_calls();
      c->close();
    });
  }
  conns.clear();
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return live_connections_ == 0; });
  }
  for (auto& loop : loops_) loop->stop();
  for (auto& loop : loops_) loop->join();
  pool_->stop();
  pool_->join();
  std::lock_guard lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

}  // namespace pronto::detail
