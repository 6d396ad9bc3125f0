// server/health_state.h — the serving status of each service, for the health
// service (services/health_service.h) and Server::set_serving_status.
//
// Statuses are kept per service name; "" is the server as a whole. A name
// without an entry is unknown (Check: NOT_FOUND, Watch: SERVICE_UNKNOWN).
// start() marks every registered service (and "") SERVING unless a status was
// set for it before; begin_shutdown() turns every entry NOT_SERVING and
// freezes the table (later set() calls are ignored, as in grpc++).
//
// Watchers: a Watch call registers a Watcher and awaits next(); a change to
// its service (or shutdown, or the call's cancellation) resumes it on the
// event loop it registered from, through a post (never inline, so the
// thread that calls set() never runs a handler).
//
// Ownership: owned by ServerImpl. A Watcher is shared by the handler that
// waits on it and the table (until the handler's Registration goes away).
// Threading: every member may be called from any thread. One mutex guards
// the table and the watchers; only health calls and set() take it: ordinary
// calls never touch this object.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pronto/health.h"

namespace pronto::detail {

class EventLoop;

class HealthState {
 public:
  // One Watch call's view of one service.
  class Watcher {
   public:
    struct Update {
      ServingStatus status;  // service_unknown when the name has no entry
      bool shutting_down;    // the server began shutting down
      bool cancelled;        // the call was cancelled
    };
    // co_await next(): resumes (on the watcher's loop) once something
    // changed since the last next(); the first next() returns at once.
    auto next() {
      struct Awaiter {
        Watcher* w;
        bool await_ready() { return w->ready(); }
        bool await_suspend(std::coroutine_handle<> h) { return w->park(h); }
        Update await_resume() { return w->take(); }
      };
      return Awaiter{this};
    }
    // The call was cancelled: wakes a pending next(). Any thread.
    void cancel();

    Watcher(HealthState& state, std::string service, EventLoop& loop)
        : state_(&state), service_(std::move(service)), loop_(&loop) {}

   private:
    friend class HealthState;
    bool ready();
    bool park(std::coroutine_handle<> h);
    Update take();
    void notify_locked();  // state_->mu_ held

    HealthState* state_;
    const std::string service_;
    EventLoop* loop_;
    // Guarded by state_->mu_:
    bool changed_ = true;  // the first next() reports the current status
    bool cancelled_ = false;
    std::coroutine_handle<> waiting_;
  };

  // Keeps a Watcher registered; unregisters it when destroyed.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& o) noexcept : watcher_(std::move(o.watcher_)) {}
    Registration& operator=(Registration&&) = delete;
    ~Registration();
    explicit operator bool() const noexcept { return watcher_ != nullptr; }
    Watcher& operator*() const noexcept { return *watcher_; }
    Watcher* operator->() const noexcept { return watcher_.get(); }
    const std::shared_ptr<Watcher>& shared() const noexcept { return watcher_; }

   private:
    friend class HealthState;
    explicit Registration(std::shared_ptr<Watcher> w) : watcher_(std::move(w)) {}
    std::shared_ptr<Watcher> watcher_;
  };

  HealthState() = default;
  HealthState(const HealthState&) = delete;
  HealthState& operator=(const HealthState&) = delete;

  // Sets a service's status and tells its watchers. Ignored once shutting
  // down. `service_unknown` removes the entry (the name becomes unknown).
  void set(std::string_view service, ServingStatus status);
  // nullopt: no entry for that name.
  std::optional<ServingStatus> get(std::string_view service) const;
  // Every entry, sorted by name.
  std::vector<std::pair<std::string, ServingStatus>> list() const;
  std::size_t size() const;
  // The server runs: "" and each name in `services` become SERVING unless
  // a status was set for them before.
  void start(const std::vector<std::string>& services);
  // Every entry NOT_SERVING, for good; every watcher is woken.
  void begin_shutdown();
  bool shutting_down() const;

  // Registers a watcher of `service` that resumes on `loop`; an empty
  // Registration once `max_watchers` are registered.
  Registration watch(std::string service, EventLoop& loop, std::size_t max_watchers);
  std::size_t watchers() const;

 private:
  void notify_locked(std::string_view service);
  void unwatch(Watcher* w);

  mutable std::mutex mu_;
  std::map<std::string, ServingStatus, std::less<>> statuses_;  // guarded by mu_
  std::multimap<std::string, Watcher*, std::less<>> watchers_;  // guarded by mu_
  bool shutting_down_ = false;                                  // guarded by mu_
};

}  // namespace pronto::detail
