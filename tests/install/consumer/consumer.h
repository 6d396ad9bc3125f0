// consumer.h — what the install test's programs share: the Echo service,
// CHECK, helpers. See main.cc.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "consumer.pronto.h"
#include "pronto/pronto.h"

namespace {

#define CHECK(cond)                                                                      \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "consumer: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::exit(1);                                                                      \
    }                                                                                    \
  } while (0)

class EchoImpl final : public consumer::Echo::Service {
 public:
  pronto::Task<pronto::Result<consumer::Pong>> Say(pronto::ServerContext& ctx,
                                                   const consumer::Ping& request) override {
    consumer::Pong pong;
    pong.set_text("pong " + request.text());
    if (auto k = ctx.client_metadata().get("k")) pong.set_k(std::string(*k));
    co_return pong;
  }
  pronto::Task<pronto::Status> Count(pronto::ServerContext& ctx, const consumer::Ping& request,
                                     pronto::ServerWriter<consumer::Pong>& writer) override {
    for (int i = 0; i < request.count(); ++i) {
      consumer::Pong pong;
      pong.set_text(request.text());
      pong.set_index(i);
      if (pronto::Status st = co_await writer.write(pong); !st.ok()) co_return st;
    }
    co_return pronto::Status{};
  }
};

sigset_t stop_signals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  return s;
}

consumer::Ping ping(std::string text, int count = 0) {
  consumer::Ping p;
  p.set_text(std::move(text));
  p.set_count(count);
  return p;
}

}  // namespace
