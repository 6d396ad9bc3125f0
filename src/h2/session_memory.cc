#include "h2/session_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace pronto::h2 {

namespace {

#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer checks only what it allocates: leave every block to it.
constexpr bool kSlots = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSlots = false;
#else
constexpr bool kSlots = true;
#endif
#else
constexpr bool kSlots = true;
#endif

// Address space only: pages become writable (and count against the commit
// limit) as slots are handed out, and resident only once written.
constexpr std::size_t kFrameArea = 64 << 10;  // the shared frame buffer
constexpr std::size_t kHalf = std::size_t{512} << 20;
constexpr std::size_t kCommitStep = 1 << 20;

// Sizes that may take a slot pass this test (also 0 and 5120, which
// take_slot turns away): one AND on the path of every other allocation.
constexpr std::size_t kSlotMask = ~(SessionMemory::kTableSlot | SessionMemory::kSmallSlot);

thread_local SessionMemory* t_grant = nullptr;  // see FrameBufferGrant

}  // namespace

SessionMemory::SessionMemory() {
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0 || kFrameArea % page != 0 || kCommitStep % page != 0) return;
  const std::size_t half = kSlots ? kHalf : 0;
  const std::size_t size = kFrameArea + 2 * half;
  void* p = ::mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;
  if (::mprotect(p, kFrameArea, PROT_READ | PROT_WRITE) != 0) {
    ::munmap(p, size);
    return;
  }
  base_ = reinterpret_cast<std::uintptr_t>(p);
  reserved_ = size;
  frame_buffer_ = p;
  zero_by_kernel_ = page == 4096;
  tables_.begin = base_ + kFrameArea;
  smalls_.begin = tables_.begin + half;
  half_size_ = half;
}

SessionMemory::~SessionMemory() {
  if (base_ != 0) ::munmap(reinterpret_cast<void*>(base_), reserved_);
}

void* SessionMemory::take_from(Half& half, std::size_t size) {
  if (!half.free.empty()) {
    void* p = half.free.back();
    half.free.pop_back();
    return p;
  }
  if (half.next + size > half.committed) {
    const std::size_t end = half.committed + kCommitStep;
    if (end > half_size_) return nullptr;
    if (::mprotect(reinterpret_cast<void*>(half.begin + half.committed), kCommitStep,
                   PROT_READ | PROT_WRITE) != 0) {
      return nullptr;
    }
    half.committed = end;
  }
  void* p = reinterpret_cast<void*>(half.begin + half.next);
  half.next += size;
  return p;
}

void* SessionMemory::take_slot(std::size_t size, bool zeroed) {
  if (half_size_ == 0 || (size != kTableSlot && size != kSmallSlot)) return nullptr;
  void* p;
  bool dirty;
  {
    std::lock_guard lock(mu_);
    Half& half = size == kTableSlot ? tables_ : smalls_;
    // Free table slots are zero; small ones are whatever their last user
    // left; fresh ones (past the bump offset) were never written.
    dirty = size == kSmallSlot && !half.free.empty();
    p = take_from(half, size);
    if (p == nullptr) return nullptr;
    ++in_use_;
  }
  if (zeroed && dirty) std::memset(p, 0, size);
  return p;
}

void SessionMemory::return_slot(void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  if (at < tables_.begin) return;  // the shared frame buffer: never freed
  const bool table = at < smalls_.begin;
  if (table) {
    // Back to the kernel: no longer resident, and zero when next written.
    if (!zero_by_kernel_ || ::madvise(p, kTableSlot, MADV_DONTNEED) != 0) std::memset(p, 0, kTableSlot);
  }
  std::lock_guard lock(mu_);
  (table ? tables_ : smalls_).free.push_back(p);
  --in_use_;
}

void* SessionMemory::malloc_hook(std::size_t size, void* self) {
  if ((size & kSlotMask) == 0) [[unlikely]]
    return static_cast<SessionMemory*>(self)->slot_or_malloc(size);
  return std::malloc(size);
}

void* SessionMemory::slot_or_malloc(std::size_t size) {
  if (void* p = take_slot(size, false)) return p;
  return std::malloc(size);
}

void SessionMemory::free_hook(void* p, void* self) {
  auto* memory = static_cast<SessionMemory*>(self);
  if (memory->owns(p)) [[unlikely]] {
    memory->return_slot(p);
    return;
  }
  std::free(p);
}

void* SessionMemory::calloc_hook(std::size_t n, std::size_t size, void* self) {
  const std::size_t bytes = n * size;
  if ((bytes & kSlotMask) == 0 && n != 0 && bytes / n == size) [[unlikely]] {
    if (void* p = static_cast<SessionMemory*>(self)->take_slot(bytes, true)) return p;
  }
  return std::calloc(n, size);
}

void* SessionMemory::realloc_hook(void* p, std::size_t size, void* self) {
  auto* memory = static_cast<SessionMemory*>(self);
  if (p == nullptr) {
    // nghttp2 allocates its frame buffer chunks with realloc(NULL, n).
    if (size == kFrameBufferSize && t_grant == memory) {
      t_grant = nullptr;
      return memory->frame_buffer_;
    }
    return malloc_hook(size, self);
  }
  if (!memory->owns(p)) return std::realloc(p, size);
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  const std::size_t old = at < memory->tables_.begin   ? kFrameBufferSize
                          : at < memory->smalls_.begin ? kTableSlot
                                                       : kSmallSlot;
  void* q = malloc_hook(size, self);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, std::min(old, size));
  free_hook(p, self);
  return q;
}

SessionMemory::FrameBufferGrant::FrameBufferGrant(SessionMemory& memory) noexcept
    : memory_(memory), saved_(t_grant), offered_(memory.frame_buffer_ != nullptr) {
  if (offered_) t_grant = &memory;
}

SessionMemory::FrameBufferGrant::~FrameBufferGrant() { t_grant = saved_; }

bool SessionMemory::FrameBufferGrant::taken() const noexcept { return offered_ && t_grant != &memory_; }

std::size_t SessionMemory::slots_in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

}  // namespace pronto::h2
