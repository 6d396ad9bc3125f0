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

  void push(Message m) {
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
      return m;
    }
    Message m = std::move(rest_[head_++]);
    if (head_ == rest_.size()) {
      rest_.clear();
      head_ = 0;
    }
    return m;
  }

 private:
  std::optional<Message> first_;
  std::vector<Message> rest_;
  std::size_t head_ = 0;
};

}  // namespace pronto::wire
