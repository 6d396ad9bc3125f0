// bench-pronto-client — the pronto side of the client comparison
// (scenario f) and of the upload's client figures (scenario d). Same flags
// and output as bench-grpc-client for the modes it has:
//
//   bench-pronto-client --target=127.0.0.1:P --mode=unary|upload [flags]
//
//   --mode=unary   helloworld SayHello (--method=hello) or bench Echo with
//                  --payload=N (--method=echo); --channels=C channels, each
//                  with --concurrency=M calls in flight. The calls are
//                  coroutines started from main; they run on each channel's
//                  event loop thread (one thread per channel). --warmup=S
//                  then --seconds=S, or exactly --calls=N.
//   --mode=upload  one Upload call of --total-bytes in --message-size byte
//                  messages, with the blocking writer.
//
// Prints "mark start" / "mark end" around the measured window, then one
// JSON line. Every status and reply is checked ("errors"; exit code 1).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench.pronto.h"
#include "bench_common.h"
#include "helloworld.pronto.h"
#include "pronto/pronto.h"

namespace {

using Clock = std::chrono::steady_clock;

void mark(const char* what) {
  std::printf("mark %s\n", what);
  std::fflush(stdout);
}

// A coroutine that starts at once and frees itself when done.
struct Detached {
  struct promise_type {
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

using Options = bench::ClientOptions;

enum Phase : int { kWarmup, kMeasure, kDrain };

struct Shared {
  std::atomic<int> phase{kWarmup};
  std::atomic<std::int64_t> issued{0};
  std::int64_t limit = 0;  // --calls, 0: until kDrain
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t running = 0;
  std::string first_error;
};

// What one in-flight slot saw; touched by its coroutine only until it ends.
struct Slot {
  std::int64_t calls = 0;
  std::int64_t errors = 0;
  std::vector<double> latencies;
};

bool take_ticket(Shared& sh) {
  if (sh.phase.load(std::memory_order_acquire) == kDrain) return false;
  return sh.limit == 0 || sh.issued.fetch_add(1, std::memory_order_relaxed) < sh.limit;
}

void slot_done(Shared& sh) {
  std::lock_guard lock(sh.mu);
  if (--sh.running == 0) sh.cv.notify_all();
}

void note_error(Shared& sh, Slot& slot, const std::string& what) {
  if (slot.errors++ == 0) {
    std::lock_guard lock(sh.mu);
    if (sh.first_error.empty()) sh.first_error = what;
  }
}

Detached hello_slot(Shared& sh, Slot& slot, helloworld::Greeter::Stub::Async stub) {
  helloworld::HelloRequest request;
  request.set_name("world");
  while (take_ticket(sh)) {
    Clock::time_point start = Clock::now();
    pronto::Result<helloworld::HelloReply> reply = co_await stub.SayHello(request);
    Clock::time_point end = Clock::now();
    if (!reply) {
      note_error(sh, slot, reply.status().to_string());
    } else if (reply->message() != "Hello world") {
      note_error(sh, slot, "unexpected reply: " + reply->message());
    }
    if (sh.phase.load(std::memory_order_acquire) == kMeasure) {
      ++slot.calls;
      slot.latencies.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  slot_done(sh);
}

Detached echo_slot(Shared& sh, Slot& slot, bench::Bench::Stub::Async stub, std::int64_t payload) {
  bench::Blob request;
  request.mutable_data()->assign(static_cast<std::size_t>(payload), 'p');
  while (take_ticket(sh)) {
    Clock::time_point start = Clock::now();
    pronto::Result<bench::Blob> reply = co_await stub.Echo(request);
    Clock::time_point end = Clock::now();
    if (!reply) {
      note_error(sh, slot, reply.status().to_string());
    } else if (reply->data().size() != static_cast<std::size_t>(payload)) {
      note_error(sh, slot, "short echo");
    }
    if (sh.phase.load(std::memory_order_acquire) == kMeasure) {
      ++slot.calls;
      slot.latencies.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  slot_done(sh);
}

int run_unary(const Options& o) {
  const bool hello = o.method == "hello";
  std::vector<std::shared_ptr<pronto::Channel>> channels;
  for (int i = 0; i < o.channels; ++i) {
    auto ch = pronto::Channel::create(o.target, {.metrics = o.metrics});
    // Connect before anything is measured.
    helloworld::HelloRequest req;
    req.set_name("world");
    bench::Blob blob;
    pronto::Status st = hello ? helloworld::Greeter::Stub(ch).SayHello(req).status()
                              : bench::Bench::Stub(ch).Echo(blob).status();
    if (!st.ok()) {
      std::fprintf(stderr, "cannot reach %s: %s\n", o.target.c_str(), st.to_string().c_str());
      return 1;
    }
    channels.push_back(std::move(ch));
  }

  Shared sh;
  sh.limit = o.calls;
  const bool fixed_calls = o.calls > 0;
  if (fixed_calls || o.warmup <= 0) sh.phase = kMeasure;
  std::vector<Slot> slots(static_cast<std::size_t>(o.channels * o.concurrency));
  for (auto& s : slots) s.latencies.reserve(1 << 16);
  sh.running = static_cast<std::int64_t>(slots.size());

  double cpu0 = bench::process_cpu_seconds();
  Clock::time_point t0 = Clock::now();
  if (sh.phase == kMeasure) mark("start");
  for (std::size_t i = 0; i < slots.size(); ++i) {
    auto& ch = channels[i / static_cast<std::size_t>(o.concurrency)];
    if (hello) {
      hello_slot(sh, slots[i], helloworld::Greeter::Stub(ch).async());
    } else {
      echo_slot(sh, slots[i], bench::Bench::Stub(ch).async(), o.payload);
    }
  }
  if (!fixed_calls) {
    if (sh.phase == kWarmup) {
      std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
      cpu0 = bench::process_cpu_seconds();
      t0 = Clock::now();
      sh.phase.store(kMeasure, std::memory_order_release);
      mark("start");
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    sh.phase.store(kDrain, std::memory_order_release);
  }
  double cpu1 = 0;
  Clock::time_point t1;
  if (!fixed_calls) {
    cpu1 = bench::process_cpu_seconds();
    t1 = Clock::now();
    mark("end");
  }
  {
    std::unique_lock lock(sh.mu);
    sh.cv.wait(lock, [&] { return sh.running == 0; });
  }
  if (fixed_calls) {
    cpu1 = bench::process_cpu_seconds();
    t1 = Clock::now();
    mark("end");
  }

  std::int64_t calls = 0, errors = 0;
  std::vector<double> latencies;
  for (auto& s : slots) {
    calls += s.calls;
    errors += s.errors;
    latencies.insert(latencies.end(), s.latencies.begin(), s.latencies.end());
  }
  if (errors) std::fprintf(stderr, "call failed: %s\n", sh.first_error.c_str());
  double secs = std::chrono::duration<double>(t1 - t0).count();
  bench::Json j;
  j.str("mode", "unary").str("client", "pronto").num("calls", static_cast<double>(calls))
      .num("errors", static_cast<double>(errors)).num("seconds", secs)
      .num("calls_per_s", secs > 0 ? calls / secs : 0).num("cpu_s", cpu1 - cpu0)
      .num("cpu_us_per_call", calls ? (cpu1 - cpu0) * 1e6 / calls : 0)
      .num("p50_us", bench::percentile_us(latencies, 50)).num("p90_us", bench::percentile_us(latencies, 90))
      .num("p99_us", bench::percentile_us(latencies, 99)).num("p999_us", bench::percentile_us(latencies, 99.9))
      .num("max_rss_kib", static_cast<double>(bench::peak_rss_kib()));
  j.print();
  return errors ? 1 : 0;
}

int run_upload(const Options& o) {
  bench::Bench::Stub stub(pronto::Channel::create(o.target, {.metrics = o.metrics}));
  bench::Blob blob;
  blob.mutable_data()->assign(static_cast<std::size_t>(o.message_size), 'u');
  std::int64_t messages = o.total_bytes / o.message_size;
  mark("start");
  Clock::time_point t0 = Clock::now();
  double cpu0 = bench::process_cpu_seconds();
  auto writer = stub.Upload();
  std::int64_t sent = 0;
  while (sent < messages && writer.write(blob)) ++sent;
  pronto::Result<bench::UploadSummary> summary = writer.finish();
  double secs = bench::seconds_since(t0);
  double cpu = bench::process_cpu_seconds() - cpu0;
  mark("end");
  std::int64_t expected = messages * o.message_size;
  bool good = summary && sent == messages && summary->bytes() == expected && summary->messages() == messages;
  if (!good) {
    std::fprintf(stderr, "upload failed: %s; sent %lld\n", summary.status().to_string().c_str(),
                 static_cast<long long>(sent));
  }
  double bytes = summary ? static_cast<double>(summary->bytes()) : 0;
  bench::Json j;
  j.str("mode", "upload").str("client", "pronto").num("bytes", bytes)
      .num("messages", summary ? static_cast<double>(summary->messages()) : 0).num("errors", good ? 0 : 1)
      .num("seconds", secs).num("mb_per_s", secs > 0 ? bytes / secs / 1e6 : 0).num("cpu_s", cpu)
      .num("max_rss_kib", static_cast<double>(bench::peak_rss_kib()));
  j.print();
  return good ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = bench::parse_client_flags(argc, argv, "bench-pronto-client", {"unary", "upload"},
                                              /*message_size=*/65536);
  return o.mode == "unary" ? run_unary(o) : run_upload(o);
}
