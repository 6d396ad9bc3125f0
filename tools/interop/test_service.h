// tools/interop/test_service.h — grpc.testing.TestService on pronto, as the
// "Server" section of grpc/grpc doc/interop-test-descriptions.md describes it.
//
// Behaviour (the same as the reference peers in tests/interop):
//   * Echo Metadata: `x-grpc-test-echo-initial` comes back in the initial
//     metadata and `x-grpc-test-echo-trailing-bin` in the trailers, on every
//     method.
//   * Echo Status: in UnaryCall the requested status replaces the response;
//     in StreamingOutputCall it follows the responses; in Full/HalfDuplexCall
//     the request carrying it ends the call at once, unanswered.
//   * Payloads are `size` zero bytes of type COMPRESSABLE (the only type);
//     ResponseParameters.interval_us is slept (ServerContext::sleep_for, so a
//     cancellation cuts the sleep short) before each response.
//   * HalfDuplexCall buffers every request until the client half-closes.
//   * UnimplementedCall and CacheableUnaryCall are not overridden, so they
//     answer UNIMPLEMENTED (the first on purpose, the second is only
//     meaningful behind a caching proxy).
//   * CompressedResponse: SimpleRequest.response_compressed = true sends the
//     UnaryCall response gzip-compressed (if the client accepts gzip, as its
//     grpc-accept-encoding says). In the streaming methods, a request whose
//     ResponseParameters carry `compressed` makes the call gzip-encoded, and
//     each response goes compressed or not as its `compressed` says
//     (ServerWriter::write(m, compress)); parameters without it are
//     compressed on such a call, like the official C++ server does. The call
//     encoding is settled with the response headers, so in FullDuplexCall
//     only the requests before the first response can turn compression on.
//   * CompressedRequest: a request with expect_compressed present must have
//     arrived compressed (true) or uncompressed (false), as
//     ServerContext::last_message_compressed() says; otherwise the call ends
//     with INVALID_ARGUMENT. The spec only asks for the `true` direction; the
//     `false` one is what the official C++ server checks too, and is what
//     catches a client that ignores a per-message "don't compress".
//
// Ownership: the caller owns the service; it must outlive the Server.
// Threading: stateless; handlers run on the server's event loops.
#pragma once

#include "grpc/testing/test.pronto.h"
#include "pronto/pronto.h"

namespace pronto_interop {

class TestServiceImpl final : public grpc::testing::TestService::Service {
 public:
  using Empty = grpc::testing::Empty;
  using SimpleRequest = grpc::testing::SimpleRequest;
  using SimpleResponse = grpc::testing::SimpleResponse;
  using StreamingInputCallRequest = grpc::testing::StreamingInputCallRequest;
  using StreamingInputCallResponse = grpc::testing::StreamingInputCallResponse;
  using StreamingOutputCallRequest = grpc::testing::StreamingOutputCallRequest;
  using StreamingOutputCallResponse = grpc::testing::StreamingOutputCallResponse;
  using DuplexStream = pronto::ServerStream<StreamingOutputCallRequest, StreamingOutputCallResponse>;

  pronto::Task<pronto::Result<Empty>> EmptyCall(pronto::ServerContext& ctx, const Empty& request) override;
  pronto::Task<pronto::Result<SimpleResponse>> UnaryCall(pronto::ServerContext& ctx,
                                                         const SimpleRequest& request) override;
  pronto::Task<pronto::Status> StreamingOutputCall(
      pronto::ServerContext& ctx, const StreamingOutputCallRequest& request,
      pronto::ServerWriter<StreamingOutputCallResponse>& writer) override;
  pronto::Task<pronto::Result<StreamingInputCallResponse>> StreamingInputCall(
      pronto::ServerContext& ctx, pronto::ServerReader<StreamingInputCallRequest>& reader) override;
  pronto::Task<pronto::Status> FullDuplexCall(pronto::ServerContext& ctx, DuplexStream& stream) override;
  pronto::Task<pronto::Status> HalfDuplexCall(pronto::ServerContext& ctx, DuplexStream& stream) override;
};

}  // namespace pronto_interop
