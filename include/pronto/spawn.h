// pronto/spawn.h — running several tasks at once from one coroutine:
// spawn (fire and forget) and when_all (start all, resume when the last is
// done).
//
//   // 100 calls in flight at once, from one coroutine:
//   std::vector<pronto::Task<pronto::Result<Reply>>> calls;
//   for (auto& r : requests) calls.push_back(stub.async().Get(r));
//   std::vector<pronto::Result<Reply>> replies = co_await pronto::when_all(std::move(calls));
//
//   auto [a, b] = co_await pronto::when_all(stub.async().Get(r1), stub.async().List(r2));
//
// Ownership: spawn and when_all take the tasks by value and own them (their
// frames are freed when each task ends). Arguments of the tasks follow the
// usual Task rule: what a task refers to must outlive it.
// Threading: when_all starts every task on the calling thread (each runs to
// its first suspension, in order) and resumes the awaiting coroutine on the
// thread that completes the last task: for pronto client calls that is the
// event loop the awaiting coroutine was running on (a server handler stays on
// its loop), otherwise the channel's loop. Tasks may complete on different
// threads at the same time; the bookkeeping is an atomic counter. Under
// pronto::block_on the rest of the coroutine then runs on the channel's loop,
// and block_on returns on its own thread.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "pronto/task.h"

namespace pronto {

namespace detail {

// spawn's driver: starts at once, frees itself at the end.
struct SpawnedTask {
  struct promise_type : PooledFrame {
    SpawnedTask get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    [[noreturn]] void unhandled_exception() noexcept {
      try {
        throw;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "pronto::spawn: task ended with an exception: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "pronto::spawn: task ended with an exception\n");
      }
      std::terminate();
    }
  };
};

template <class T>
SpawnedTask run_spawned(Task<T> task) {
  (void)co_await std::move(task);
}

// void results are stored as std::monostate.
template <class T>
using WhenAllValue = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

struct WhenAllCounter {
  explicit WhenAllCounter(std::size_t n) : remaining(n) {}
  std::atomic<std::size_t> remaining;
  std::coroutine_handle<> waiter;
  // True for the one that brings the count to zero.
  bool arrive() noexcept { return remaining.fetch_sub(1, std::memory_order_acq_rel) == 1; }
};

// Runs one task of a when_all, stores its value or exception, and resumes
// the when_all's awaiter when it is the last one done. Frees itself.
struct WhenAllRunner {
  struct promise_type : PooledFrame {
    WhenAllCounter* counter = nullptr;
    WhenAllRunner get_return_object() noexcept {
      return {std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct Final {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        WhenAllCounter* c = h.promise().counter;
        h.destroy();
        return c->arrive() ? c->waiter : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }  // the body catches everything
  };
  std::coroutine_handle<promise_type> handle;
};

template <class T>
WhenAllRunner run_one(Task<T> task, std::optional<WhenAllValue<T>>& slot, std::exception_ptr& error) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(task);
      slot.emplace();
    } else {
      slot.emplace(co_await std::move(task));
    }
  } catch (...) {
    error = std::current_exception();
  }
}

// Starts the runners (already created, suspended) and suspends until the
// last one is done. Holds one count itself so that no runner can resume the
// awaiter before every runner was started.
struct WhenAllStart {
  WhenAllCounter& counter;
  std::vector<std::coroutine_handle<WhenAllRunner::promise_type>>& runners;
  bool await_ready() noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) noexcept {
    counter.waiter = h;
    for (auto r : runners) {
      r.promise().counter = &counter;
    }
    for (auto r : runners) r.resume();  // r may be freed when this returns
    return !counter.arrive();            // false: all done already, go on now
  }
  void await_resume() noexcept {}
};

}  // namespace detail

// Runs `task` detached: it starts now, on this thread, runs to its first
// suspension, and then continues wherever its awaits resume it. Its frame is
// freed when it ends. An exception escaping the task is printed to stderr
// and calls std::terminate (as an exception escaping a std::thread does):
// catch inside the task what you mean to handle. Nothing waits for a spawned
// task: what it uses (stubs, channels, servers) must outlive it.
template <class T>
void spawn(Task<T> task) {
  detail::run_spawned(std::move(task));
}

// Starts every task (in order, each up to its first suspension, on this
// thread) and completes when all are done, with their results in the same
// order. When tasks throw, the first exception (in task order) propagates,
// after all tasks completed. Task<void> elements give std::monostate.
template <class T>
Task<std::vector<detail::WhenAllValue<T>>> when_all(std::vector<Task<T>> tasks) {
  const std::size_t n = tasks.size();
  std::vector<std::optional<detail::WhenAllValue<T>>> slots(n);
  std::vector<std::exception_ptr> errors(n);
  if (n > 0) {
    detail::WhenAllCounter counter(n + 1);
    std::vector<std::coroutine_handle<detail::WhenAllRunner::promise_type>> runners;
    runners.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      runners.push_back(detail::run_one(std::move(tasks[i]), slots[i], errors[i]).handle);
    }
    co_await detail::WhenAllStart{counter, runners};
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  std::vector<detail::WhenAllValue<T>> out;
  out.reserve(n);
  for (auto& s : slots) out.push_back(std::move(*s));
  co_return out;
}

// The same for tasks of different types: a tuple of their results
// (std::monostate for a Task<void>).
template <class... Ts>
Task<std::tuple<detail::WhenAllValue<Ts>...>> when_all(Task<Ts>... tasks) {
  std::tuple<std::optional<detail::WhenAllValue<Ts>>...> slots;
  std::exception_ptr errors[sizeof...(Ts) + 1];
  detail::WhenAllCounter counter(sizeof...(Ts) + 1);
  std::vector<std::coroutine_handle<detail::WhenAllRunner::promise_type>> runners;
  runners.reserve(sizeof...(Ts));
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (runners.push_back(detail::run_one(std::move(tasks), std::get<I>(slots), errors[I]).handle), ...);
  }(std::index_sequence_for<Ts...>{});
  co_await detail::WhenAllStart{counter, runners};
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  co_return std::apply([](auto&... s) { return std::tuple<detail::WhenAllValue<Ts>...>(std::move(*s)...); }, slots);
}

}  // namespace pronto
