// seed/logging_interceptor.h — logs one line per finished call (method,
// peer, status, time since the call's headers arrived) and counts calls.
//
// Ownership: borrows the output FILE (nullptr: count only).
// Threading: called from every event loop at once; each line is one
// fprintf (stdio locks the FILE) and the counter is atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>

#include "pronto/interceptor.h"

namespace seed {

class LoggingInterceptor final : public pronto::ServerInterceptor {
 public:
  explicit LoggingInterceptor(std::FILE* out = stderr) : out_(out) {}

  void on_finish(pronto::ServerContext& ctx, const pronto::Status& status) override;

  std::int64_t calls() const noexcept { return calls_.load(); }

 private:
  std::FILE* out_;
  std::atomic<std::int64_t> calls_{0};
};

}  // namespace seed
