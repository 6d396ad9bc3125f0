// grpc-bench-client — the load/checking client built on the official gRPC
// C++ library. bench/run uses it (a) to verify that every call of a shape
// ends with grpc-status 0 (h2load cannot see trailers), (b) as the fixed
// client of the server-streaming, upload and ping-pong scenarios, and (c)
// as the official side of the client comparison (scenario f).
//
//   grpc-bench-client --target=127.0.0.1:P --mode=MODE [flags]
//
//   --mode=unary     helloworld.Greeter/SayHello (--method=hello, default)
//                    or bench.Bench/Echo with --payload=N bytes
//                    (--method=echo). --channels=C connections, each with
//                    --concurrency=M calls in flight, all driven by ONE
//                    thread on ONE completion queue. Runs --warmup=S then
//                    --seconds=S, or exactly --calls=N (no warm-up).
//   --mode=stream    one bench.Bench/Stream call of --message-size=100
//                    byte messages, read as fast as possible for
//                    --warmup + --seconds, then cancelled.
//   --mode=upload    one bench.Bench/Upload call sending --total-bytes in
//                    --message-size byte messages.
//   --mode=pingpong  one bench.Bench/PingPong call, one --message-size byte
//                    message at a time, for --warmup + --seconds.
//
// Prints "mark start" / "mark end" lines around the measured window (the
// harness samples the server's CPU there), then one JSON line of figures.
// Every call's status and every reply is checked; "errors" counts the
// failures and the exit code is 1 if there were any.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench.grpc.pb.h"
#include "bench_common.h"
#include "helloworld.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

void mark(const char* what) {
  std::printf("mark %s\n", what);
  std::fflush(stdout);
}

using Options = bench::ClientOptions;

std::shared_ptr<grpc::Channel> make_channel(const Options& o, int index) {
  grpc::ChannelArguments args;
  // One TCP connection per channel: without these, channels to the same
  // target share a subchannel (and its connection) process-wide.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("bench.channel_index", index);
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  args.SetMaxSendMessageSize(64 * 1024 * 1024);
  auto channel = grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    std::fprintf(stderr, "cannot connect to %s\n", o.target.c_str());
    std::exit(1);
  }
  return channel;
}

// ---- unary ------------------------------------------------------------------

struct UnaryCall {
  int channel = 0;
  Clock::time_point start;
  grpc::ClientContext ctx;
  grpc::Status status;
  helloworld::HelloReply hello_reply;
  bench::Blob echo_reply;
  std::unique_ptr<grpc::ClientAsyncResponseReader<helloworld::HelloReply>> hello_rpc;
  std::unique_ptr<grpc::ClientAsyncResponseReader<bench::Blob>> echo_rpc;
};

int run_unary(const Options& o) {
  const bool hello = o.method == "hello";
  std::vector<std::unique_ptr<helloworld::Greeter::Stub>> greeters;
  std::vector<std::unique_ptr<bench::Bench::Stub>> benches;
  for (int i = 0; i < o.channels; ++i) {
    auto ch = make_channel(o, i);
    greeters.push_back(helloworld::Greeter::NewStub(ch));
    benches.push_back(bench::Bench::NewStub(ch));
  }
  helloworld::HelloRequest hello_request;
  hello_request.set_name("world");
  const std::string expected_hello = "Hello world";
  bench::Blob echo_request;
  echo_request.mutable_data()->assign(static_cast<std::size_t>(o.payload), 'p');

  grpc::CompletionQueue cq;
  std::int64_t issued = 0;
  auto start_call = [&](int channel) {
    auto* call = new UnaryCall;
    call->channel = channel;
    call->start = Clock::now();
    if (hello) {
      call->hello_rpc = greeters[channel]->AsyncSayHello(&call->ctx, hello_request, &cq);
      call->hello_rpc->Finish(&call->hello_reply, &call->status, call);
    } else {
      call->echo_rpc = benches[channel]->AsyncEcho(&call->ctx, echo_request, &cq);
      call->echo_rpc->Finish(&call->echo_reply, &call->status, call);
    }
    ++issued;
  };

  const bool fixed_calls = o.calls > 0;
  enum class Phase { warmup, measure, drain } phase = (fixed_calls || o.warmup <= 0) ? Phase::measure : Phase::warmup;
  Clock::time_point t_begin = Clock::now();
  auto warm_end = t_begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  Clock::time_point t0 = t_begin, t1 = t_begin;
  double cpu0 = bench::process_cpu_seconds(), cpu1 = cpu0;
  if (phase == Phase::measure) mark("start");
  std::int64_t measured = 0, errors = 0, outstanding = 0;
  std::vector<double> latencies;
  latencies.reserve(1 << 20);

  for (int c = 0; c < o.channels; ++c) {
    for (int m = 0; m < o.concurrency; ++m) {
      if (fixed_calls && issued >= o.calls) break;
      start_call(c);
      ++outstanding;
    }
  }
  void* tag = nullptr;
  bool ok = false;
  while (outstanding > 0 && cq.Next(&tag, &ok)) {
    --outstanding;
    auto* call = static_cast<UnaryCall*>(tag);
    Clock::time_point now = Clock::now();
    if (phase == Phase::warmup && now >= warm_end) {
      phase = Phase::measure;
      t0 = now;
      cpu0 = bench::process_cpu_seconds();
      mark("start");
    } else if (phase == Phase::measure && !fixed_calls &&
               now - t0 >= std::chrono::duration<double>(o.seconds)) {
      phase = Phase::drain;
      t1 = now;
      cpu1 = bench::process_cpu_seconds();
      mark("end");
    }
    bool good = ok && call->status.ok();
    if (good) {
      good = hello ? call->hello_reply.message() == expected_hello
                   : call->echo_reply.data().size() == static_cast<std::size_t>(o.payload);
    }
    if (!good) {
      if (errors == 0) {
        std::fprintf(stderr, "call failed: code %d: %s\n", static_cast<int>(call->status.error_code()),
                     call->status.error_message().c_str());
      }
      ++errors;
    }
    if (phase == Phase::measure) {
      ++measured;
      latencies.push_back(std::chrono::duration<double, std::micro>(now - call->start).count());
    }
    int channel = call->channel;
    delete call;
    bool again = phase != Phase::drain && (!fixed_calls || issued < o.calls);
    if (again) {
      start_call(channel);
      ++outstanding;
    }
  }
  if (phase == Phase::measure) {  // fixed number of calls
    t1 = Clock::now();
    cpu1 = bench::process_cpu_seconds();
    mark("end");
  }
  double secs = std::chrono::duration<double>(t1 - t0).count();
  bench::Json j;
  j.str("mode", "unary").str("client", "official").num("calls", static_cast<double>(measured))
      .num("errors", static_cast<double>(errors)).num("seconds", secs)
      .num("calls_per_s", secs > 0 ? measured / secs : 0).num("cpu_s", cpu1 - cpu0)
      .num("cpu_us_per_call", measured ? (cpu1 - cpu0) * 1e6 / measured : 0)
      .num("p50_us", bench::percentile_us(latencies, 50)).num("p90_us", bench::percentile_us(latencies, 90))
      .num("p99_us", bench::percentile_us(latencies, 99)).num("p999_us", bench::percentile_us(latencies, 99.9))
      .num("max_rss_kib", static_cast<double>(bench::peak_rss_kib()));
  j.print();
  return errors ? 1 : 0;
}

// ---- streaming ----------------------------------------------------------------

int run_stream(const Options& o) {
  auto stub = bench::Bench::NewStub(make_channel(o, 0));
  bench::StreamRequest request;
  request.set_message_size(static_cast<int>(o.message_size));
  request.set_count(0);
  grpc::ClientContext ctx;
  auto reader = stub->Stream(&ctx, request);
  bench::Blob blob;
  Clock::time_point begin = Clock::now(), t0 = begin, t1 = begin;
  std::int64_t total = 0, measured = 0, bad = 0;
  bool measuring = false;
  double cpu0 = 0, cpu1 = 0;
  while (reader->Read(&blob)) {
    ++total;
    if (blob.data().size() != static_cast<std::size_t>(o.message_size)) ++bad;
    // Look at the clock every 64 messages: reading it per message would
    // cost more than the message.
    if ((total & 63) != 0) continue;
    double t = bench::seconds_since(begin);
    if (!measuring && t >= o.warmup) {
      measuring = true;
      t0 = Clock::now();
      cpu0 = bench::process_cpu_seconds();
      measured = -total;
      mark("start");
    } else if (measuring && t >= o.warmup + o.seconds) {
      t1 = Clock::now();
      cpu1 = bench::process_cpu_seconds();
      measured += total;
      mark("end");
      break;
    }
  }
  ctx.TryCancel();
  while (reader->Read(&blob)) {
  }
  grpc::Status st = reader->Finish();
  bool ended_by_us = st.error_code() == grpc::StatusCode::CANCELLED && measuring;
  std::int64_t errors = bad + (ended_by_us ? 0 : 1);
  if (!ended_by_us) std::fprintf(stderr, "stream ended early: %d %s\n", st.error_code(), st.error_message().c_str());
  double secs = std::chrono::duration<double>(t1 - t0).count();
  bench::Json j;
  j.str("mode", "stream").str("client", "official").num("messages", static_cast<double>(measured))
      .num("errors", static_cast<double>(errors)).num("seconds", secs)
      .num("messages_per_s", secs > 0 ? measured / secs : 0)
      .num("mb_per_s", secs > 0 ? measured * static_cast<double>(o.message_size) / secs / 1e6 : 0)
      .num("cpu_s", cpu1 - cpu0).num("max_rss_kib", static_cast<double>(bench::peak_rss_kib()));
  j.print();
  return errors ? 1 : 0;
}

int run_upload(const Options& o) {
  auto stub = bench::Bench::NewStub(make_channel(o, 0));
  bench::Blob blob;
  blob.mutable_data()->assign(static_cast<std::size_t>(o.message_size), 'u');
  std::int64_t messages = o.total_bytes / o.message_size;
  bench::UploadSummary summary;
  grpc::ClientContext ctx;
  mark("start");
  Clock::time_point t0 = Clock::now();
  double cpu0 = bench::process_cpu_seconds();
  auto writer = stub->Upload(&ctx, &summary);
  std::int64_t sent = 0;
  while (sent < messages && writer->Write(blob)) ++sent;
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  double secs = bench::seconds_since(t0);
  double cpu = bench::process_cpu_seconds() - cpu0;
  mark("end");
  std::int64_t expected = messages * o.message_size;
  bool good = st.ok() && sent == messages && summary.bytes() == expected && summary.messages() == messages;
  if (!good) {
    std::fprintf(stderr, "upload failed: %d %s; sent %lld, server saw %lld bytes\n", st.error_code(),
                 st.error_message().c_str(), static_cast<long long>(sent), static_cast<long long>(summary.bytes()));
  }
  bench::Json j;
  j.str("mode", "upload").str("client", "official").num("bytes", static_cast<double>(summary.bytes()))
      .num("messages", static_cast<double>(summary.messages())).num("errors", good ? 0 : 1).num("seconds", secs)
      .num("mb_per_s", secs > 0 ? summary.bytes() / secs / 1e6 : 0).num("cpu_s", cpu)
      .num("max_rss_kib", static_cast<double>(bench::peak_rss_kib()));
  j.print();
  return good ? 0 : 1;
}

int run_pingpong(const Options& o) {
  auto stub = bench::Bench::NewStub(make_channel(o, 0));
  grpc::ClientContext ctx;
  auto stream = stub->PingPong(&ctx);
  bench::Blob out, in;
  out.mutable_data()->assign(static_cast<std::size_t>(o.message_size), 'q');
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  Clock::time_point begin = Clock::now(), t0 = begin, t1 = begin;
  bool measuring = false;
  std::int64_t errors = 0;
  double cpu0 = 0, cpu1 = 0;
  for (;;) {
    Clock::time_point s = Clock::now();
    if (!measuring && s - begin >= std::chrono::duration<double>(o.warmup)) {
      measuring = true;
      t0 = s;
      cpu0 = bench::process_cpu_seconds();
      mark("start");
    } else if (measuring && s - t0 >= std::chrono::duration<double>(o.seconds)) {
      t1 = s;
      cpu1 = bench::process_cpu_seconds();
      mark("end");
      break;
    }
    if (!stream->Write(out) || !stream->Read(&in)) {
      ++errors;
      break;
    }
    if (in.data().size() != out.data().size()) ++errors;
    if (measuring) latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
  }
  stream->WritesDone();
  grpc::Status st = stream->Finish();
  if (!st.ok()) {
    std::fprintf(stderr, "ping-pong failed: %d %s\n", st.error_code(), st.error_message().c_str());
    ++errors;
  }
  double secs = std::chrono::duration<double>(t1 - t0).count();
  double n = static_cast<double>(latencies.size());
  bench::Json j;
  j.str("mode", "pingpong").str("client", "official").num("round_trips", n)
      .num("errors", static_cast<double>(errors)).num("seconds", secs)
      .num("round_trips_per_s", secs > 0 ? n / secs : 0).num("cpu_s", cpu1 - cpu0)
      .num("p50_us", bench::percentile_us(latencies, 50)).num("p90_us", bench::percentile_us(latencies, 90))
      .num("p99_us", bench::percentile_us(latencies, 99)).num("p999_us", bench::percentile_us(latencies, 99.9))
      .num("max_rss_kib", static_cast<double>(bench::peak_rss_kib()));
  j.print();
  return errors ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o =
      bench::parse_client_flags(argc, argv, "grpc-bench-client", {"unary", "stream", "upload", "pingpong"},
                                /*message_size=*/100);
  if (o.mode == "unary") return run_unary(o);
  if (o.mode == "stream") return run_stream(o);
  if (o.mode == "upload") return run_upload(o);
  return run_pingpong(o);
}
