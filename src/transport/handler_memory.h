// transport/handler_memory.h — room inside an object for one pending asio
// operation at a time, so that the operation needs no allocation.
//
// asio allocates each pending operation (the handler and its bookkeeping)
// through the handler's associated allocator: with
// asio::bind_allocator(memory.allocator(), handler) it takes this room when
// the room is free and large enough, else the heap. asio frees an
// operation's memory before it runs (or drops) the handler, so a handler may
// hold the last reference to the owner.
// Ownership: embedded in its owner, which the pending handler keeps alive.
// Threading: the owner's loop only.
#pragma once

#include <cstddef>
#include <new>

namespace pronto::detail {

template <std::size_t Size>
class HandlerMemory {
 public:
  template <class T>
  class Allocator {
   public:
    using value_type = T;
    explicit Allocator(HandlerMemory& memory) noexcept : memory_(&memory) {}
    template <class U>
    Allocator(const Allocator<U>& other) noexcept : memory_(other.memory_) {}
    T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
    void deallocate(T* p, std::size_t) noexcept { memory_->deallocate(p); }
    template <class U>
    bool operator==(const Allocator<U>& other) const noexcept {
      return memory_ == other.memory_;
    }

   private:
    template <class>
    friend class Allocator;
    HandlerMemory* memory_;
  };

  HandlerMemory() = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  Allocator<void> allocator() noexcept { return Allocator<void>(*this); }

 private:
  void* allocate(std::size_t n) {
    if (!in_use_ && n <= Size) {
      in_use_ = true;
      return bytes_;
    }
    return ::operator new(n);
  }
  void deallocate(void* p) noexcept {
    if (p == bytes_) {
      in_use_ = false;
    } else {
      ::operator delete(p);
    }
  }

  alignas(std::max_align_t) unsigned char bytes_[Size];
  bool in_use_ = false;
};

}  // namespace pronto::detail
