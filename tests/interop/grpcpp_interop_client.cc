// Reference interop client built on the official gRPC C++ library (grpc++ sync API).
//
// Runs the test cases of grpc/grpc doc/interop-test-descriptions.md against a TestService
// server, so pronto servers can be checked against the official implementation. Same flags
// and output as pronto-interop-client:
//
//   grpcpp-interop-client --server_port=N [--server_host=localhost] [--test_case=all|a,b,...]
//                         [--use_tls=false] [--server_host_override=NAME] [--ca_file=PEM]
//                         [--soak_iterations=10] [--soak_max_failures=0]
//                         [--soak_per_iteration_max_acceptable_latency_ms=1000]
//                         [--soak_overall_timeout_seconds=10] [--soak_min_time_ms_between_rpcs=0]
//
// Prints `PASS name` (or `PASS name: details`) or `FAIL name: reason` per case, then
// `N passed, M failed`; exits 1 if any case failed (2 on bad usage). Assertions are strict:
// exact sizes, zero-filled payloads, exact status codes/messages and metadata values.
//
// Compression cases: requests are compressed with gzip (ClientContext::
// set_compression_algorithm), per message switched off with WriteOptions::
// set_no_compression(). Unlike the other clients, this one can check the compressed flag of
// each response message, through grpc core's test-only accessors as the official client does
// (grpcpp_compression_inspect.h): server_compressed_* check that a response asked to be
// compressed arrived compressed and one asked not to be did not; client_compressed_unary
// checks its (not requested) responses arrived uncompressed.
//
// Soak cases (rpc_soak, channel_soak): see PerformSoak. `all` includes them, as the official
// C++ client's `all` does; the --soak_* defaults (grpc-go's) keep them short.
//
// Not implemented: auth (cloud-to-prod) cases, cacheable_unary (needs a caching proxy).

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "grpc/testing/empty.pb.h"
#include "grpc/testing/messages.pb.h"
#include "grpc/testing/test.grpc.pb.h"
#include "grpcpp_compression_inspect.h"
#include "interop_flags.h"

namespace {

using grpc::ClientContext;
using grpc::Status;
using grpc::StatusCode;
using grpc::testing::Empty;
using grpc::testing::SimpleRequest;
using grpc::testing::SimpleResponse;
using grpc::testing::StreamingInputCallRequest;
using grpc::testing::StreamingInputCallResponse;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;

// ---- Spec constants -----------------------------------------------------------------------

constexpr int kLargeRequestSize = 271828;
constexpr int kLargeResponseSize = 314159;
const std::vector<int> kRequestStreamSizes = {27182, 8, 1828, 45904};   // sum 74922
const std::vector<int> kResponseStreamSizes = {31415, 9, 2653, 58979};  // server/ping-pong
constexpr char kEchoInitialKey[] = "x-grpc-test-echo-initial";
constexpr char kEchoInitialValue[] = "test_initial_metadata_value";
constexpr char kEchoTrailingBinKey[] = "x-grpc-test-echo-trailing-bin";
const std::string kEchoTrailingBinValue = "\xab\xab\xab";  // spec: 0xababab
constexpr char kStatusMessage[] = "test status message";
constexpr char kSpecialStatusMessage[] =
    "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";
// Every RPC (except timeout_on_sleeping_server) gets this deadline so a broken peer
// fails the case instead of hanging the run.
constexpr auto kRpcDeadline = std::chrono::seconds(20);

// ---- Assertion helpers: a failed check throws CaseFailure with a one-line reason -----------

struct CaseFailure {
  std::string reason;
};

// Makes arbitrary bytes printable on one line (C-style escapes; UTF-8 kept as \xNN).
std::string Escape(std::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Describe(const Status& s) {
  return "status " + std::to_string(s.error_code()) + " \"" + Escape(s.error_message()) + "\"";
}

void Check(bool ok, const std::string& what) {
  if (!ok) throw CaseFailure{what};
}

void CheckOk(const Status& s, const std::string& what) {
  Check(s.ok(), what + ": expected OK, got " + Describe(s));
}

void CheckCode(const Status& s, StatusCode code, const std::string& what) {
  Check(s.error_code() == code, what + ": expected code " + std::to_string(code) + ", got " + Describe(s));
}

// The payload body must be exactly `size` zero bytes.
void CheckZeros(const std::string& body, int size, const std::string& what) {
  Check(body.size() == static_cast<size_t>(size),
        what + ": payload size " + std::to_string(body.size()) + ", expected " + std::to_string(size));
  Check(body.find_first_not_of('\0') == std::string::npos, what + ": payload is not all zeros");
}

// `md` must hold `key` exactly once, with value `want`.
void CheckMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& md, const std::string& key,
                   const std::string& want, const std::string& what) {
  std::vector<std::string> got;
  for (auto [it, end] = md.equal_range(key); it != end; ++it)
    got.emplace_back(it->second.data(), it->second.size());
  Check(got.size() == 1, what + ": expected one \"" + key + "\" entry, got " + std::to_string(got.size()));
  Check(got[0] == want,
        what + ": \"" + key + "\" is \"" + Escape(got[0]) + "\", expected \"" + Escape(want) + "\"");
}

// Reads the next response of a bidi stream; if the stream ended instead, fails with its status.
template <typename Stream>
void ReadOne(Stream& stream, StreamingOutputCallResponse& resp, const std::string& what) {
  if (!stream.Read(&resp)) throw CaseFailure{what + ": stream ended early with " + Describe(stream.Finish())};
}

void SetDeadline(ClientContext& ctx) { ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline); }

StreamingOutputCallRequest StreamingRequest(int response_size, int payload_size) {
  StreamingOutputCallRequest req;
  req.add_response_parameters()->set_size(response_size);
  req.mutable_payload()->set_body(std::string(payload_size, '\0'));
  return req;
}

SimpleRequest LargeUnaryRequest() {
  SimpleRequest req;
  req.set_response_size(kLargeResponseSize);
  req.mutable_payload()->set_body(std::string(kLargeRequestSize, '\0'));
  return req;
}

const char* OnOff(bool compressed) { return compressed ? "compressed" : "uncompressed"; }

// The compressed flag of the message just received on `ctx`'s call must be `want`.
void CheckCompressedFlag(ClientContext& ctx, bool want, const std::string& what) {
  const bool got = interop::LastMessageWasCompressed(ctx.c_call());
  Check(got == want, what + ": arrived " + OnOff(got) + ", expected " + OnOff(want));
  if (want) {
    Check(interop::IncomingCompression(ctx.c_call()) != GRPC_COMPRESS_NONE,
          what + ": compressed flag set but no grpc-encoding");
  }
}

// The client_compressed_* probe: a server that checks expect_compressed refuses it.
void CheckProbeRefused(const Status& s, const std::string& what) {
  Check(s.error_code() == StatusCode::INVALID_ARGUMENT,
        what + ": expected code 3 INVALID_ARGUMENT (the server must check expect_compressed), got " +
            Describe(s));
}

// The soak flags (--soak_*), with grpc-go's defaults.
struct SoakConfig {
  int iterations = 10;
  int max_failures = 0;
  int per_iteration_max_acceptable_latency_ms = 1000;
  int overall_timeout_seconds = 10;
  int min_time_ms_between_rpcs = 0;
};

// "latency ms min 1.2, median 2.0, p90 3.1, max 9.9" (nearest-rank).
std::string LatencySummary(std::vector<double> ms) {
  if (ms.empty()) return "no latencies";
  std::sort(ms.begin(), ms.end());
  auto rank = [&](double p) {
    size_t i = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(ms.size())));
    return ms[std::clamp<size_t>(i, 1, ms.size()) - 1];
  };
  char buf[128];
  std::snprintf(buf, sizeof buf, "latency ms min %.1f, median %.1f, p90 %.1f, max %.1f", ms.front(), rank(50),
                rank(90), ms.back());
  return buf;
}

// ---- The test cases ------------------------------------------------------------------------

class Cases {
 public:
  using ChannelFactory = std::function<std::shared_ptr<grpc::Channel>()>;
  Cases(ChannelFactory new_channel, SoakConfig soak)
      : new_channel_(std::move(new_channel)),
        channel_(new_channel_()),
        stub_(grpc::testing::TestService::NewStub(channel_)),
        unimplemented_stub_(grpc::testing::UnimplementedService::NewStub(channel_)),
        soak_(soak) {}

  // Details a passing case wants on its PASS line; cleared before each case.
  std::string note;

  void EmptyUnary() {
    ClientContext ctx;
    SetDeadline(ctx);
    Empty req, resp;
    CheckOk(stub_->EmptyCall(&ctx, req, &resp), "EmptyCall");
  }

  void LargeUnary() {
    ClientContext ctx;
    SetDeadline(ctx);
    SimpleResponse resp;
    CheckOk(stub_->UnaryCall(&ctx, LargeUnaryRequest(), &resp), "UnaryCall");
    CheckZeros(resp.payload().body(), kLargeResponseSize, "response");
  }

  // The probe (uncompressed, expect_compressed=true: refused), then gzip with
  // expect_compressed=true and uncompressed with expect_compressed=false: both OK, with
  // uncompressed responses (none was asked to be compressed).
  void ClientCompressedUnary() {
    {
      ClientContext ctx;
      SetDeadline(ctx);
      ctx.set_compression_algorithm(GRPC_COMPRESS_NONE);
      SimpleRequest req = LargeUnaryRequest();
      req.mutable_expect_compressed()->set_value(true);  // a lie: the probe
      SimpleResponse resp;
      CheckProbeRefused(stub_->UnaryCall(&ctx, req, &resp), "probe UnaryCall");
    }
    for (bool compressed : {true, false}) {
      const std::string what = std::string("UnaryCall (") + OnOff(compressed) + ")";
      ClientContext ctx;
      SetDeadline(ctx);
      ctx.set_compression_algorithm(compressed ? GRPC_COMPRESS_GZIP : GRPC_COMPRESS_NONE);
      SimpleRequest req = LargeUnaryRequest();
      req.mutable_expect_compressed()->set_value(compressed);
      SimpleResponse resp;
      CheckOk(stub_->UnaryCall(&ctx, req, &resp), what);
      CheckZeros(resp.payload().body(), kLargeResponseSize, what + " response");
      CheckCompressedFlag(ctx, false, what + " response");
    }
  }

  // UnaryCall asking for a compressed, then an uncompressed response; the compressed flag
  // of each response must match.
  void ServerCompressedUnary() {
    for (bool compressed : {true, false}) {
      const std::string what =
          std::string("UnaryCall (response_compressed=") + (compressed ? "true" : "false") + ")";
      ClientContext ctx;
      SetDeadline(ctx);
      SimpleRequest req = LargeUnaryRequest();
      req.mutable_response_compressed()->set_value(compressed);
      SimpleResponse resp;
      CheckOk(stub_->UnaryCall(&ctx, req, &resp), what);
      CheckZeros(resp.payload().body(), kLargeResponseSize, what + " response");
      CheckCompressedFlag(ctx, compressed, what + " response");
    }
  }

  void ClientStreaming() {
    ClientContext ctx;
    SetDeadline(ctx);
    StreamingInputCallResponse resp;
    auto stream = stub_->StreamingInputCall(&ctx, &resp);
    for (int size : kRequestStreamSizes) {
      StreamingInputCallRequest req;
      req.mutable_payload()->set_body(std::string(size, '\0'));
      Check(stream->Write(req), "Write failed");
    }
    Check(stream->WritesDone(), "WritesDone failed");
    CheckOk(stream->Finish(), "StreamingInputCall");
    Check(resp.aggregated_payload_size() == 74922,
          "aggregated_payload_size " + std::to_string(resp.aggregated_payload_size()) + ", expected 74922");
  }

  // The probe call (one uncompressed message claiming expect_compressed=true: refused), then
  // a gzip call with a compressed 27182-byte message and an uncompressed 45904-byte one.
  void ClientCompressedStreaming() {
    {
      ClientContext ctx;
      SetDeadline(ctx);
      ctx.set_compression_algorithm(GRPC_COMPRESS_NONE);
      StreamingInputCallResponse resp;
      auto stream = stub_->StreamingInputCall(&ctx, &resp);
      stream->Write(InputRequest(27182, true));  // a refusal may already end the call
      stream->WritesDone();
      CheckProbeRefused(stream->Finish(), "probe StreamingInputCall");
    }
    ClientContext ctx;
    SetDeadline(ctx);
    ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    StreamingInputCallResponse resp;
    auto stream = stub_->StreamingInputCall(&ctx, &resp);
    Check(stream->Write(InputRequest(27182, true)), "compressed Write failed");
    Check(stream->Write(InputRequest(45904, false), grpc::WriteOptions().set_no_compression()),
          "uncompressed Write failed");
    Check(stream->WritesDone(), "WritesDone failed");
    CheckOk(stream->Finish(), "StreamingInputCall");
    Check(resp.aggregated_payload_size() == 73086,
          "aggregated_payload_size " + std::to_string(resp.aggregated_payload_size()) + ", expected 73086");
  }

  // StreamingOutputCall asking for a compressed 31415-byte response, then an uncompressed
  // 92653-byte one; the compressed flag of each must match.
  void ServerCompressedStreaming() {
    const std::vector<std::pair<bool, int>> responses = {{true, 31415}, {false, 92653}};
    ClientContext ctx;
    SetDeadline(ctx);
    StreamingOutputCallRequest req;
    for (auto [compressed, size] : responses) {
      auto* params = req.add_response_parameters();
      params->mutable_compressed()->set_value(compressed);
      params->set_size(size);
    }
    auto stream = stub_->StreamingOutputCall(&ctx, req);
    StreamingOutputCallResponse resp;
    size_t n = 0;
    while (stream->Read(&resp)) {
      Check(n < responses.size(), "more than 2 responses");
      const std::string what = "response #" + std::to_string(n) + " (" + OnOff(responses[n].first) + ")";
      CheckZeros(resp.payload().body(), responses[n].second, what);
      CheckCompressedFlag(ctx, responses[n].first, what);
      ++n;
    }
    CheckOk(stream->Finish(), "StreamingOutputCall");
    Check(n == responses.size(), "got " + std::to_string(n) + " responses, expected 2");
  }

  void ServerStreaming() {
    ClientContext ctx;
    SetDeadline(ctx);
    StreamingOutputCallRequest req;
    for (int size : kResponseStreamSizes) req.add_response_parameters()->set_size(size);
    auto stream = stub_->StreamingOutputCall(&ctx, req);
    StreamingOutputCallResponse resp;
    size_t n = 0;
    while (stream->Read(&resp)) {
      Check(n < kResponseStreamSizes.size(), "more than 4 responses");
      CheckZeros(resp.payload().body(), kResponseStreamSizes[n], "response #" + std::to_string(n));
      ++n;
    }
    CheckOk(stream->Finish(), "StreamingOutputCall");
    Check(n == kResponseStreamSizes.size(), "got " + std::to_string(n) + " responses, expected 4");
  }

  void PingPong() {
    ClientContext ctx;
    SetDeadline(ctx);
    auto stream = stub_->FullDuplexCall(&ctx);
    StreamingOutputCallResponse resp;
    for (size_t i = 0; i < kRequestStreamSizes.size(); ++i) {
      Check(stream->Write(StreamingRequest(kResponseStreamSizes[i], kRequestStreamSizes[i])),
            "Write #" + std::to_string(i) + " failed");
      ReadOne(*stream, resp, "response #" + std::to_string(i));
      CheckZeros(resp.payload().body(), kResponseStreamSizes[i], "response #" + std::to_string(i));
    }
    Check(stream->WritesDone(), "WritesDone failed");
    Check(!stream->Read(&resp), "unexpected 5th response");
    CheckOk(stream->Finish(), "FullDuplexCall");
  }

  void EmptyStream() {
    ClientContext ctx;
    SetDeadline(ctx);
    auto stream = stub_->FullDuplexCall(&ctx);
    Check(stream->WritesDone(), "WritesDone failed");
    StreamingOutputCallResponse resp;
    Check(!stream->Read(&resp), "unexpected response");
    CheckOk(stream->Finish(), "FullDuplexCall");
  }

  void TimeoutOnSleepingServer() {
    ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1));
    auto stream = stub_->FullDuplexCall(&ctx);
    StreamingOutputCallRequest req;
    req.mutable_payload()->set_body(std::string(27182, '\0'));
    stream->Write(req);  // may already fail because the deadline passed: that's fine
    CheckCode(stream->Finish(), StatusCode::DEADLINE_EXCEEDED, "FullDuplexCall");
  }

  void CancelAfterBegin() {
    ClientContext ctx;
    SetDeadline(ctx);
    StreamingInputCallResponse resp;
    auto stream = stub_->StreamingInputCall(&ctx, &resp);
    ctx.TryCancel();
    CheckCode(stream->Finish(), StatusCode::CANCELLED, "StreamingInputCall");
  }

  void CancelAfterFirstResponse() {
    ClientContext ctx;
    SetDeadline(ctx);
    auto stream = stub_->FullDuplexCall(&ctx);
    Check(stream->Write(StreamingRequest(31415, 27182)), "Write failed");
    StreamingOutputCallResponse resp;
    ReadOne(*stream, resp, "first response");
    CheckZeros(resp.payload().body(), 31415, "first response");
    ctx.TryCancel();
    CheckCode(stream->Finish(), StatusCode::CANCELLED, "FullDuplexCall");
  }

  void CustomMetadata() {
    {
      ClientContext ctx;
      SetDeadline(ctx);
      AddEchoMetadata(ctx);
      SimpleRequest req;
      req.set_response_size(kLargeResponseSize);
      req.mutable_payload()->set_body(std::string(kLargeRequestSize, '\0'));
      SimpleResponse resp;
      CheckOk(stub_->UnaryCall(&ctx, req, &resp), "UnaryCall");
      CheckZeros(resp.payload().body(), kLargeResponseSize, "UnaryCall response");
      CheckEchoedMetadata(ctx, "UnaryCall");
    }
    {
      ClientContext ctx;
      SetDeadline(ctx);
      AddEchoMetadata(ctx);
      auto stream = stub_->FullDuplexCall(&ctx);
      Check(stream->Write(StreamingRequest(kLargeResponseSize, kLargeRequestSize)), "Write failed");
      Check(stream->WritesDone(), "WritesDone failed");
      StreamingOutputCallResponse resp;
      ReadOne(*stream, resp, "FullDuplexCall response");
      CheckZeros(resp.payload().body(), kLargeResponseSize, "FullDuplexCall response");
      Check(!stream->Read(&resp), "FullDuplexCall: unexpected 2nd response");
      CheckOk(stream->Finish(), "FullDuplexCall");
      CheckEchoedMetadata(ctx, "FullDuplexCall");
    }
  }

  void StatusCodeAndMessage() {
    {
      ClientContext ctx;
      SetDeadline(ctx);
      SimpleRequest req;
      req.mutable_response_status()->set_code(2);
      req.mutable_response_status()->set_message(kStatusMessage);
      SimpleResponse resp;
      CheckEchoedStatus(stub_->UnaryCall(&ctx, req, &resp), kStatusMessage, "UnaryCall");
    }
    {
      ClientContext ctx;
      SetDeadline(ctx);
      auto stream = stub_->FullDuplexCall(&ctx);
      StreamingOutputCallRequest req;
      req.mutable_response_status()->set_code(2);
      req.mutable_response_status()->set_message(kStatusMessage);
      stream->Write(req);  // failures surface through Finish()
      stream->WritesDone();
      StreamingOutputCallResponse resp;
      while (stream->Read(&resp)) {
      }
      CheckEchoedStatus(stream->Finish(), kStatusMessage, "FullDuplexCall");
    }
  }

  void SpecialStatusMessage() {
    ClientContext ctx;
    SetDeadline(ctx);
    SimpleRequest req;
    req.mutable_response_status()->set_code(2);
    req.mutable_response_status()->set_message(kSpecialStatusMessage);
    SimpleResponse resp;
    CheckEchoedStatus(stub_->UnaryCall(&ctx, req, &resp), kSpecialStatusMessage, "UnaryCall");
  }

  void UnimplementedMethod() {
    ClientContext ctx;
    SetDeadline(ctx);
    Empty req, resp;
    CheckCode(stub_->UnimplementedCall(&ctx, req, &resp), StatusCode::UNIMPLEMENTED,
              "TestService/UnimplementedCall");
  }

  void RpcSoak() { PerformSoak(false); }
  void ChannelSoak() { PerformSoak(true); }

  void UnimplementedService() {
    ClientContext ctx;
    SetDeadline(ctx);
    Empty req, resp;
    CheckCode(unimplemented_stub_->UnimplementedCall(&ctx, req, &resp), StatusCode::UNIMPLEMENTED,
              "UnimplementedService/UnimplementedCall");
  }

 private:
  static StreamingInputCallRequest InputRequest(int size, bool expect_compressed) {
    StreamingInputCallRequest req;
    req.mutable_expect_compressed()->set_value(expect_compressed);
    req.mutable_payload()->set_body(std::string(size, '\0'));
    return req;
  }

  struct SoakIteration {
    bool ok = true;
    double ms = 0;
    std::string error;
  };

  // One large_unary, on the shared channel or on a new one (new connection: the channel
  // has its own subchannel pool, so it cannot reuse another channel's connection).
  SoakIteration PerformSoakIteration(bool reset_channel,
                                     std::chrono::steady_clock::time_point overall_deadline) {
    SoakIteration it;
    const auto start = std::chrono::steady_clock::now();
    std::shared_ptr<grpc::Channel> channel = reset_channel ? new_channel_() : channel_;
    auto stub = grpc::testing::TestService::NewStub(channel);
    ClientContext ctx;
    // No deadline of its own beyond the overall timeout, like the official client.
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::max<std::chrono::steady_clock::duration>(overall_deadline - start,
                                                                   std::chrono::milliseconds(1)));
    SimpleResponse resp;
    Status s = stub->UnaryCall(&ctx, LargeUnaryRequest(), &resp);
    it.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    try {
      CheckOk(s, "UnaryCall");
      CheckZeros(resp.payload().body(), kLargeResponseSize, "response");
    } catch (const CaseFailure& f) {
      it.ok = false;
      it.error = f.reason;
      return it;
    }
    if (it.ms > soak_.per_iteration_max_acceptable_latency_ms) {
      it.ok = false;
      char buf[96];
      std::snprintf(buf, sizeof buf, "%.1f ms exceeds the max acceptable latency of %d ms", it.ms,
                    soak_.per_iteration_max_acceptable_latency_ms);
      it.error = buf;
    }
    return it;
  }

  // rpc_soak / channel_soak, with the semantics of the official client's PerformSoakTest: an
  // iteration fails on a non-OK call (or a wrong payload) or when slower than
  // soak_per_iteration_max_acceptable_latency_ms; iterations start at least
  // soak_min_time_ms_between_rpcs apart and none after soak_overall_timeout_seconds; the case
  // passes if all soak_iterations ran and at most soak_max_failures failed.
  void PerformSoak(bool reset_channel) {
    const auto overall_deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(soak_.overall_timeout_seconds);
    std::vector<double> latencies;
    int failures = 0;
    std::string first_failure;
    for (int i = 0; i < soak_.iterations && std::chrono::steady_clock::now() < overall_deadline; ++i) {
      const auto earliest_next =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(soak_.min_time_ms_between_rpcs);
      SoakIteration it = PerformSoakIteration(reset_channel, overall_deadline);
      latencies.push_back(it.ms);
      if (!it.ok) {
        ++failures;
        if (first_failure.empty()) first_failure = "iteration " + std::to_string(i) + ": " + it.error;
      }
      std::this_thread::sleep_until(earliest_next);
    }
    const int ran = static_cast<int>(latencies.size());
    const std::string counts = std::to_string(ran) + " of " + std::to_string(soak_.iterations) +
                               " iterations ran, " + std::to_string(failures) + " failed (max_failures " +
                               std::to_string(soak_.max_failures) + "); " + LatencySummary(latencies);
    const std::string first = first_failure.empty() ? "" : "; first failure: " + first_failure;
    Check(ran == soak_.iterations,
          "overall timeout of " + std::to_string(soak_.overall_timeout_seconds) + " s: " + counts + first);
    Check(failures <= soak_.max_failures, counts + first);
    note = counts + first;
  }

  static void AddEchoMetadata(ClientContext& ctx) {
    ctx.AddMetadata(kEchoInitialKey, kEchoInitialValue);
    ctx.AddMetadata(kEchoTrailingBinKey, kEchoTrailingBinValue);
  }

  static void CheckEchoedMetadata(const ClientContext& ctx, const std::string& what) {
    CheckMetadata(ctx.GetServerInitialMetadata(), kEchoInitialKey, kEchoInitialValue,
                  what + " initial metadata");
    CheckMetadata(ctx.GetServerTrailingMetadata(), kEchoTrailingBinKey, kEchoTrailingBinValue,
                  what + " trailing metadata");
  }

  // Echo Status: code 2 (UNKNOWN) and exactly the requested message.
  static void CheckEchoedStatus(const Status& s, const std::string& message, const std::string& what) {
    CheckCode(s, StatusCode::UNKNOWN, what);
    Check(s.error_message() == message,
          what + ": message \"" + Escape(s.error_message()) + "\", expected \"" + Escape(message) + "\"");
  }

  ChannelFactory new_channel_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::testing::TestService::Stub> stub_;
  std::unique_ptr<grpc::testing::UnimplementedService::Stub> unimplemented_stub_;
  SoakConfig soak_;
};

// The cases `--test_case=all` runs, in the spec's order (soak cases last).
const std::vector<std::pair<std::string, void (Cases::*)()>> kAllCases = {
    {"empty_unary", &Cases::EmptyUnary},
    {"large_unary", &Cases::LargeUnary},
    {"client_compressed_unary", &Cases::ClientCompressedUnary},
    {"server_compressed_unary", &Cases::ServerCompressedUnary},
    {"client_streaming", &Cases::ClientStreaming},
    {"client_compressed_streaming", &Cases::ClientCompressedStreaming},
    {"server_streaming", &Cases::ServerStreaming},
    {"server_compressed_streaming", &Cases::ServerCompressedStreaming},
    {"ping_pong", &Cases::PingPong},
    {"empty_stream", &Cases::EmptyStream},
    {"timeout_on_sleeping_server", &Cases::TimeoutOnSleepingServer},
    {"cancel_after_begin", &Cases::CancelAfterBegin},
    {"cancel_after_first_response", &Cases::CancelAfterFirstResponse},
    {"custom_metadata", &Cases::CustomMetadata},
    {"status_code_and_message", &Cases::StatusCodeAndMessage},
    {"special_status_message", &Cases::SpecialStatusMessage},
    {"unimplemented_method", &Cases::UnimplementedMethod},
    {"unimplemented_service", &Cases::UnimplementedService},
    {"rpc_soak", &Cases::RpcSoak},
    {"channel_soak", &Cases::ChannelSoak},
};

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
  cli::Flags flags(
      "grpcpp-interop-client",
      "The interop test cases on the official grpc++, against any TestService server (README.md).");
  SoakConfig soak;
  const interop::ClientFlags f = interop::parse_client_flags(flags, argc, argv, soak);

  // Resolve the case list before connecting, so a typo is a usage error.
  std::vector<std::pair<std::string, void (Cases::*)()>> selected;
  if (f.test_case == "all") {
    selected = kAllCases;
  } else {
    std::stringstream names(f.test_case);
    for (std::string name; std::getline(names, name, ',');) {
      auto it = std::find_if(kAllCases.begin(), kAllCases.end(), [&](auto& c) { return c.first == name; });
      if (it == kAllCases.end()) flags.fail("unknown test case: " + name);
      selected.push_back(*it);
    }
  }

  grpc::ChannelArguments args;
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (f.use_tls) {
    grpc::SslCredentialsOptions opts;  // empty roots = system roots
    if (!f.ca_file.empty() && !ReadFile(f.ca_file, opts.pem_root_certs))
      flags.fail("cannot read --ca_file=" + f.ca_file);
    creds = grpc::SslCredentials(opts);
    if (!f.server_host_override.empty()) args.SetSslTargetNameOverride(f.server_host_override);
  } else if (!f.server_host_override.empty()) {
    args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, f.server_host_override);
  }
  // Every channel gets its own subchannel pool, so that channel_soak's new channels cannot
  // reuse another channel's connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::string target = f.server_host + ":" + std::to_string(f.server_port);
  Cases cases([target, creds, args] { return grpc::CreateCustomChannel(target, creds, args); }, soak);

  int passed = 0, failed = 0;
  for (const auto& [name, fn] : selected) {
    cases.note.clear();
    try {
      (cases.*fn)();
      if (cases.note.empty()) {
        std::printf("PASS %s\n", name.c_str());
      } else {
        std::printf("PASS %s: %s\n", name.c_str(), cases.note.c_str());
      }
      ++passed;
    } catch (const CaseFailure& f) {
      std::printf("FAIL %s: %s\n", name.c_str(), f.reason.c_str());
      ++failed;
    }
    std::fflush(stdout);
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
