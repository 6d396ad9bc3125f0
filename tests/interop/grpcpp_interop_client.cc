// Reference interop client built on the official gRPC C++ library (grpc++ sync API).
//
// Runs the test cases of grpc/grpc doc/interop-test-descriptions.md against a TestService
// server, so pronto servers can be checked against the official implementation. Same flags
// and output as pronto-interop-client:
//
//   grpcpp-interop-client --server_port=N [--server_host=localhost] [--test_case=all|a,b,...]
//                         [--use_tls=false] [--server_host_override=NAME] [--ca_file=PEM]
//
// Prints `PASS name` or `FAIL name: reason` per case, then `N passed, M failed`; exits 1 if
// any case failed (2 on bad usage). Assertions are strict: exact sizes, zero-filled
// payloads, exact status codes/messages and metadata values.
//
// Not implemented yet: compression cases, soak cases, auth (cloud-to-prod) cases.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grpc/testing/empty.pb.h"
#include "grpc/testing/messages.pb.h"
#include "grpc/testing/test.grpc.pb.h"
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

// ---- The test cases ------------------------------------------------------------------------

class Cases {
 public:
  explicit Cases(std::shared_ptr<grpc::Channel> channel)
      : stub_(grpc::testing::TestService::NewStub(channel)),
        unimplemented_stub_(grpc::testing::UnimplementedService::NewStub(channel)) {}

  void EmptyUnary() {
    ClientContext ctx;
    SetDeadline(ctx);
    Empty req, resp;
    CheckOk(stub_->EmptyCall(&ctx, req, &resp), "EmptyCall");
  }

  void LargeUnary() {
    ClientContext ctx;
    SetDeadline(ctx);
    SimpleRequest req;
    req.set_response_size(kLargeResponseSize);
    req.mutable_payload()->set_body(std::string(kLargeRequestSize, '\0'));
    SimpleResponse resp;
    CheckOk(stub_->UnaryCall(&ctx, req, &resp), "UnaryCall");
    CheckZeros(resp.payload().body(), kLargeResponseSize, "response");
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

  void UnimplementedService() {
    ClientContext ctx;
    SetDeadline(ctx);
    Empty req, resp;
    CheckCode(unimplemented_stub_->UnimplementedCall(&ctx, req, &resp), StatusCode::UNIMPLEMENTED,
              "UnimplementedService/UnimplementedCall");
  }

 private:
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

  std::unique_ptr<grpc::testing::TestService::Stub> stub_;
  std::unique_ptr<grpc::testing::UnimplementedService::Stub> unimplemented_stub_;
};

// The cases `--test_case=all` runs, in order.
const std::vector<std::pair<std::string, void (Cases::*)()>> kAllCases = {
    {"empty_unary", &Cases::EmptyUnary},
    {"large_unary", &Cases::LargeUnary},
    {"client_streaming", &Cases::ClientStreaming},
    {"server_streaming", &Cases::ServerStreaming},
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
};

int Usage(const std::string& error) {
  std::fprintf(stderr,
               "grpcpp-interop-client: %s\n"
               "usage: grpcpp-interop-client --server_port=N [--server_host=localhost] "
               "[--test_case=all|name[,name...]] [--use_tls=false] [--server_host_override=NAME] "
               "[--ca_file=PEM]\n",
               error.c_str());
  return 2;
}

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
  interop::FlagMap flags = {{"server_host", "localhost"}, {"server_port", ""},          {"test_case", "all"},
                            {"use_tls", "false"},         {"server_host_override", ""}, {"ca_file", ""}};
  std::string error;
  if (!interop::ParseFlags(argc, argv, flags, error)) return Usage(error);
  int port = 0;
  bool use_tls = false;
  if (!interop::ParseInt(flags["server_port"], 1, 65535, port)) return Usage("--server_port=N is required");
  if (!interop::ParseBool(flags["use_tls"], use_tls)) return Usage("--use_tls must be true or false");

  // Resolve the case list before connecting, so a typo is a usage error.
  std::vector<std::pair<std::string, void (Cases::*)()>> selected;
  if (flags["test_case"] == "all") {
    selected = kAllCases;
  } else {
    std::stringstream names(flags["test_case"]);
    for (std::string name; std::getline(names, name, ',');) {
      auto it = std::find_if(kAllCases.begin(), kAllCases.end(), [&](auto& c) { return c.first == name; });
      if (it == kAllCases.end()) return Usage("unknown test case: " + name);
      selected.push_back(*it);
    }
  }

  grpc::ChannelArguments args;
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (use_tls) {
    grpc::SslCredentialsOptions opts;  // empty roots = system roots
    if (!flags["ca_file"].empty() && !ReadFile(flags["ca_file"], opts.pem_root_certs)) {
      return Usage("cannot read --ca_file " + flags["ca_file"]);
    }
    creds = grpc::SslCredentials(opts);
    if (!flags["server_host_override"].empty()) {
      args.SetSslTargetNameOverride(flags["server_host_override"]);
    }
  } else if (!flags["server_host_override"].empty()) {
    args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, flags["server_host_override"]);
  }
  std::string target = flags["server_host"] + ":" + std::to_string(port);
  Cases cases(grpc::CreateCustomChannel(target, creds, args));

  int passed = 0, failed = 0;
  for (const auto& [name, fn] : selected) {
    try {
      (cases.*fn)();
      std::printf("PASS %s\n", name.c_str());
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
