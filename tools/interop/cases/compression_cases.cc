// tools/interop/cases/compression_cases.cc — client_compressed_unary,
// server_compressed_unary, client_compressed_streaming,
// server_compressed_streaming: message compression both ways (the spec's
// CompressedRequest and CompressedResponse server features).
//
// Requests are compressed with gzip (CallOptions::compression), per message
// switched off with write(m, false). The client-compressed cases start with
// the spec's probe: an uncompressed request claiming expect_compressed=true,
// which a server that checks compression refuses with INVALID_ARGUMENT;
// anything else fails the case, since the rest would prove nothing.
//
// Not checked (pronto's client cannot see it): whether a response message
// arrived compressed. pronto decompresses before handing a message over and
// exposes neither the message's compressed flag nor the response's
// grpc-encoding, so server_compressed_* check the calls and payloads only.
// The grpc++ client checks the flags against every server.
#include <optional>
#include <string>

#include "cases/cases.h"

namespace pronto_interop {

namespace {

using grpc::testing::SimpleRequest;
using grpc::testing::SimpleResponse;
using grpc::testing::StreamingInputCallRequest;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;
using pronto::Compression;

constexpr int kFirstRequestSize = 27182;
constexpr int kSecondRequestSize = 45904;
constexpr int kCompressedAggregatedSize = kFirstRequestSize + kSecondRequestSize;  // 73086
constexpr int kServerCompressedSizes[] = {31415, 92653};
constexpr bool kServerCompressedFlags[] = {true, false};

const char* on_off(bool compressed) { return compressed ? "compressed" : "uncompressed"; }

pronto::CallOptions compressed_options(bool compressed) {
  pronto::CallOptions options = rpc_options();
  options.compression = compressed ? Compression::gzip : Compression::identity;
  return options;
}

StreamingInputCallRequest input_request(int size, bool expect_compressed) {
  StreamingInputCallRequest request;
  request.mutable_expect_compressed()->set_value(expect_compressed);
  request.mutable_payload()->set_body(std::string(static_cast<std::size_t>(size), '\0'));
  return request;
}

void check_probe_refused(const pronto::Status& status, const std::string& what) {
  check(status.code() == pronto::StatusCode::invalid_argument,
        what + ": expected INVALID_ARGUMENT (the server must check expect_compressed), got " +
            describe(status));
}

}  // namespace

// UnaryCall three times: the probe (uncompressed, expect_compressed=true,
// refused), then compressed with expect_compressed=true and uncompressed
// with expect_compressed=false, both OK with a 314159-byte payload.
void client_compressed_unary(CaseEnv& env) {
  SimpleRequest probe = large_unary_request();
  probe.mutable_expect_compressed()->set_value(true);
  check_probe_refused(env.stub.UnaryCall(probe, compressed_options(false)).status(), "probe UnaryCall");

  for (bool compressed : {true, false}) {
    const std::string what = std::string("UnaryCall (") + on_off(compressed) + ")";
    SimpleRequest request = large_unary_request();
    request.mutable_expect_compressed()->set_value(compressed);
    SimpleResponse response = take_ok(env.stub.UnaryCall(request, compressed_options(compressed)), what);
    check_zeros(response.payload().body(), kLargeResponseSize, what + " response");
  }
}

// UnaryCall asking for a compressed, then an uncompressed response.
void server_compressed_unary(CaseEnv& env) {
  for (bool compressed : {true, false}) {
    const std::string what =
        std::string("UnaryCall (response_compressed=") + (compressed ? "true" : "false") + ")";
    SimpleRequest request = large_unary_request();
    request.mutable_response_compressed()->set_value(compressed);
    SimpleResponse response = take_ok(env.stub.UnaryCall(request, rpc_options()), what);
    check_zeros(response.payload().body(), kLargeResponseSize, what + " response");
    // Not checked: the response's compressed flag (see the file comment).
  }
}

// StreamingInputCall: the probe call (one uncompressed message claiming
// expect_compressed=true, refused), then a gzip call with a compressed
// 27182-byte message and an uncompressed 45904-byte one: OK, 73086.
void client_compressed_streaming(CaseEnv& env) {
  {
    auto probe = env.stub.StreamingInputCall(compressed_options(false));
    probe.write(input_request(kFirstRequestSize, true));  // a refusal may already end the call
    check_probe_refused(probe.finish().status(), "probe StreamingInputCall");
  }
  auto writer = env.stub.StreamingInputCall(compressed_options(true));
  if (!writer.write(input_request(kFirstRequestSize, true), /*compress=*/true)) {
    throw CaseFailure{"compressed write failed; the call ended with " + describe(writer.finish().status())};
  }
  if (!writer.write(input_request(kSecondRequestSize, false), /*compress=*/false)) {
    throw CaseFailure{"uncompressed write failed; the call ended with " + describe(writer.finish().status())};
  }
  auto response = take_ok(writer.finish(), "StreamingInputCall");
  check(response.aggregated_payload_size() == kCompressedAggregatedSize,
        "aggregated_payload_size " + std::to_string(response.aggregated_payload_size()) + ", expected " +
            std::to_string(kCompressedAggregatedSize));
}

// StreamingOutputCall asking for a compressed 31415-byte response, then an
// uncompressed 92653-byte one.
void server_compressed_streaming(CaseEnv& env) {
  StreamingOutputCallRequest request;
  for (std::size_t i = 0; i < std::size(kServerCompressedSizes); ++i) {
    auto* params = request.add_response_parameters();
    params->mutable_compressed()->set_value(kServerCompressedFlags[i]);
    params->set_size(kServerCompressedSizes[i]);
  }
  auto reader = env.stub.StreamingOutputCall(request, rpc_options());
  std::size_t n = 0;
  while (std::optional<StreamingOutputCallResponse> response = reader.read()) {
    check(n < std::size(kServerCompressedSizes), "more than 2 responses");
    const std::string what =
        "response #" + std::to_string(n) + " (" + on_off(kServerCompressedFlags[n]) + ")";
    check_zeros(response->payload().body(), kServerCompressedSizes[n], what);
    // Not checked: the response's compressed flag (see the file comment).
    ++n;
  }
  check_ok(reader.status(), "StreamingOutputCall");
  check(n == std::size(kServerCompressedSizes), "got " + std::to_string(n) + " responses, expected 2");
}

}  // namespace pronto_interop
