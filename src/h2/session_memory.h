// h2/session_memory.h — the memory of the nghttp2 sessions of one event loop,
// laid out so that an idle session touches as few pages as possible.
//
// nghttp2 (1.52) gives every session, besides its ~2.9 KiB struct, a 16 KiB
// output frame buffer, a 4 KiB stream table (calloc) and two 1 KiB HPACK
// tables. With malloc they sit among other blocks, so their pages count in
// RSS even while unused. Here:
// - server sessions share one frame buffer per loop. nghttp2 packs a frame
//   into it inside nghttp2_session_mem_send and nothing in it outlives the
//   call that returns 0 (Session::collect_output always drains it and copies
//   every frame out at once); sessions of one loop never send concurrently.
//   Client sessions keep their own: nghttp2 writes the client preface into
//   it at creation. (Sending with nghttp2_session_send and a send callback
//   that may take part of a frame would keep bytes in it across turns: such
//   a session must not share.)
// - stream tables and HPACK tables (exactly 4096 and 1024 bytes) come from
//   page-aligned slots of a reserved region, written only once used, so an
//   idle session's never become resident. A released 4 KiB slot is given
//   back to the kernel (MADV_DONTNEED), so it is zero again for calloc.
// Everything else goes to malloc, as with nghttp2's default allocator.
//
// Ownership: shared_ptr, held by the loop (EventLoop::session_memory) and by
// each Session using it, so it outlives them. Threading: the shared frame
// buffer is used only from nghttp2_session_mem_send on the loop's thread;
// slots are taken and returned under a mutex (a session may be created or
// destroyed on another thread); owns() is lock-free (the region never moves).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

namespace pronto::h2 {

class SessionMemory {
 public:
  // nghttp2's NGHTTP2_FRAMEBUF_CHUNKLEN: frame header, pad length, 16 KiB.
  static constexpr std::size_t kFrameBufferSize = 9 + 1 + 16384;
  static constexpr std::size_t kTableSlot = 4096;  // stream map: 256 x 16 B
  static constexpr std::size_t kSmallSlot = 1024;  // HPACK ring: 128 x 8 B

  static std::shared_ptr<SessionMemory> create() { return std::make_shared<SessionMemory>(); }
  SessionMemory();
  ~SessionMemory();
  SessionMemory(const SessionMemory&) = delete;
  SessionMemory& operator=(const SessionMemory&) = delete;

  // The nghttp2_mem functions; mem_user_data is the SessionMemory. Other
  // sizes cost one test over nghttp2's default allocator.
  static void* malloc_hook(std::size_t size, void* self);
  static void free_hook(void* p, void* self);
  static void* calloc_hook(std::size_t n, std::size_t size, void* self);
  static void* realloc_hook(void* p, std::size_t size, void* self);

  // While alive, on this thread, the first frame-buffer-sized allocation
  // from `memory` is the shared frame buffer: hold it around creating a
  // server session (where nghttp2 allocates the frame buffer, and nothing
  // else of that size). Nothing happens when sharing is off (no region).
  class FrameBufferGrant {
   public:
    explicit FrameBufferGrant(SessionMemory& memory) noexcept;
    ~FrameBufferGrant();
    FrameBufferGrant(const FrameBufferGrant&) = delete;
    FrameBufferGrant& operator=(const FrameBufferGrant&) = delete;
    // Whether the shared buffer was handed out.
    bool taken() const noexcept;

   private:
    SessionMemory& memory_;
    SessionMemory* saved_;
    bool offered_;
  };

  // The same as the hooks, for tests.
  void* allocate(std::size_t size) { return malloc_hook(size, this); }
  void* allocate_zeroed(std::size_t n, std::size_t size) { return calloc_hook(n, size, this); }
  void release(void* p) { free_hook(p, this); }
  void* reallocate(void* p, std::size_t size) { return realloc_hook(p, size, this); }
  // Whether `p` lies in the region (a slot or the shared frame buffer).
  bool owns(const void* p) const noexcept { return reinterpret_cast<std::uintptr_t>(p) - base_ < reserved_; }
  // Slots in use.
  std::size_t slots_in_use() const;
  // False without a region, and under AddressSanitizer (which checks only
  // what it allocates itself): then every block is malloc's.
  bool has_slots() const noexcept { return half_size_ != 0; }

 private:
  void* take_slot(std::size_t size, bool zeroed);
  [[gnu::noinline]] void* slot_or_malloc(std::size_t size);
  void return_slot(void* p);
  // One half of the region, for one slot size: bump allocation over pages
  // made writable on demand, then a free list.
  struct Half {
    std::uintptr_t begin = 0;
    std::size_t next = 0;       // bump offset
    std::size_t committed = 0;  // bytes from begin made writable
    std::vector<void*> free;
  };
  void* take_from(Half& half, std::size_t size);

  std::uintptr_t base_ = 0;   // the region (0: none, everything mallocs)
  std::size_t reserved_ = 0;  // its size (0 when there is none)
  std::size_t half_size_ = 0;
  void* frame_buffer_ = nullptr;
  bool zero_by_kernel_ = false;  // 4 KiB pages: MADV_DONTNEED zeroes a released table slot

  mutable std::mutex mu_;
  Half tables_;  // free ones are zero (see return_slot)
  Half smalls_;  // free ones are not
  std::size_t in_use_ = 0;
};

}  // namespace pronto::h2
