// grpc-callback-server — the official gRPC C++ library's callback API
// (grpc::CallbackService, reactors), the API grpc/grpc recommends for new
// code (examples/cpp/helloworld/greeter_callback_server.cc style). The
// library runs the callbacks on its own threads; the harness pins the whole
// process to one core.
//
//   grpc-callback-server [--port=0] [--service=greeter|bench]
//
// Same services and behaviour as grpc-async-server. Prints
// "listening on port N"; SIGINT/SIGTERM end the process at once.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <string>

#include "bench.grpc.pb.h"
#include "bench_common.h"
#include "helloworld.grpc.pb.h"
#include "server_main.h"

namespace {

using grpc::CallbackServerContext;
using grpc::Status;

class Greeter final : public helloworld::Greeter::CallbackService {
  grpc::ServerUnaryReactor* SayHello(CallbackServerContext* ctx, const helloworld::HelloRequest* request,
                                     helloworld::HelloReply* reply) override {
    reply->set_message("Hello " + request->name());
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(Status::OK);
    return reactor;
  }
};

class StreamWriter final : public grpc::ServerWriteReactor<bench::Blob> {
 public:
  explicit StreamWriter(const bench::StreamRequest& request) : count_(request.count()) {
    blob_.mutable_data()->assign(static_cast<std::size_t>(request.message_size()), 'x');
    next();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    next();
  }
  void OnDone() override { delete this; }

 private:
  void next() {
    if (count_ > 0 && sent_ == count_) {
      Finish(Status::OK);
      return;
    }
    ++sent_;
    StartWrite(&blob_);
  }
  bench::Blob blob_;
  std::int64_t count_;
  std::int64_t sent_ = 0;
};

class UploadReader final : public grpc::ServerReadReactor<bench::Blob> {
 public:
  explicit UploadReader(bench::UploadSummary* summary) : summary_(summary) { StartRead(&blob_); }
  void OnReadDone(bool ok) override {
    if (!ok) {  // half-closed (or cancelled)
      Finish(Status::OK);
      return;
    }
    summary_->set_messages(summary_->messages() + 1);
    summary_->set_bytes(summary_->bytes() + static_cast<std::int64_t>(blob_.data().size()));
    StartRead(&blob_);
  }
  void OnDone() override { delete this; }

 private:
  bench::UploadSummary* summary_;
  bench::Blob blob_;
};

class PingPongStream final : public grpc::ServerBidiReactor<bench::Blob, bench::Blob> {
 public:
  PingPongStream() { StartRead(&in_); }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(Status::OK);
      return;
    }
    out_.set_data(in_.data());
    StartWrite(&out_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    StartRead(&in_);
  }
  void OnDone() override { delete this; }

 private:
  bench::Blob in_;
  bench::Blob out_;
};

class Bench final : public bench::Bench::CallbackService {
  grpc::ServerUnaryReactor* Echo(CallbackServerContext* ctx, const bench::Blob* request,
                                 bench::Blob* reply) override {
    reply->set_data(request->data());
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(Status::OK);
    return reactor;
  }
  grpc::ServerWriteReactor<bench::Blob>* Stream(CallbackServerContext*, const bench::StreamRequest* request) override {
    return new StreamWriter(*request);
  }
  grpc::ServerReadReactor<bench::Blob>* Upload(CallbackServerContext*, bench::UploadSummary* summary) override {
    return new UploadReader(summary);
  }
  grpc::ServerBidiReactor<bench::Blob, bench::Blob>* PingPong(CallbackServerContext*) override {
    return new PingPongStream();
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::block_shutdown_signals();
  int port = 0;
  std::string service = "greeter";
  cli::Flags flags("grpc-callback-server", "The official callback-API server.");
  bench::server_flags(flags, port, service);
  flags.parse_or_exit(argc, argv);

  Greeter greeter;
  Bench bench_service;
  grpc::ServerBuilder builder;
  int selected_port = 0;
  bench::configure_builder(builder, port, &selected_port);
  if (service == "greeter") {
    builder.RegisterService(&greeter);
  } else {
    builder.RegisterService(&bench_service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || !bench::announce(selected_port)) return 1;
  bench::wait_for_shutdown_signal();
  std::_Exit(0);
}
