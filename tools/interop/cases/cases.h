// tools/interop/cases/cases.h — the interop test cases pronto-interop-client
// runs (grpc/grpc doc/interop-test-descriptions.md), one function per case.
//
// A case returns normally when it passed and throws CaseFailure (checks.h)
// with a one-line reason when it failed. Cases use the generated blocking
// stubs where that reads naturally, and the coroutine API (driven by
// pronto::block_on) where interleaving reads and writes on one stream is
// the point: ping_pong and cancel_after_first_response.
//
// Grouped by file: message_cases.cc (messages flow, the call ends OK),
// early_end_cases.cc (deadline, cancellation, unimplemented) and
// metadata_status_cases.cc (what the server echoes besides messages).
//
// Threading: cases run one at a time on the main thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checks.h"
#include "grpc/testing/test.pronto.h"
#include "pronto/pronto.h"

namespace pronto_interop {

// What every case works with: one channel and the two stubs over it.
struct CaseEnv {
  explicit CaseEnv(std::shared_ptr<pronto::Channel> c) : channel(c), stub(c), unimplemented_stub(c) {}
  std::shared_ptr<pronto::Channel> channel;
  grpc::testing::TestService::Stub stub;
  grpc::testing::UnimplementedService::Stub unimplemented_stub;
};

// ---- Spec constants ---------------------------------------------------------

inline constexpr int kLargeRequestSize = 271828;
inline constexpr int kLargeResponseSize = 314159;
inline constexpr int kRequestStreamSizes[] = {27182, 8, 1828, 45904};   // sum 74922
inline constexpr int kResponseStreamSizes[] = {31415, 9, 2653, 58979};  // server streaming, ping-pong
inline constexpr int kAggregatedPayloadSize = 74922;
inline constexpr char kEchoInitialKey[] = "x-grpc-test-echo-initial";
inline constexpr char kEchoInitialValue[] = "test_initial_metadata_value";
inline constexpr char kEchoTrailingBinKey[] = "x-grpc-test-echo-trailing-bin";
inline constexpr char kEchoTrailingBinValue[] = "\xab\xab\xab";  // spec: 0xababab
inline constexpr char kStatusMessage[] = "test status message";
inline constexpr char kSpecialStatusMessage[] =
    "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";

// A StreamingOutputCallRequest asking for one response of `response_size`
// zero bytes, carrying `payload_size` zero bytes itself.
inline grpc::testing::StreamingOutputCallRequest streaming_request(int response_size, int payload_size) {
  grpc::testing::StreamingOutputCallRequest request;
  request.add_response_parameters()->set_size(response_size);
  request.mutable_payload()->set_body(std::string(static_cast<std::size_t>(payload_size), '\0'));
  return request;
}

// ---- The cases --------------------------------------------------------------

// message_cases.cc
void empty_unary(CaseEnv& env);
void large_unary(CaseEnv& env);
void client_streaming(CaseEnv& env);
void server_streaming(CaseEnv& env);
void ping_pong(CaseEnv& env);
void empty_stream(CaseEnv& env);
// early_end_cases.cc
void timeout_on_sleeping_server(CaseEnv& env);
void cancel_after_begin(CaseEnv& env);
void cancel_after_first_response(CaseEnv& env);
void unimplemented_method(CaseEnv& env);
void unimplemented_service(CaseEnv& env);
// metadata_status_cases.cc
void custom_metadata(CaseEnv& env);
void status_code_and_message(CaseEnv& env);
void special_status_message(CaseEnv& env);

struct NamedCase {
  std::string_view name;
  void (*run)(CaseEnv&);
};

// The cases `--test_case=all` runs, in the suite's order.
inline const std::vector<NamedCase>& all_cases() {
  static const std::vector<NamedCase> cases = {
      {"empty_unary", empty_unary},
      {"large_unary", large_unary},
      {"client_streaming", client_streaming},
      {"server_streaming", server_streaming},
      {"ping_pong", ping_pong},
      {"empty_stream", empty_stream},
      {"timeout_on_sleeping_server", timeout_on_sleeping_server},
      {"cancel_after_begin", cancel_after_begin},
      {"cancel_after_first_response", cancel_after_first_response},
      {"custom_metadata", custom_metadata},
      {"status_code_and_message", status_code_and_message},
      {"special_status_message", special_status_message},
      {"unimplemented_method", unimplemented_method},
      {"unimplemented_service", unimplemented_service},
  };
  return cases;
}

}  // namespace pronto_interop
