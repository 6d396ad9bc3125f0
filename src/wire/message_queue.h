// wire/message_queue.h — FIFO of received messages for one call: the first
// message waits in an inline slot (a unary request never allocates here),
// more spill to a vector.
// Ownership: owns the queued messages. Single thread.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "wire/deframer.h"

namespace pronto::wire {

class MessageQueue {
 public:
  bool empty() const noexcept { return size() == 0; }
  std::size_t size() const noexcept { return (first_ ? 1 : 0) + (rest_.size() - head_); }

  // Memory the queued messages hold (payload buffers and the entries), for
  // memory budgets.
  std::size_t bytes() const noexcept { return bytes_; }
  static std::size_t cost(const Message& m) noexcept { return sizeof(Message) + m.payload.capacity(); }

  void push(Message m) {
    bytes_ += cost(m);
    if (!first_ && head_ == rest_.size()) {
      first_.emplace(std::move(m));
    } else {
      rest_.push_back(std::move(m));
    }
  }
  // Precondition: !empty().
  Message pop() {
    if (first_) {
      Message m = std::move(*first_);
      first_.reset();
      bytes_ -= cost(m);
      return m;
    }
    Message m = std::move(rest_[head_++]);
    if (head_ == rest_.size()) {
      // A burst's storage is not kept.
      if (rest_.capacity() > kKeptCapacity) {
        rest_ = {};
      } else {
        rest_.clear();
      }
      head_ = 0;
    }
    bytes_ -= cost(m);
    return m;
  }

 private:
  static constexpr std::size_t kKeptCapacity = 16;
  std::optional<Message> first_;
  std::vector<Message> rest_;
  std::size_t head_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace pronto::wire
