// tools/interop/cases/metadata_status_cases.cc — custom_metadata,
// status_code_and_message, special_status_message: what the server echoes
// besides messages (metadata, status codes and messages).
#include <optional>
#include <string>

#include "cases/cases.h"

namespace pronto_interop {

namespace {

using grpc::testing::SimpleRequest;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;

// Options carrying the two metadata entries the server echoes.
pronto::CallOptions echo_metadata_options(pronto::ClientContext& ctx) {
  pronto::CallOptions options = rpc_options(&ctx);
  options.metadata.add(kEchoInitialKey, kEchoInitialValue);
  options.metadata.add(kEchoTrailingBinKey, kEchoTrailingBinValue);
  return options;
}

// The initial value must come back in the initial metadata, the -bin value in
// the trailers, each exactly once.
void check_echoed_metadata(const pronto::ClientContext& ctx, const std::string& what) {
  check_metadata(ctx.initial_metadata(), kEchoInitialKey, kEchoInitialValue, what + " initial metadata");
  check_metadata(ctx.trailing_metadata(), kEchoTrailingBinKey, kEchoTrailingBinValue,
                 what + " trailing metadata");
}

grpc::testing::EchoStatus echo_status(const char* message) {
  grpc::testing::EchoStatus status;
  status.set_code(2);  // UNKNOWN
  status.set_message(message);
  return status;
}

// UnaryCall asking for `message` with code 2 instead of a response.
void check_unary_echo_status(CaseEnv& env, const char* message) {
  SimpleRequest request;
  *request.mutable_response_status() = echo_status(message);
  auto result = env.stub.UnaryCall(request, rpc_options());
  check_echoed_status(result.status(), message, "UnaryCall");
}

}  // namespace

// Echoed metadata on a UnaryCall and on a FullDuplexCall.
void custom_metadata(CaseEnv& env) {
  {
    pronto::ClientContext ctx;
    SimpleRequest request;
    request.set_response_size(kLargeResponseSize);
    request.mutable_payload()->set_body(std::string(kLargeRequestSize, '\0'));
    auto response = take_ok(env.stub.UnaryCall(request, echo_metadata_options(ctx)), "UnaryCall");
    check_zeros(response.payload().body(), kLargeResponseSize, "UnaryCall response");
    check_echoed_metadata(ctx, "UnaryCall");
  }
  {
    pronto::ClientContext ctx;  // declared first: it must outlive the stream
    auto stream = env.stub.FullDuplexCall(echo_metadata_options(ctx));
    StreamingOutputCallRequest request = streaming_request(kLargeResponseSize, kLargeRequestSize);
    check(stream.write(request).ok(), "FullDuplexCall: write failed");
    stream.writes_done();
    std::optional<StreamingOutputCallResponse> response = stream.read();
    if (!response) throw CaseFailure{"FullDuplexCall: stream ended early with " + describe(stream.finish())};
    check_zeros(response->payload().body(), kLargeResponseSize, "FullDuplexCall response");
    check(!stream.read(), "FullDuplexCall: unexpected 2nd response");
    check_ok(stream.finish(), "FullDuplexCall");
    check_echoed_metadata(ctx, "FullDuplexCall");
  }
}

// Code 2 with a plain message, on a UnaryCall and on a FullDuplexCall.
void status_code_and_message(CaseEnv& env) {
  check_unary_echo_status(env, kStatusMessage);

  auto stream = env.stub.FullDuplexCall(rpc_options());
  StreamingOutputCallRequest request;
  *request.mutable_response_status() = echo_status(kStatusMessage);
  stream.write(request);  // a failure surfaces through finish()
  stream.writes_done();
  while (stream.read()) {
  }
  check_echoed_status(stream.finish(), kStatusMessage, "FullDuplexCall");
}

// Code 2 with whitespace, CR/LF and non-ASCII in the message, which must come
// back byte for byte.
void special_status_message(CaseEnv& env) { check_unary_echo_status(env, kSpecialStatusMessage); }

}  // namespace pronto_interop
