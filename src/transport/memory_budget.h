// transport/memory_budget.h — how much buffered call data a connection, and
// all connections of a server together, may hold: received messages not yet
// taken by the application, partial messages (at their declared length),
// and outbound bytes queued but not yet handed to the socket.
//
// Two levels. A SharedMemoryBudget is the server's pool (thread-safe). A
// ConnectionBudget is one connection's account (its loop only); it draws
// from the pool in chunks, so a call's reservations cost no atomic operation
// in the common case and loops do not contend on one cache line.
//
// Near a limit (kPressureNum/kPressureDen of it) a connection is "under
// pressure": it refuses new streams and stops reopening stream windows.
// At the limit, a reservation that must fit (an inbound message) fails and
// the call fails with RESOURCE_EXHAUSTED. Outbound bytes are always
// counted (the writer already holds them) but never fail.
//
// Ownership: the pool is owned by the server and outlives its connections;
// a ConnectionBudget is a member of its connection and gives everything it
// drew back to the pool when destroyed.
#pragma once

#include <atomic>
#include <cstddef>

namespace pronto::detail {

class SharedMemoryBudget {
 public:
  explicit SharedMemoryBudget(std::size_t limit) noexcept : limit_(limit) {}
  SharedMemoryBudget(const SharedMemoryBudget&) = delete;
  SharedMemoryBudget& operator=(const SharedMemoryBudget&) = delete;

  // Takes n bytes if they fit under the limit.
  bool try_take(std::size_t n) noexcept;
  // Takes n bytes even past the limit.
  void take(std::size_t n) noexcept;
  void give_back(std::size_t n) noexcept { used_.fetch_sub(n, std::memory_order_relaxed); }

  std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const noexcept { return limit_; }
  bool under_pressure() const noexcept;
  // The most in use since the last call (for giving freed memory back to
  // the system after a burst); resets the mark to what is in use now.
  std::size_t take_peak() noexcept { return peak_.exchange(used(), std::memory_order_relaxed); }

 private:
  void note_peak(std::size_t now) noexcept;
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
  std::atomic<std::size_t> peak_{0};
};

class ConnectionBudget {
 public:
  ConnectionBudget(std::size_t limit, SharedMemoryBudget* shared) noexcept : limit_(limit), shared_(shared) {}
  ~ConnectionBudget();
  ConnectionBudget(const ConnectionBudget&) = delete;
  ConnectionBudget& operator=(const ConnectionBudget&) = delete;

  // n more bytes, if they fit under this connection's limit and the pool's.
  bool try_reserve(std::size_t n) noexcept {
    if (used_ + n > limit_) return false;
    if (used_ + n > drawn_ && !draw(used_ + n, true)) return false;
    used_ += n;
    return true;
  }
  // n more bytes, whatever the limits.
  void reserve(std::size_t n) noexcept {
    if (used_ + n > drawn_) draw(used_ + n, false);
    used_ += n;
  }
  void release(std::size_t n) noexcept {
    used_ -= n;
    if (drawn_ - used_ > 2 * kChunk) [[unlikely]]
      give_back();
  }

  std::size_t used() const noexcept { return used_; }
  std::size_t limit() const noexcept { return limit_; }
  // Near this connection's limit or the pool's: refuse new streams, stop
  // reopening windows.
  bool under_pressure() const noexcept {
    return used_ > limit_ / kPressureDen * kPressureNum || (shared_ && shared_->under_pressure());
  }

  static constexpr std::size_t kPressureNum = 3;
  static constexpr std::size_t kPressureDen = 4;
  // Drawn from the pool in multiples of this.
  static constexpr std::size_t kChunk = 64 * 1024;

 private:
  bool draw(std::size_t need, bool must_fit) noexcept;
  void give_back() noexcept;

  const std::size_t limit_;
  SharedMemoryBudget* const shared_;
  std::size_t used_ = 0;
  std::size_t drawn_ = 0;  // taken from the pool (>= used_)
};

}  // namespace pronto::detail
