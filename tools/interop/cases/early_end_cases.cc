// tools/interop/cases/early_end_cases.cc — the cases where a call ends
// without its normal response: by deadline (timeout_on_sleeping_server), by
// the client cancelling (cancel_after_begin, cancel_after_first_response), or
// because the server lacks the method or service (unimplemented_method,
// unimplemented_service).
//
// cancel_after_first_response uses the coroutine API (write, await the first
// response, cancel the stream, await the status); cancel_after_begin cancels
// through a ClientContext, which works from any thread.
#include <chrono>
#include <optional>
#include <string>

#include "cases/cases.h"

namespace pronto_interop {

namespace {

using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;
using pronto::StatusCode;
using pronto::Task;

constexpr int kFirstResponseSize = 31415;
constexpr int kFirstRequestSize = 27182;

Task<void> cancel_after_first_response_task(const grpc::testing::TestService::Stub& stub) {
  auto stream = stub.async().FullDuplexCall(rpc_options());
  StreamingOutputCallRequest request = streaming_request(kFirstResponseSize, kFirstRequestSize);
  pronto::Status written = co_await stream.write(request);
  if (!written) {
    pronto::Status status = co_await stream.finish();
    throw CaseFailure{"write failed; the call ended with " + describe(status)};
  }
  std::optional<StreamingOutputCallResponse> response = co_await stream.read();
  if (!response) {
    pronto::Status status = co_await stream.finish();
    throw CaseFailure{"first response: stream ended early with " + describe(status)};
  }
  check_zeros(response->payload().body(), kFirstResponseSize, "first response");
  stream.cancel();
  pronto::Status status = co_await stream.finish();
  check_code(status, StatusCode::cancelled, "FullDuplexCall");
}

}  // namespace

// FullDuplexCall with a 1 ms deadline and one request, never half-closed: the
// server waits for more requests until the deadline ends the call.
void timeout_on_sleeping_server(CaseEnv& env) {
  pronto::CallOptions options;
  options.timeout = std::chrono::milliseconds(1);
  auto stream = env.stub.FullDuplexCall(options);
  StreamingOutputCallRequest request;
  request.mutable_payload()->set_body(std::string(kFirstRequestSize, '\0'));
  stream.write(request);  // may already fail because the deadline passed: that is fine
  // The request side stays open (finish() would half-close it): wait for
  // the call's end by reading, then take its status.
  while (stream.read()) {
  }
  check_code(stream.finish(), StatusCode::deadline_exceeded, "FullDuplexCall");
}

// StreamingInputCall cancelled before any request was sent: CANCELLED.
void cancel_after_begin(CaseEnv& env) {
  pronto::ClientContext ctx;
  auto writer = env.stub.StreamingInputCall(rpc_options(&ctx));
  ctx.cancel();
  check(ctx.cancelled(), "ClientContext::cancelled() is false after cancel()");
  check_code(writer.finish().status(), StatusCode::cancelled, "StreamingInputCall");
}

// FullDuplexCall cancelled after its first response: CANCELLED.
void cancel_after_first_response(CaseEnv& env) {
  pronto::block_on(cancel_after_first_response_task(env.stub));
}

// TestService/UnimplementedCall: the server leaves it unimplemented.
void unimplemented_method(CaseEnv& env) {
  auto result = env.stub.UnimplementedCall(grpc::testing::Empty{}, rpc_options());
  check_code(result.status(), pronto::StatusCode::unimplemented, "TestService/UnimplementedCall");
}

// UnimplementedService/UnimplementedCall: the server does not have the service.
void unimplemented_service(CaseEnv& env) {
  auto result = env.unimplemented_stub.UnimplementedCall(grpc::testing::Empty{}, rpc_options());
  check_code(result.status(), pronto::StatusCode::unimplemented, "UnimplementedService/UnimplementedCall");
}

}  // namespace pronto_interop
