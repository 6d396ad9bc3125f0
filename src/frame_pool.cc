// The per-thread pool behind coroutine frames (see pronto/task.h).
#include <array>
#include <cstdlib>
#include <new>

#include "pronto/task.h"

namespace pronto::detail {

namespace {

constexpr std::size_t kStep = 64;
constexpr std::size_t kClasses = 32;          // up to 2 KiB
constexpr std::size_t kMaxCachedPerClass = 512;

struct FreeBlock {
  FreeBlock* next;
};

class FramePool {
 public:
  ~FramePool() {
    for (auto& head : heads_) {
      while (head) {
        FreeBlock* b = head;
        head = b->next;
        ::operator delete(b);
      }
    }
  }
  void* take(std::size_t cls) {
    FreeBlock* b = heads_[cls];
    if (!b) return ::operator new((cls + 1) * kStep);
    heads_[cls] = b->next;
    --counts_[cls];
    return b;
  }
  void give(void* p, std::size_t cls) noexcept {
    if (counts_[cls] >= kMaxCachedPerClass) {
      ::operator delete(p);
      return;
    }
    auto* b = static_cast<FreeBlock*>(p);
    b->next = heads_[cls];
    heads_[cls] = b;
    ++counts_[cls];
  }

 private:
  std::array<FreeBlock*, kClasses> heads_{};
  std::array<std::size_t, kClasses> counts_{};
};

thread_local FramePool t_pool;

std::size_t size_class(std::size_t size) { return (size - 1) / kStep; }

}  // namespace

void* allocate_frame(std::size_t size) {
  const std::size_t cls = size_class(size);
  if (cls >= kClasses) return ::operator new(size);
  return t_pool.take(cls);
}

void free_frame(void* p, std::size_t size) noexcept {
  const std::size_t cls = size_class(size);
  if (cls >= kClasses) {
    ::operator delete(p);
    return;
  }
  t_pool.give(p, cls);
}

}  // namespace pronto::detail
