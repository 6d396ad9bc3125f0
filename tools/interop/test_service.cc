// tools/interop/test_service.cc — see test_service.h.
#include "test_service.h"

#include <chrono>
#include <string>
#include <vector>

namespace pronto_interop {

namespace {

using grpc::testing::EchoStatus;
using grpc::testing::Payload;
using grpc::testing::PayloadType;
using pronto::ServerContext;
using pronto::Status;
using pronto::StatusCode;
using pronto::Task;

// The algorithm used when a request asks for compressed responses.
constexpr pronto::Compression kResponseCompression = pronto::Compression::gzip;

constexpr char kEchoInitialKey[] = "x-grpc-test-echo-initial";
constexpr char kEchoTrailingBinKey[] = "x-grpc-test-echo-trailing-bin";

// Echo Metadata: copies the two magic request headers back, the first as
// initial metadata, the second (a -bin key: pronto hands over raw bytes both
// ways) as trailing metadata. Every value of a repeated key is echoed.
void echo_metadata(ServerContext& ctx) {
  for (const auto& [key, value] : ctx.client_metadata()) {
    if (key == kEchoInitialKey) ctx.add_initial_metadata(key, value);
    if (key == kEchoTrailingBinKey) ctx.add_trailing_metadata(key, value);
  }
}

// Echo Status: the status a request asks the call to end with. Codes outside
// the 17 canonical ones become UNKNOWN (pronto's StatusCode has no others).
Status echoed_status(const EchoStatus& echo) {
  int code = echo.code();
  if (code < 0 || code > static_cast<int>(StatusCode::unauthenticated)) {
    return Status(StatusCode::unknown, echo.message());
  }
  return Status(static_cast<StatusCode>(code), echo.message());
}

// Fills `payload` with `size` zero bytes of `type` (only COMPRESSABLE exists).
Status fill_payload(PayloadType type, int size, Payload& payload) {
  if (type != grpc::testing::COMPRESSABLE) return Status::invalid_argument("unsupported response_type");
  if (size < 0) return Status::invalid_argument("negative response size");
  payload.set_type(type);
  payload.set_body(std::string(static_cast<std::size_t>(size), '\0'));
  return {};
}

// CompressedRequest: with expect_compressed present, the message just read
// must have arrived compressed (true) or uncompressed (false).
template <class Request>
Status check_expected_compression(const ServerContext& ctx, const Request& request) {
  if (!request.has_expect_compressed()) return {};
  const bool expected = request.expect_compressed().value();
  if (ctx.last_message_compressed() == expected) return {};
  return Status::invalid_argument(expected ? "expect_compressed: the request arrived uncompressed"
                                           : "expect_compressed=false: the request arrived compressed");
}

// CompressedResponse, streaming: a request with `compressed` in any of its
// ResponseParameters makes the call's responses gzip-encoded (effective only
// before the first response: the encoding goes out with the headers).
void maybe_compress_responses(ServerContext& ctx, const grpc::testing::StreamingOutputCallRequest& request) {
  for (const auto& params : request.response_parameters()) {
    if (params.has_compressed()) {
      ctx.set_compression(kResponseCompression);
      return;
    }
  }
}

// One response per ResponseParameters of `request`, each after sleeping its
// interval_us, compressed unless its `compressed` is false (on a call that
// is not gzip-encoded nothing is compressed). Non-OK when a response cannot
// be built or the call is over.
Task<Status> write_responses(ServerContext& ctx, const grpc::testing::StreamingOutputCallRequest& request,
                             pronto::ServerWriter<grpc::testing::StreamingOutputCallResponse>& writer) {
  maybe_compress_responses(ctx, request);
  for (const auto& params : request.response_parameters()) {
    if (params.interval_us() > 0) {
      bool slept = co_await ctx.sleep_for(std::chrono::microseconds(params.interval_us()));
      if (!slept) co_return Status::cancelled("cancelled while sleeping interval_us");
    }
    grpc::testing::StreamingOutputCallResponse response;
    Status built = fill_payload(request.response_type(), params.size(), *response.mutable_payload());
    if (!built.ok()) co_return built;
    const bool compress = !params.has_compressed() || params.compressed().value();
    Status written = co_await writer.write(response, compress);
    if (!written.ok()) co_return written;
  }
  co_return Status{};
}

// How a read loop ended: CANCELLED if the call was cancelled, else OK.
Status end_of_requests(ServerContext& ctx) {
  return ctx.is_cancelled() ? Status::cancelled("cancelled") : Status{};
}

}  // namespace

// EmptyCall: the empty message, at once.
Task<pronto::Result<TestServiceImpl::Empty>> TestServiceImpl::EmptyCall(ServerContext& ctx, const Empty&) {
  echo_metadata(ctx);
  co_return Empty{};
}

// UnaryCall: response_size zero bytes, or the requested status instead.
Task<pronto::Result<TestServiceImpl::SimpleResponse>> TestServiceImpl::UnaryCall(
    ServerContext& ctx, const SimpleRequest& request) {
  echo_metadata(ctx);
  if (Status expected = check_expected_compression(ctx, request); !expected.ok()) co_return expected;
  // CompressedResponse: set before the response is written, i.e. now.
  if (request.response_compressed().value()) ctx.set_compression(kResponseCompression);
  SimpleResponse response;
  Status built = fill_payload(request.response_type(), request.response_size(), *response.mutable_payload());
  if (!built.ok()) co_return built;
  // An echoed OK (code 0) answers normally: a Result made from an OK Status
  // would turn into UNKNOWN.
  if (request.has_response_status() && request.response_status().code() != 0) {
    co_return echoed_status(request.response_status());
  }
  co_return response;
}

// StreamingOutputCall: one response per ResponseParameters, then OK or the
// requested status.
Task<Status> TestServiceImpl::StreamingOutputCall(ServerContext& ctx,
                                                  const StreamingOutputCallRequest& request,
                                                  pronto::ServerWriter<StreamingOutputCallResponse>& writer) {
  echo_metadata(ctx);
  Status written = co_await write_responses(ctx, request, writer);
  if (!written.ok()) co_return written;
  if (request.has_response_status()) co_return echoed_status(request.response_status());
  co_return Status{};
}

// StreamingInputCall: once the client half-closes, the total payload size.
Task<pronto::Result<TestServiceImpl::StreamingInputCallResponse>> TestServiceImpl::StreamingInputCall(
    ServerContext& ctx, pronto::ServerReader<StreamingInputCallRequest>& reader) {
  echo_metadata(ctx);
  std::size_t total = 0;
  while (auto request = co_await reader.read()) {
    if (Status expected = check_expected_compression(ctx, *request); !expected.ok()) co_return expected;
    total += request->payload().body().size();
  }
  if (Status end = end_of_requests(ctx); !end.ok()) co_return end;
  StreamingInputCallResponse response;
  response.set_aggregated_payload_size(static_cast<int>(total));
  co_return response;
}

// FullDuplexCall: answers each request as it arrives; a request carrying
// response_status ends the call with it.
Task<Status> TestServiceImpl::FullDuplexCall(ServerContext& ctx, DuplexStream& stream) {
  echo_metadata(ctx);
  while (auto request = co_await stream.read()) {
    if (request->has_response_status()) co_return echoed_status(request->response_status());
    Status written = co_await write_responses(ctx, *request, stream);
    if (!written.ok()) co_return written;
  }
  co_return end_of_requests(ctx);
}

// HalfDuplexCall: buffers every request until the half-close, then answers
// them in order.
Task<Status> TestServiceImpl::HalfDuplexCall(ServerContext& ctx, DuplexStream& stream) {
  echo_metadata(ctx);
  std::vector<StreamingOutputCallRequest> requests;
  while (auto request = co_await stream.read()) requests.push_back(std::move(*request));
  if (Status end = end_of_requests(ctx); !end.ok()) co_return end;
  for (const auto& request : requests) {
    if (request.has_response_status()) co_return echoed_status(request.response_status());
    Status written = co_await write_responses(ctx, request, stream);
    if (!written.ok()) co_return written;
  }
  co_return Status{};
}

}  // namespace pronto_interop
