#include "server/health_state.h"

#include <utility>

#include "transport/event_loop.h"

namespace pronto::detail {

namespace {
// Resumes `h` on `loop` from a post: set() may come from any thread, and
// cancel() from inside the session's callbacks, where no handler may run.
void resume_on(EventLoop* loop, std::coroutine_handle<> h) {
  loop->post([h] { h.resume(); });
}
}  // namespace

bool HealthState::Watcher::ready() {
  std::lock_guard lock(state_->mu_);
  return changed_ || cancelled_;
}

bool HealthState::Watcher::park(std::coroutine_handle<> h) {
  std::lock_guard lock(state_->mu_);
  if (changed_ || cancelled_) return false;  // changed between ready() and here
  waiting_ = h;
  return true;
}

HealthState::Watcher::Update HealthState::Watcher::take() {
  std::lock_guard lock(state_->mu_);
  changed_ = false;
  auto it = state_->statuses_.find(service_);
  return {it == state_->statuses_.end() ? ServingStatus::service_unknown : it->second, state_->shutting_down_,
          cancelled_};
}

void HealthState::Watcher::notify_locked() {
  changed_ = true;
  if (waiting_) resume_on(loop_, std::exchange(waiting_, nullptr));
}

void HealthState::Watcher::cancel() {
  std::lock_guard lock(state_->mu_);
  cancelled_ = true;
  if (waiting_) resume_on(loop_, std::exchange(waiting_, nullptr));
}

HealthState::Registration::~Registration() {
  if (watcher_) watcher_->state_->unwatch(watcher_.get());
}

void HealthState::set(std::string_view service, ServingStatus status) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (status == ServingStatus::service_unknown) {
    auto it = statuses_.find(service);
    if (it == statuses_.end()) return;
    statuses_.erase(it);
  } else {
    auto [it, inserted] = statuses_.try_emplace(std::string(service), status);
    if (!inserted) {
      if (it->second == status) return;
      it->second = status;
    }
  }
  notify_locked(service);
}

std::optional<ServingStatus> HealthState::get(std::string_view service) const {
  std::lock_guard lock(mu_);
  auto it = statuses_.find(service);
  if (it == statuses_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, ServingStatus>> HealthState::list() const {
  std::lock_guard lock(mu_);
  return {statuses_.begin(), statuses_.end()};
}

std::size_t HealthState::size() const {
  std::lock_guard lock(mu_);
  return statuses_.size();
}

void HealthState::start(const std::vector<std::string>& services) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  auto mark = [this](const std::string& name) {
    if (statuses_.try_emplace(name, ServingStatus::serving).second) notify_locked(name);
  };
  mark("");
  for (const auto& s : services) mark(s);
}

void HealthState::begin_shutdown() {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  shutting_down_ = true;
  for (auto& [name, status] : statuses_) status = ServingStatus::not_serving;
  for (auto& [name, w] : watchers_) w->notify_locked();  // unknown names too: their stream ends
}

bool HealthState::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

HealthState::Registration HealthState::watch(std::string service, EventLoop& loop, std::size_t max_watchers) {
  std::lock_guard lock(mu_);
  if (watchers_.size() >= max_watchers) return {};
  auto w = std::make_shared<Watcher>(*this, service, loop);
  watchers_.emplace(std::move(service), w.get());
  return Registration(std::move(w));
}

std::size_t HealthState::watchers() const {
  std::lock_guard lock(mu_);
  return watchers_.size();
}

void HealthState::notify_locked(std::string_view service) {
  auto [first, last] = watchers_.equal_range(service);
  for (auto it = first; it != last; ++it) it->second->notify_locked();
}

void HealthState::unwatch(Watcher* w) {
  std::lock_guard lock(mu_);
  // The handler is done with it (or its frame is gone): a late cancel()
  // must not resume anything.
  w->waiting_ = nullptr;
  w->cancelled_ = true;
  auto [first, last] = watchers_.equal_range(w->service_);
  for (auto it = first; it != last; ++it) {
    if (it->second == w) {
      watchers_.erase(it);
      return;
    }
  }
}

}  // namespace pronto::detail
