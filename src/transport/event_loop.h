// transport/event_loop.h — one asio::io_context on its own thread.
//
// Ownership: owned by a Server (one per loop) or a Channel. stop() then
// join() (or the destructor) ends the thread; work still queued is dropped.
// Threading: post() from any thread; everything else from the owner's thread.
#pragma once

// A standard header before the first asio one, in every header that
// includes asio: asio decides whether its handler memory uses aligned_alloc
// or operator new from what the standard library defined before it
// (_GLIBCXX_HAVE_ALIGNED_ALLOC), and every translation unit must decide the
// same (the linker keeps one copy of asio's inline functions). This is the
// choice of any code that includes a standard header first.
#include <cstddef>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "h2/session_memory.h"

namespace pronto::detail {

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  asio::io_context& io() noexcept { return io_; }
  // Starts the loop thread.
  void start(std::string name);
  // Lets run() return once the queue is empty of work (no more keep-alive).
  void release_work() { work_.reset(); }
  void stop() { io_.stop(); }
  void join();

  template <class F>
  void post(F&& f) {
    asio::post(io_, std::forward<F>(f));
  }
  bool in_loop() const noexcept { return current() == this; }

  // Posts to a loop from any thread, also after the loop is gone: then
  // post() returns false and leaves `f` to the caller. For peers on other
  // loops that may outlive this one (transport/memory_pipe.h).
  class Remote {
   public:
    template <class F>
    bool post(F&& f) {
      std::lock_guard lock(mu_);
      if (io_ == nullptr) return false;
      asio::post(*io_, std::forward<F>(f));
      return true;
    }

   private:
    friend class EventLoop;
    std::mutex mu_;
    asio::io_context* io_ = nullptr;
  };
  // Made on first use (only memory pipes use it).
  std::shared_ptr<Remote> remote();

  // Where the server sessions of this loop allocate (null unless enabled;
  // enable before start()).
  void enable_session_memory() { session_memory_ = h2::SessionMemory::create(); }
  const std::shared_ptr<h2::SessionMemory>& session_memory() const noexcept { return session_memory_; }

  // The loop running on this thread (nullptr on other threads, and inside a
  // BlockingRegion).
  static EventLoop* current() noexcept;
  static void set_current(EventLoop* loop) noexcept;

 private:
  std::shared_ptr<h2::SessionMemory> session_memory_;  // shared with the sessions made on this loop
  asio::io_context io_{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::mutex remote_mu_;
  std::shared_ptr<Remote> remote_;  // guarded by remote_mu_
};

}  // namespace pronto::detail
