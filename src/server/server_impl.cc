#include "server/server_impl.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <asio/basic_socket_acceptor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <thread>
#include <unordered_set>

#include "log.h"
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
  settings_.max_header_list_size = options_.max_header_list_size;
  max_send_message_size_ = std::min<std::size_t>(options_.max_send_message_size, 0xFFFFFFFFu);
  if (options_.event_loops == 0) options_.event_loops = std::max(1u, std::thread::hardware_concurrency());
  if (options_.blocking_threads == 0) options_.blocking_threads = 1;
  if (options_.metrics) metrics_ = std::make_unique<metrics::Registry>(metrics::Side::server);
}

ServerImpl::~ServerImpl() {
  open_in_process(false);  // in-process channels may outlive the server
  shutdown(std::chrono::milliseconds(0));
}

void ServerImpl::add_owned_service(std::unique_ptr<Service> service) {
  services_.push_back(service.get());
  owned_services_.push_back(std::move(service));
}

bool ServerImpl::has_service(std::string_view name) const { return find_service(name) != nullptr; }

Service* ServerImpl::find_service(std::string_view name) const {
  for (Service* s : services_)
    if (s->name() == name) return s;
  return nullptr;
}

ServerImpl& ServerImpl::health_listener(std::string address) {
  if (!health_listener_) {
    // One loop and one pool thread: probes are few and small. Its own
    // signals and memory are not its concern (this server's run() handles
    // signals and shuts it down).
    ServerOptions o;
    o.event_loops = 1;
    o.blocking_threads = 1;
    o.handle_signals = false;
    o.handshake_timeout = options_.handshake_timeout;
    o.max_concurrent_streams = options_.max_concurrent_streams;
    o.health_service = false;
    o.max_health_watchers = options_.max_health_watchers;
    health_listener_ = std::make_unique<ServerImpl>(o);
  }
  health_listener_->add_listen_address(std::move(address));
  return *health_listener_;
}

bool ServerImpl::serving() {
  std::lock_guard lock(mu_);
  return started_ && !shutting_down_ && !stopped_;
}

const Service::Method* ServerImpl::find_method(std::string_view path) const {
  auto it = methods_.find(path);
  return it == methods_.end() ? nullptr : it->second;
}

EventLoop& ServerImpl::next_loop() { return *loops_[next_loop_++ % loops_.size()]; }

Status ServerImpl::start() {
  if (started_) return Status::failed_precondition("server already started");
  if (addresses_.empty() && !in_process_requested_) {
    return Status::failed_precondition(
        "server has no listen address: call listen() (or in_process_channel()) before start()");
  }
  // The routing table: a service name or method path twice is an error,
  // not a silent choice between two handlers.
  std::unordered_set<std::string_view> names;
  methods_.clear();
  for (const Service* service : services_) {
    if (!names.insert(service->name()).second) {
      methods_.clear();
      return Status::already_exists("service '" + service->name() + "' added twice");
    }
    for (const auto& m : service->methods()) {
      if (!methods_.emplace(m.path, &m).second) {
        methods_.clear();
        return Status::already_exists("method '" + m.path + "' defined twice (service '" + service->name() +
                                      "')");
      }
    }
  }
  Status st;
  try {
    st = start_listeners();
    if (st.ok() && health_listener_) st = health_listener_->start();
  } catch (const std::exception& e) {  // a thread or the allocator refused
    st = Status::internal(std::string("cannot start the server: ") + e.what());
  }
  if (!st.ok()) {
    abandon_start();
    return st;  // the caller's to report
  }
  started_ = true;
  {
    // Every registered service is SERVING once the server runs (unless its
    // status was set before start()).
    std::vector<std::string> names;
    for (const Service* service : services_) names.push_back(service->name());
    health_.start(names);
  }
  for (auto& l : listeners_) accept_next(*l);
  housekeeping_ = std::make_unique<asio::steady_timer>(loops_[0]->io());
  schedule_housekeeping();
  for (std::size_t i = 0; i < loops_.size(); ++i) loops_[i]->start("pronto-srv-" + std::to_string(i));
  open_in_process(true);
  if (log_enabled(LogLevel::info)) {
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
      logf(LogLevel::info, "listening on %s%s (port %d)", listeners_[i]->address.c_str(),
           listeners_[i]->tls ? " with TLS" : "", ports_[i]);
    }
  }
  return {};
}

Status ServerImpl::start_listeners() {
  // Everything that can be checked without a socket, first.
  std::vector<Address> parsed;
  std::vector<std::shared_ptr<TlsContext>> tls;
  for (const auto& [text, tls_options] : addresses_) {
    auto address = parse_listen_address(text);
    if (!address) return address.status();
    parsed.push_back(std::move(*address));
    tls.emplace_back();
    if (tls_options) {
      auto ctx = TlsContext::server(*tls_options);
      if (!ctx) return Status(ctx.status().code(), "TLS for '" + text + "': " + ctx.status().message());
      tls.back() = *ctx;
    }
  }
  for (unsigned i = 0; i < options_.event_loops; ++i) {
    loops_.push_back(std::make_unique<EventLoop>());
    loops_.back()->enable_session_memory();
  }
  pool_ = std::make_unique<asio::thread_pool>(options_.blocking_threads);

  for (std::size_t i = 0; i < addresses_.size(); ++i) {
    const std::string& text = addresses_[i].address;
    const Address& address = parsed[i];
    auto endpoints = resolve(address, true);
    if (!endpoints)
      return Status(endpoints.status().code(),
                    "cannot listen on '" + text + "': " + endpoints.status().message());
    auto listener = std::make_unique<Listener>(loops_[0]->io());
    listener->address = text;
    listener->tls = tls[i];
    asio::error_code ec;
    const auto& ep = endpoints->front();
    if (address.kind == Address::Kind::unix_socket) {
      // A stale socket file from an earlier run; never anything else.
      std::error_code fs_ec;
      if (std::filesystem::is_socket(address.path, fs_ec)) std::filesystem::remove(address.path, fs_ec);
    }
    listener->acceptor.open(ep.protocol(), ec);
    if (!ec && address.kind == Address::Kind::tcp) {
      listener->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      if (ep.protocol().family() == AF_INET6) {
        int off = 0;  // dual stack for "[::]:port"
        ::setsockopt(listener->acceptor.native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
      }
    }
    if (!ec) listener->acceptor.bind(ep, ec);
    if (!ec && address.kind == Address::Kind::unix_socket) listener->unix_path = address.path;  // ours now
    if (!ec) listener->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    int port = 0;
    if (!ec && address.kind == Address::Kind::tcp) {
      auto local = listener->acceptor.local_endpoint(ec);
      asio::ip::tcp::endpoint tcp;
      if (!ec) std::memcpy(tcp.data(), local.data(), local.size());
      port = tcp.port();
    }
    if (ec) {
      listeners_.push_back(std::move(listener));  // abandon_start() removes its socket file
      return Status::unavailable("cannot listen on '" + text + "': " + ec.message());
    }
    ports_.push_back(port);
    listeners_.push_back(std::move(listener));
  }
  return {};
}

void ServerImpl::abandon_start() {
  for (auto& l : listeners_) {
    asio::error_code ec;
    l->acceptor.close(ec);
    if (!l->unix_path.empty()) std::filesystem::remove(l->unix_path, ec);
  }
  listeners_.clear();
  ports_.clear();
  methods_.clear();
  if (health_listener_) health_listener_->shutdown(std::chrono::milliseconds(0));
  loops_.clear();  // never started: nothing runs on them
  if (pool_) {
    pool_->stop();
    pool_->join();
    pool_.reset();
  }
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
        logf(LogLevel::warning, "accept on %s: %s; retrying every %lld ms", listener.address.c_str(),
             ec.message().c_str(), static_cast<long long>(kAcceptRetry.count()));
      }
      listener.retry.expires_after(kAcceptRetry);
      listener.retry.async_wait([this, &listener](const asio::error_code& wait_ec) {
        if (!wait_ec && listener.acceptor.is_open()) accept_next(listener);
      });
      return;
    }
    if (ec) {
      // A connection reset before it was accepted, and the like: the peer's
      // doing, so not worth more than debug.
      logf(LogLevel::debug, "accept on %s: %s", listener.address.c_str(), ec.message().c_str());
    } else {
      if (listener.told_exhausted) logf(LogLevel::info, "accepting on %s again", listener.address.c_str());
      listener.told_exhausted = false;
      std::unique_lock lock(mu_);
      if (shutting_down_) return;
      if (options_.max_connections != 0 && live_connections_ >= options_.max_connections) [[unlikely]] {
        // Over the limit: closed at once (grpc-core's
        // max_allowed_incoming_connections), not left in the backlog.
        lock.unlock();
        asio::error_code ignored;
        socket.close(ignored);
        logf(LogLevel::debug, "accept on %s: max_connections (%zu) reached: connection closed",
             listener.address.c_str(), options_.max_connections);
        accept_next(listener);
        return;
      }
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
  // 0. Health: everything NOT_SERVING, and open Watch calls told (their
  // resumptions are posted to the loops before the GOAWAYs below), so a
  // prober learns it before the connection starts draining.
  health_.begin_shutdown();
  // The health listener shuts down alongside (its watchers saw the above).
  std::thread health_listener_down;
  if (health_listener_) {
    health_listener_down = std::thread([this, grace] { health_listener_->shutdown(grace); });
  }
  open_in_process(false);  // in-process channels: no new connections
  logf(LogLevel::info, "shutting down (grace period %lld ms)", static_cast<long long>(grace.count()));
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
    cv_.wait_for(lock, grace, [&] { return live_connections_ == 0 || cut_grace_; });
    for (auto& w : connections_)
      if (auto c = w.lock()) conns.push_back(std::move(c));
  }
  if (!conns.empty()) {
    logf(LogLevel::info, "grace period over: cancelling the calls of %zu connection(s)", conns.size());
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
  if (health_listener_down.joinable()) health_listener_down.join();
  std::lock_guard lock(mu_);
  stopped_ = true;
  cv_.notify_all();
  if (run_wake_fd_ >= 0) {
    const char stopped = 0;
    [[maybe_unused]] auto n = ::write(run_wake_fd_, &stopped, 1);
  }
}

void ServerImpl::cut_grace() {
  std::lock_guard lock(mu_);
  cut_grace_ = true;
  cv_.notify_all();
}

// run() and signals. A signal handler may only do async-signal-safe things,
// in whatever thread the kernel picked: it writes the signal number to a
// process-wide pipe that is never closed. Each run() polls that pipe and its
// own; whichever run() reads the byte hands it to every run() in progress
// (several servers may run() at once), through their own pipes, under a
// mutex. Handlers are installed by the first run() and the previous ones put
// back by the last.
namespace {

int g_signal_pipe[2] = {-1, -1};  // set once, before any handler can run

extern "C" void on_stop_signal(int sig) {
  const int saved = errno;
  const char byte = static_cast<char>(sig);
  [[maybe_unused]] auto n = ::write(g_signal_pipe[1], &byte, 1);
  errno = saved;
}

struct SignalRegistry {
  std::mutex mu;
  std::vector<int> run_fds;  // write ends of the pipes of runs in progress
  struct sigaction previous[2];
};

SignalRegistry& registry() {
  static SignalRegistry r;
  return r;
}

constexpr int kStopSignals[2] = {SIGINT, SIGTERM};

bool make_pipe(int fds[2]) { return ::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0; }

// The scope of one run(): its pipe, registered; handlers installed; the
// signals unblocked in this thread (and so in the loop threads start()
// creates from it).
class SignalScope {
 public:
  SignalScope() {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    if (g_signal_pipe[0] < 0 && !make_pipe(g_signal_pipe)) {
      error_ = std::strerror(errno);
      return;
    }
    if (!make_pipe(fds_)) {
      error_ = std::strerror(errno);
      return;
    }
    if (r.run_fds.empty()) {
      struct sigaction sa {};
      sa.sa_handler = on_stop_signal;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESTART;
      for (int i = 0; i < 2; ++i) ::sigaction(kStopSignals[i], &sa, &r.previous[i]);
    }
    r.run_fds.push_back(fds_[1]);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kStopSignals) sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, &old_mask_);
    registered_ = true;
  }
  ~SignalScope() {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    if (registered_) {
      pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
      std::erase(r.run_fds, fds_[1]);
      if (r.run_fds.empty()) {
        for (int i = 0; i < 2; ++i) ::sigaction(kStopSignals[i], &r.previous[i], nullptr);
      }
    }
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

  const std::string& error() const { return error_; }
  int wake_fd() const { return fds_[1]; }

  // Blocks until something arrives: a signal number, or 0 once the server
  // has stopped.
  std::vector<int> wait() {
    pollfd fds[2] = {{g_signal_pipe[0], POLLIN, 0}, {fds_[0], POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0 && errno == EINTR) {
    }
    char buffer[64];
    if (fds[0].revents & POLLIN) {
      // Hand the signals to every run() in progress, this one included.
      auto& r = registry();
      std::lock_guard lock(r.mu);
      ssize_t n = 0;
      while ((n = ::read(g_signal_pipe[0], buffer, sizeof buffer)) > 0) {
        for (int fd : r.run_fds) [[maybe_unused]] auto w = ::write(fd, buffer, static_cast<std::size_t>(n));
      }
    }
    std::vector<int> events;
    ssize_t n = 0;
    while ((n = ::read(fds_[0], buffer, sizeof buffer)) > 0) {
      for (ssize_t i = 0; i < n; ++i) events.push_back(static_cast<unsigned char>(buffer[i]));
    }
    return events;
  }

 private:
  int fds_[2] = {-1, -1};
  sigset_t old_mask_{};
  bool registered_ = false;
  std::string error_;
};

}  // namespace

Status ServerImpl::run() {
  // start() first (to learn the ports, say) and run() afterwards is fine.
  const bool start_here = !started_;
  if (!options_.handle_signals) {
    if (start_here) {
      if (Status st = start(); !st.ok()) return st;
    }
    wait();
    return {};
  }
  SignalScope signals;
  if (!signals.error().empty()) return Status::internal("cannot set up signal handling: " + signals.error());
  if (start_here) {
    if (Status st = start(); !st.ok()) return st;
  }
  {
    std::lock_guard lock(mu_);
    if (stopped_) return {};
    run_wake_fd_ = signals.wake_fd();
  }
  std::thread shutter;  // runs the graceful shutdown while signals are watched
  int signals_seen = 0;
  for (bool stopped = false; !stopped;) {
    for (int event : signals.wait()) {
      if (event == 0) {
        stopped = true;
      } else if (++signals_seen == 1) {
        logf(LogLevel::info, "%s: shutting down", event == SIGINT ? "SIGINT" : "SIGTERM");
        shutter = std::thread([this] { shutdown(options_.shutdown_grace); });
      } else {
        logf(LogLevel::info, "%s again: ending the grace period", event == SIGINT ? "SIGINT" : "SIGTERM");
        cut_grace();
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    run_wake_fd_ = -1;
  }
  if (shutter.joinable()) shutter.join();
  return {};
}

}  // namespace pronto::detail
