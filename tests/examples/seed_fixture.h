// tests/examples/seed_fixture.h — a seed server hosted in-process on
// 127.0.0.1:0 (temp SQLite file, no call log) and a channel to it.
//
// Ownership: the fixture owns the server and the channel; each test gets a
// fresh pair (and so a fresh database).
// Threading: the gtest thread drives the client; the server runs its own
// loops and pool.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "pronto/pronto.h"
#include "seed_server.h"

namespace seed_test {

using namespace std::chrono_literals;

// Longer than 50 characters with "Bearer ": the seed's rule accepts it.
inline constexpr const char* kToken = "test-token-0123456789abcdef0123456789abcdef0123456789";

class SeedFixture : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  // (Re)starts the server with `options` (log output off, two loops).
  void start(seed::SeedServerOptions options) {
    channel_.reset();
    app_.reset();
    options.log = nullptr;
    if (options.event_loops == 0) options.event_loops = 2;
    app_ = std::make_unique<seed::SeedServer>(options);
    app_->server().listen("127.0.0.1:0");
    // Thrown, not ASSERTed: a failed start must end the test, even mid-test.
    if (pronto::Status st = app_->server().start(); !st.ok()) throw std::runtime_error(st.to_string());
    channel_ = pronto::Channel::create("127.0.0.1:" + std::to_string(app_->server().port()));
  }

  // A deadline and, unless `token` is empty, "authorization: Bearer <token>".
  static pronto::CallOptions call(std::string token = kToken, std::chrono::nanoseconds timeout = 10s) {
    pronto::CallOptions options;
    options.timeout = timeout;
    if (!token.empty()) options.metadata.add("authorization", "Bearer " + token);
    return options;
  }

  // Polls `done` until it holds or `limit` passes; returns its last value.
  static bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  std::unique_ptr<seed::SeedServer> app_;
  std::shared_ptr<pronto::Channel> channel_;
};

}  // namespace seed_test
