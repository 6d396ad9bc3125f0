// tools/interop/cases/message_cases.cc — the cases where messages flow and
// the call ends OK: empty_unary, large_unary, client_streaming,
// server_streaming, ping_pong, empty_stream.
//
// ping_pong uses the coroutine API: one coroutine writes a request and awaits
// its response, four times, on a single stream. The others use the blocking
// stub.
#include <optional>
#include <string>

#include "cases/cases.h"

namespace pronto_interop {

namespace {

using grpc::testing::Empty;
using grpc::testing::SimpleResponse;
using grpc::testing::StreamingInputCallRequest;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;
using pronto::Task;

constexpr std::size_t kStreamLength = std::size(kRequestStreamSizes);

std::string numbered(const char* what, std::size_t i) { return std::string(what) + " #" + std::to_string(i); }

Task<void> ping_pong_task(const grpc::testing::TestService::Stub& stub) {
  auto stream = stub.async().FullDuplexCall(rpc_options());
  for (std::size_t i = 0; i < kStreamLength; ++i) {
    const std::string what = numbered("response", i);
    StreamingOutputCallRequest request = streaming_request(kResponseStreamSizes[i], kRequestStreamSizes[i]);
    pronto::Status written = co_await stream.write(request);
    if (!written) {
      pronto::Status status = co_await stream.finish();
      throw CaseFailure{numbered("write", i) + " failed; the call ended with " + describe(status)};
    }
    std::optional<StreamingOutputCallResponse> response = co_await stream.read();
    if (!response) {
      pronto::Status status = co_await stream.finish();
      throw CaseFailure{what + ": stream ended early with " + describe(status)};
    }
    check_zeros(response->payload().body(), kResponseStreamSizes[i], what);
  }
  stream.writes_done();
  std::optional<StreamingOutputCallResponse> extra = co_await stream.read();
  check(!extra, "unexpected 5th response");
  pronto::Status status = co_await stream.finish();
  check_ok(status, "FullDuplexCall");
}

}  // namespace

// EmptyCall with an empty request: OK and an empty response.
void empty_unary(CaseEnv& env) {
  Empty response = take_ok(env.stub.EmptyCall(Empty{}, rpc_options()), "EmptyCall");
  check(response.ByteSizeLong() == 0, "EmptyCall: response is not empty");
}

// UnaryCall with a 271828-byte payload asking for 314159 bytes back.
void large_unary(CaseEnv& env) {
  SimpleResponse response = take_ok(env.stub.UnaryCall(large_unary_request(), rpc_options()), "UnaryCall");
  check_zeros(response.payload().body(), kLargeResponseSize, "response");
}

// StreamingInputCall with four payloads: the server sums their sizes.
void client_streaming(CaseEnv& env) {
  auto writer = env.stub.StreamingInputCall(rpc_options());
  for (std::size_t i = 0; i < kStreamLength; ++i) {
    StreamingInputCallRequest request;
    request.mutable_payload()->set_body(std::string(static_cast<std::size_t>(kRequestStreamSizes[i]), '\0'));
    if (!writer.write(request)) {
      throw CaseFailure{numbered("write", i) + " failed; the call ended with " +
                        describe(writer.finish().status())};
    }
  }
  auto response = take_ok(writer.finish(), "StreamingInputCall");
  check(response.aggregated_payload_size() == kAggregatedPayloadSize,
        "aggregated_payload_size " + std::to_string(response.aggregated_payload_size()) + ", expected " +
            std::to_string(kAggregatedPayloadSize));
}

// StreamingOutputCall asking for four responses of given sizes.
void server_streaming(CaseEnv& env) {
  StreamingOutputCallRequest request;
  for (int size : kResponseStreamSizes) request.add_response_parameters()->set_size(size);
  auto reader = env.stub.StreamingOutputCall(request, rpc_options());
  std::size_t n = 0;
  while (std::optional<StreamingOutputCallResponse> response = reader.read()) {
    check(n < kStreamLength, "more than " + std::to_string(kStreamLength) + " responses");
    check_zeros(response->payload().body(), kResponseStreamSizes[n], numbered("response", n));
    ++n;
  }
  check_ok(reader.status(), "StreamingOutputCall");
  check(n == kStreamLength,
        "got " + std::to_string(n) + " responses, expected " + std::to_string(kStreamLength));
}

// FullDuplexCall: four request/response rounds, then half-close and OK.
void ping_pong(CaseEnv& env) { pronto::block_on(ping_pong_task(env.stub)); }

// FullDuplexCall that half-closes at once: no responses, OK.
void empty_stream(CaseEnv& env) {
  auto stream = env.stub.FullDuplexCall(rpc_options());
  stream.writes_done();
  std::optional<StreamingOutputCallResponse> response = stream.read();
  check(!response, "unexpected response");
  check_ok(stream.finish(), "FullDuplexCall");
}

}  // namespace pronto_interop
