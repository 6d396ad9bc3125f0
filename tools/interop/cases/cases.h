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
// early_end_cases.cc (deadline, cancellation, unimplemented),
// metadata_status_cases.cc (what the server echoes besides messages),
// compression_cases.cc (client_/server_compressed_unary/_streaming) and
// soak_cases.cc (rpc_soak, channel_soak).
//
// Threading: cases run one at a time on the main thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checks.h"
#include "grpc/testing/test.pronto.h"
#include "pronto/pronto.h"

namespace pronto_interop {

// The soak flags (--soak_*), as the official clients name them. Defaults
// are grpc-go's: small enough for CI.
struct SoakConfig {
  int iterations = 10;                                 // --soak_iterations
  int max_failures = 0;                                // --soak_max_failures
  int per_iteration_max_acceptable_latency_ms = 1000;  // --soak_per_iteration_max_acceptable_latency_ms
  int overall_timeout_seconds = 10;                    // --soak_overall_timeout_seconds
  int min_time_ms_between_rpcs = 0;                    // --soak_min_time_ms_between_rpcs
};

// What every case works with: one channel and the two stubs over it, a way
// to make more channels like it (channel_soak), and the soak flags.
struct CaseEnv {
  using ChannelFactory = std::function<std::shared_ptr<pronto::Channel>()>;
  CaseEnv(ChannelFactory factory, SoakConfig soak_config)
      : new_channel(std::move(factory)),
        channel(new_channel()),
        stub(channel),
        unimplemented_stub(channel),
        soak(soak_config) {}
  ChannelFactory new_channel;  // a new channel (own connection) to the server
  std::shared_ptr<pronto::Channel> channel;
  grpc::testing::TestService::Stub stub;
  grpc::testing::UnimplementedService::Stub unimplemented_stub;
  SoakConfig soak;
  // Details a passing case wants on its PASS line (`PASS name: note`);
  // cleared before each case.
  std::string note;
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

// A SimpleRequest carrying kLargeRequestSize zero bytes and asking for
// kLargeResponseSize back (large_unary, the compressed unary cases, soak).
inline grpc::testing::SimpleRequest large_unary_request() {
  grpc::testing::SimpleRequest request;
  request.set_response_size(kLargeResponseSize);
  request.mutable_payload()->set_body(std::string(kLargeRequestSize, '\0'));
  return request;
}

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
// compression_cases.cc
void client_compressed_unary(CaseEnv& env);
void server_compressed_unary(CaseEnv& env);
void client_compressed_streaming(CaseEnv& env);
void server_compressed_streaming(CaseEnv& env);
// soak_cases.cc
void rpc_soak(CaseEnv& env);
void channel_soak(CaseEnv& env);

struct NamedCase {
  std::string_view name;
  void (*run)(CaseEnv&);
};

// The cases `--test_case=all` runs, in the spec's order. Like the official
// C++ client's `all`, it includes the soak cases (with the --soak_* flags;
// the defaults keep them short).
inline const std::vector<NamedCase>& all_cases() {
  static const std::vector<NamedCase> cases = {
      {"empty_unary", empty_unary},
      {"large_unary", large_unary},
      {"client_compressed_unary", client_compressed_unary},
      {"server_compressed_unary", server_compressed_unary},
      {"client_streaming", client_streaming},
      {"client_compressed_streaming", client_compressed_streaming},
      {"server_streaming", server_streaming},
      {"server_compressed_streaming", server_compressed_streaming},
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
      {"rpc_soak", rpc_soak},
      {"channel_soak", channel_soak},
  };
  return cases;
}

}  // namespace pronto_interop
