#include "transport/event_loop.h"

#include <pthread.h>

#include "pronto/detail/ambient.h"
#include "pronto/detail/buffer_cache.h"

namespace pronto::detail {

namespace {
thread_local EventLoop* t_current = nullptr;
}

EventLoop* EventLoop::current() noexcept { return t_current; }
void EventLoop::set_current(EventLoop* loop) noexcept { t_current = loop; }

EventLoop::EventLoop() : work_(asio::make_work_guard(io_)) {}

EventLoop::~EventLoop() {
  {
    // Posts from other threads stop here, before the io_context goes.
    std::lock_guard lock(remote_mu_);
    if (remote_) {
      std::lock_guard remote_lock(remote_->mu_);
      remote_->io_ = nullptr;
    }
  }
  stop();
  join();
}

std::shared_ptr<EventLoop::Remote> EventLoop::remote() {
  std::lock_guard lock(remote_mu_);
  if (!remote_) {
    remote_ = std::make_shared<Remote>();
    remote_->io_ = &io_;
  }
  return remote_;
}

void EventLoop::start(std::string name) {
  thread_ = std::thread([this, name = std::move(name)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    t_current = this;
    enable_buffer_cache();  // large messages reuse this thread's buffers
    io_.run();
    t_current = nullptr;
  });
}

void EventLoop::join() {
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

BlockingRegion::BlockingRegion() noexcept : saved_(t_current) { t_current = nullptr; }
BlockingRegion::~BlockingRegion() { t_current = static_cast<EventLoop*>(saved_); }

}  // namespace pronto::detail
