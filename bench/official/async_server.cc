// grpc-async-server — the official gRPC C++ library's asynchronous
// completion-queue API, in the style of grpc/grpc's
// examples/cpp/helloworld/greeter_async_server2.cc: ONE completion queue
// drained by ONE thread (the main thread), with many requests posted in
// advance so a burst of calls never waits for a request to be posted.
//
//   grpc-async-server [--port=0] [--service=greeter|bench] [--outstanding=1000]
//
// --service=greeter serves helloworld.Greeter, --service=bench serves
// bench.Bench (see bench/protos/bench.proto). Prints "listening on port N".
// Every handler object below has at most one operation in flight, so each
// completion-queue tag is seen once per operation and the object can delete
// itself when it is done. SIGINT/SIGTERM end the process at once.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "bench.grpc.pb.h"
#include "bench_common.h"
#include "helloworld.grpc.pb.h"
#include "server_main.h"

namespace {

using grpc::ServerCompletionQueue;
using grpc::ServerContext;
using grpc::Status;

struct Env {
  helloworld::Greeter::AsyncService greeter;
  bench::Bench::AsyncService bench;
  std::unique_ptr<ServerCompletionQueue> cq;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // `ok` as the completion queue reported it.
  virtual void proceed(bool ok) = 0;
};

class SayHelloCall final : public Handler {
 public:
  explicit SayHelloCall(Env& env) : env_(env), responder_(&ctx_) {
    env_.greeter.RequestSayHello(&ctx_, &request_, &responder_, env_.cq.get(), env_.cq.get(), this);
  }
  void proceed(bool ok) override {
    if (!accepted_ && ok) {
      accepted_ = true;
      new SayHelloCall(env_);  // keep the number of posted requests constant
      reply_.set_message("Hello " + request_.name());
      responder_.Finish(reply_, Status::OK, this);
      return;
    }
    delete this;  // finished, or not accepted (shutdown)
  }

 private:
  Env& env_;
  ServerContext ctx_;
  helloworld::HelloRequest request_;
  helloworld::HelloReply reply_;
  grpc::ServerAsyncResponseWriter<helloworld::HelloReply> responder_;
  bool accepted_ = false;
};

class EchoCall final : public Handler {
 public:
  explicit EchoCall(Env& env) : env_(env), responder_(&ctx_) {
    env_.bench.RequestEcho(&ctx_, &request_, &responder_, env_.cq.get(), env_.cq.get(), this);
  }
  void proceed(bool ok) override {
    if (!accepted_ && ok) {
      accepted_ = true;
      new EchoCall(env_);
      reply_.set_data(request_.data());  // one copy, like the other servers' handlers
      responder_.Finish(reply_, Status::OK, this);
      return;
    }
    delete this;
  }

 private:
  Env& env_;
  ServerContext ctx_;
  bench::Blob request_;
  bench::Blob reply_;
  grpc::ServerAsyncResponseWriter<bench::Blob> responder_;
  bool accepted_ = false;
};

class StreamCall final : public Handler {
 public:
  explicit StreamCall(Env& env) : env_(env), writer_(&ctx_) {
    env_.bench.RequestStream(&ctx_, &request_, &writer_, env_.cq.get(), env_.cq.get(), this);
  }
  void proceed(bool ok) override {
    switch (state_) {
      case State::requested:
        if (!ok) break;
        new StreamCall(env_);
        blob_.mutable_data()->assign(static_cast<std::size_t>(request_.message_size()), 'x');
        state_ = State::writing;
        next();
        return;
      case State::writing:
        if (!ok) break;  // the client cancelled: the call is over
        next();
        return;
      case State::finishing:
        break;
    }
    delete this;
  }

 private:
  void next() {
    if (request_.count() > 0 && sent_ == request_.count()) {
      state_ = State::finishing;
      writer_.Finish(Status::OK, this);
      return;
    }
    ++sent_;
    writer_.Write(blob_, this);
  }
  enum class State { requested, writing, finishing };
  Env& env_;
  ServerContext ctx_;
  bench::StreamRequest request_;
  bench::Blob blob_;
  grpc::ServerAsyncWriter<bench::Blob> writer_;
  State state_ = State::requested;
  std::int64_t sent_ = 0;
};

class UploadCall final : public Handler {
 public:
  explicit UploadCall(Env& env) : env_(env), reader_(&ctx_) {
    env_.bench.RequestUpload(&ctx_, &reader_, env_.cq.get(), env_.cq.get(), this);
  }
  void proceed(bool ok) override {
    switch (state_) {
      case State::requested:
        if (!ok) break;
        new UploadCall(env_);
        state_ = State::reading;
        reader_.Read(&blob_, this);
        return;
      case State::reading:
        if (ok) {
          summary_.set_messages(summary_.messages() + 1);
          summary_.set_bytes(summary_.bytes() + static_cast<std::int64_t>(blob_.data().size()));
          reader_.Read(&blob_, this);
        } else {  // half-closed
          state_ = State::finishing;
          reader_.Finish(summary_, Status::OK, this);
        }
        return;
      case State::finishing:
        break;
    }
    delete this;
  }

 private:
  enum class State { requested, reading, finishing };
  Env& env_;
  ServerContext ctx_;
  bench::Blob blob_;
  bench::UploadSummary summary_;
  grpc::ServerAsyncReader<bench::UploadSummary, bench::Blob> reader_;
  State state_ = State::requested;
};

class PingPongCall final : public Handler {
 public:
  explicit PingPongCall(Env& env) : env_(env), stream_(&ctx_) {
    env_.bench.RequestPingPong(&ctx_, &stream_, env_.cq.get(), env_.cq.get(), this);
  }
  void proceed(bool ok) override {
    switch (state_) {
      case State::requested:
        if (!ok) break;
        new PingPongCall(env_);
        state_ = State::reading;
        stream_.Read(&in_, this);
        return;
      case State::reading:
        if (ok) {
          out_.set_data(in_.data());
          state_ = State::writing;
          stream_.Write(out_, this);
        } else {
          state_ = State::finishing;
          stream_.Finish(Status::OK, this);
        }
        return;
      case State::writing:
        if (!ok) break;
        state_ = State::reading;
        stream_.Read(&in_, this);
        return;
      case State::finishing:
        break;
    }
    delete this;
  }

 private:
  enum class State { requested, reading, writing, finishing };
  Env& env_;
  ServerContext ctx_;
  bench::Blob in_;
  bench::Blob out_;
  grpc::ServerAsyncReaderWriter<bench::Blob, bench::Blob> stream_;
  State state_ = State::requested;
};

}  // namespace

int main(int argc, char** argv) {
  bench::block_shutdown_signals();
  int port = 0;
  std::string service = "greeter";
  int outstanding = 1000;
  cli::Flags flags("grpc-async-server", "The official completion-queue server, one CQ per thread.");
  bench::server_flags(flags, port, service)
      .integer("outstanding", &outstanding, 0, 1'000'000, "calls waiting for a request on each CQ");
  flags.parse_or_exit(argc, argv);

  Env env;
  grpc::ServerBuilder builder;
  int selected_port = 0;
  bench::configure_builder(builder, port, &selected_port);
  if (service == "greeter") {
    builder.RegisterService(&env.greeter);
  } else {
    builder.RegisterService(&env.bench);
  }
  env.cq = builder.AddCompletionQueue();
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || !bench::announce(selected_port)) return 1;

  if (service == "greeter") {
    for (int i = 0; i < outstanding; ++i) new SayHelloCall(env);
  } else {
    for (int i = 0; i < outstanding; ++i) new EchoCall(env);
    for (int i = 0; i < 8; ++i) new StreamCall(env);
    for (int i = 0; i < 8; ++i) new UploadCall(env);
    for (int i = 0; i < 100; ++i) new PingPongCall(env);
  }

  // A signal ends the process at once: the harness has read its figures by
  // then, and draining a completion queue whose handlers keep posting
  // operations is not what is being measured.
  std::thread([] {
    bench::wait_for_shutdown_signal();
    std::_Exit(0);
  }).detach();
  // The one polling thread.
  void* tag = nullptr;
  bool ok = false;
  while (env.cq->Next(&tag, &ok)) static_cast<Handler*>(tag)->proceed(ok);
  return 0;
}
