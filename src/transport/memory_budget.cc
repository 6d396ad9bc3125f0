#include "transport/memory_budget.h"

namespace pronto::detail {

bool SharedMemoryBudget::try_take(std::size_t n) noexcept {
  std::size_t now = used_.load(std::memory_order_relaxed);
  do {
    if (now + n > limit_) return false;
  } while (!used_.compare_exchange_weak(now, now + n, std::memory_order_relaxed));
  note_peak(now + n);
  return true;
}

void SharedMemoryBudget::take(std::size_t n) noexcept {
  note_peak(used_.fetch_add(n, std::memory_order_relaxed) + n);
}

bool SharedMemoryBudget::under_pressure() const noexcept {
  return used() > limit_ / ConnectionBudget::kPressureDen * ConnectionBudget::kPressureNum;
}

void SharedMemoryBudget::note_peak(std::size_t now) noexcept {
  std::size_t peak = peak_.load(std::memory_order_relaxed);
  while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

ConnectionBudget::~ConnectionBudget() {
  if (shared_ && drawn_ > 0) shared_->give_back(drawn_);
}

bool ConnectionBudget::draw(std::size_t need, bool must_fit) noexcept {
  // Round up to whole chunks: the next reservations come from the slack.
  const std::size_t target = (need + kChunk - 1) / kChunk * kChunk;
  const std::size_t more = target - drawn_;
  if (shared_) {
    if (must_fit) {
      // Without the rounding if only the exact amount fits.
      if (!shared_->try_take(more)) {
        if (!shared_->try_take(need - drawn_)) return false;
        drawn_ = need;
        return true;
      }
    } else {
      shared_->take(more);
    }
  }
  drawn_ = target;
  return true;
}

void ConnectionBudget::give_back() noexcept {
  // Keep one chunk of slack for the next reservations.
  const std::size_t keep = (used_ + kChunk - 1) / kChunk * kChunk + kChunk;
  if (drawn_ <= keep) return;
  if (shared_) shared_->give_back(drawn_ - keep);
  drawn_ = keep;
}

}  // namespace pronto::detail
