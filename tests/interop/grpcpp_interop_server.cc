// Reference interop server built on the official gRPC C++ library (grpc++ sync API).
//
// Implements grpc.testing.TestService as described in grpc/grpc
// doc/interop-test-descriptions.md ("Server" section), so pronto clients can be checked
// against the official implementation. Same flags and output as pronto-interop-server:
//
//   grpcpp-interop-server --port=N [--use_tls=false] [--tls_cert_file=F --tls_key_file=F]
//
// --port=0 picks a free port. Once serving, prints `listening on port N` to stdout.
// Listens on localhost only. SIGINT/SIGTERM shut it down.
//
// Compression (the spec's CompressedResponse / CompressedRequest features),
// as the official C++ server (test/cpp/interop/interop_server.cc) does it:
//   * UnaryCall: response_compressed = true asks for compression level HIGH
//     (grpc++ picks an algorithm the client accepts), false for level NONE.
//   * Streaming methods: a request whose ResponseParameters carry
//     `compressed` makes the call gzip-encoded (set before the first write),
//     and a `compressed: false` response is written with
//     WriteOptions::set_no_compression() (GRPC_WRITE_NO_COMPRESS).
//   * expect_compressed, when present, is checked against the compressed
//     flag of the request message as received (grpc core's test-only
//     accessor, see grpcpp_compression_inspect.h): true needs a compressed
//     message, false an uncompressed one, else INVALID_ARGUMENT. (The
//     official server also checks messages without the field; this one only
//     checks what a request asks for.)
//
// Not implemented (on purpose):
//   * UnimplementedCall: must answer UNIMPLEMENTED, which the generated base class does.
//   * CacheableUnaryCall: only meaningful behind a caching proxy.
//   * Echo auth information (fill_username / fill_oauth_scope): cloud-to-prod only.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "grpc/testing/empty.pb.h"
#include "grpc/testing/messages.pb.h"
#include "grpc/testing/test.grpc.pb.h"
#include "grpcpp_compression_inspect.h"
#include "interop_flags.h"

namespace {

using grpc::ServerContext;
using grpc::Status;
using grpc::StatusCode;
using grpc::testing::EchoStatus;
using grpc::testing::Empty;
using grpc::testing::PayloadType;
using grpc::testing::SimpleRequest;
using grpc::testing::SimpleResponse;
using grpc::testing::StreamingInputCallRequest;
using grpc::testing::StreamingInputCallResponse;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;

constexpr char kEchoInitialKey[] = "x-grpc-test-echo-initial";
constexpr char kEchoTrailingBinKey[] = "x-grpc-test-echo-trailing-bin";

// Echo Metadata: copy the two magic request headers back as initial / trailing metadata.
void EchoMetadata(ServerContext* ctx) {
  const auto& md = ctx->client_metadata();
  if (auto it = md.find(kEchoInitialKey); it != md.end()) {
    ctx->AddInitialMetadata(kEchoInitialKey, std::string(it->second.data(), it->second.size()));
  }
  if (auto it = md.find(kEchoTrailingBinKey); it != md.end()) {
    ctx->AddTrailingMetadata(kEchoTrailingBinKey, std::string(it->second.data(), it->second.size()));
  }
}

// Echo Status: the status a request asks the server to finish with.
Status EchoedStatus(const EchoStatus& s) { return Status(static_cast<StatusCode>(s.code()), s.message()); }

// Fills `payload` with `size` zero bytes of the requested type (only COMPRESSABLE exists).
Status FillPayload(PayloadType type, int size, grpc::testing::Payload* payload) {
  if (type != grpc::testing::COMPRESSABLE) {
    return Status(StatusCode::INVALID_ARGUMENT, "unsupported response_type");
  }
  if (size < 0) return Status(StatusCode::INVALID_ARGUMENT, "negative response size");
  payload->set_type(type);
  payload->set_body(std::string(size, '\0'));
  return Status::OK;
}

// CompressedRequest: with expect_compressed present, the message just read must have
// arrived compressed (true) or uncompressed (false).
template <typename Request>
Status CheckExpectedCompression(ServerContext* ctx, const Request& req) {
  if (!req.has_expect_compressed()) return Status::OK;
  const bool expected = req.expect_compressed().value();
  if (interop::LastMessageWasCompressed(ctx->c_call()) == expected) return Status::OK;
  return Status(StatusCode::INVALID_ARGUMENT,
                expected ? "expect_compressed: the request arrived uncompressed"
                         : "expect_compressed=false: the request arrived compressed");
}

// Sends one response per ResponseParameters of `req`, sleeping interval_us before each
// (Observe ResponseParameters.interval_us). Used by the three server-streaming methods.
// CompressedResponse: parameters with `compressed` make the call gzip-encoded (effective
// before the first write); `compressed: false` responses are written uncompressed.
// `*compression_requested` tracks, across a call's requests, whether gzip was asked for:
// set_compression_algorithm adds a metadata entry per call, and ServerContext::
// compression_algorithm() cannot tell (grpc++ 1.51 leaves it uninitialized in a new context).
template <typename Writer>
Status WriteResponses(ServerContext* ctx, const StreamingOutputCallRequest& req, Writer* writer,
                      bool* compression_requested) {
  for (const auto& params : req.response_parameters()) {
    if (params.has_compressed() && !*compression_requested) {
      ctx->set_compression_algorithm(GRPC_COMPRESS_GZIP);
      *compression_requested = true;
    }
  }
  for (const auto& params : req.response_parameters()) {
    if (params.interval_us() > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(params.interval_us()));
    }
    StreamingOutputCallResponse resp;
    if (Status s = FillPayload(req.response_type(), params.size(), resp.mutable_payload()); !s.ok()) {
      return s;
    }
    grpc::WriteOptions options;
    if (params.has_compressed() && !params.compressed().value()) options.set_no_compression();
    if (!writer->Write(resp, options)) return Status(StatusCode::CANCELLED, "client went away");
  }
  return Status::OK;
}

class TestServiceImpl final : public grpc::testing::TestService::Service {
 public:
  // EmptyCall: returns the empty message immediately.
  Status EmptyCall(ServerContext* ctx, const Empty*, Empty*) override {
    EchoMetadata(ctx);
    return Status::OK;
  }

  // UnaryCall: payload of response_size zeros, or the echoed status if one is requested.
  Status UnaryCall(ServerContext* ctx, const SimpleRequest* req, SimpleResponse* resp) override {
    EchoMetadata(ctx);
    if (Status s = CheckExpectedCompression(ctx, *req); !s.ok()) return s;
    if (req->has_response_compressed()) {
      // Any level would do; HIGH, like the official server.
      ctx->set_compression_level(req->response_compressed().value() ? GRPC_COMPRESS_LEVEL_HIGH
                                                                    : GRPC_COMPRESS_LEVEL_NONE);
    }
    if (Status s = FillPayload(req->response_type(), req->response_size(), resp->mutable_payload());
        !s.ok()) {
      return s;
    }
    if (req->has_response_status()) return EchoedStatus(req->response_status());
    return Status::OK;
  }

  // StreamingOutputCall: one response per ResponseParameters, then OK (or echoed status).
  Status StreamingOutputCall(ServerContext* ctx, const StreamingOutputCallRequest* req,
                             grpc::ServerWriter<StreamingOutputCallResponse>* writer) override {
    EchoMetadata(ctx);
    bool compression_requested = false;
    if (Status s = WriteResponses(ctx, *req, writer, &compression_requested); !s.ok()) return s;
    if (req->has_response_status()) return EchoedStatus(req->response_status());
    return Status::OK;
  }

  // StreamingInputCall: on half-close, the sum of all request payload sizes.
  Status StreamingInputCall(ServerContext* ctx, grpc::ServerReader<StreamingInputCallRequest>* reader,
                            StreamingInputCallResponse* resp) override {
    EchoMetadata(ctx);
    StreamingInputCallRequest req;
    int total = 0;
    while (reader->Read(&req)) {
      if (Status s = CheckExpectedCompression(ctx, req); !s.ok()) return s;
      total += static_cast<int>(req.payload().body().size());
    }
    if (ctx->IsCancelled()) return Status(StatusCode::CANCELLED, "cancelled");
    resp->set_aggregated_payload_size(total);
    return Status::OK;
  }

  // FullDuplexCall: answers each request as it arrives; a request carrying response_status
  // ends the call with that status and nothing further is processed.
  Status FullDuplexCall(
      ServerContext* ctx,
      grpc::ServerReaderWriter<StreamingOutputCallResponse, StreamingOutputCallRequest>* stream) override {
    EchoMetadata(ctx);
    bool compression_requested = false;
    StreamingOutputCallRequest req;
    while (stream->Read(&req)) {
      if (req.has_response_status()) return EchoedStatus(req.response_status());
      if (Status s = WriteResponses(ctx, req, stream, &compression_requested); !s.ok()) return s;
    }
    if (ctx->IsCancelled()) return Status(StatusCode::CANCELLED, "cancelled");
    return Status::OK;
  }

  // HalfDuplexCall: buffers every request until half-close, then answers them in order.
  Status HalfDuplexCall(
      ServerContext* ctx,
      grpc::ServerReaderWriter<StreamingOutputCallResponse, StreamingOutputCallRequest>* stream) override {
    EchoMetadata(ctx);
    std::vector<StreamingOutputCallRequest> requests;
    StreamingOutputCallRequest req;
    while (stream->Read(&req)) requests.push_back(req);
    if (ctx->IsCancelled()) return Status(StatusCode::CANCELLED, "cancelled");
    bool compression_requested = false;
    for (const auto& r : requests) {
      if (r.has_response_status()) return EchoedStatus(r.response_status());
      if (Status s = WriteResponses(ctx, r, stream, &compression_requested); !s.ok()) return s;
    }
    return Status::OK;
  }
};

// Reads a whole file; false if it cannot be opened.
bool ReadFile(const std::string& path, std::string& out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char buf[4096];
  size_t n;
  out.clear();
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Flags flags("grpcpp-interop-server",
                   "grpc.testing.TestService on the official grpc++, for the interop suite (README.md).");
  const interop::ServerFlags f = interop::parse_server_flags(flags, argc, argv);

  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (f.use_tls) {
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    if (!ReadFile(f.tls_cert_file, pair.cert_chain) || !ReadFile(f.tls_key_file, pair.private_key)) {
      flags.fail("cannot read --tls_cert_file / --tls_key_file");
    }
    grpc::SslServerCredentialsOptions opts;
    opts.pem_key_cert_pairs.push_back(pair);
    creds = grpc::SslServerCredentials(opts);
  }

  // Block the shutdown signals before gRPC starts its threads, so only sigwait() sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  TestServiceImpl service;
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort("localhost:" + std::to_string(f.port), creds, &bound_port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    std::fprintf(stderr, "grpcpp-interop-server: failed to listen on localhost:%d\n", f.port);
    return 1;
  }
  std::printf("listening on port %d\n", bound_port);
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  return 0;
}
