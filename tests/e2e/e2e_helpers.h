// e2e_helpers.h — small helpers shared by the end-to-end tests.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "echo_service.h"

namespace pronto::test {

inline EchoRequest request(std::string message, int delay_ms = 0) {
  EchoRequest r;
  r.set_message(std::move(message));
  r.set_delay_ms(delay_ms);
  return r;
}

// Polls `pred` every 5 ms until it holds or `limit` passes; its last value.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

}  // namespace pronto::test
