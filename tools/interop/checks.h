// tools/interop/checks.h — the assertions of pronto-interop-client.
//
// A failed check throws CaseFailure carrying a one-line reason, which the
// client prints as `FAIL name: reason`. The checks are as strict as the
// reference clients' (tests/interop/grpcpp_interop_client.cc): exact sizes,
// zero-filled payloads, exact codes and messages, echoed metadata present
// exactly once with exactly the right value.
//
// Threading: plain functions; safe from any thread (and from coroutines).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "pronto/pronto.h"

namespace pronto_interop {

struct CaseFailure {
  std::string reason;
};

// Arbitrary bytes made printable on one line (C escapes, \xNN for non-ASCII).
std::string escape(std::string_view in);
// `status 2 UNKNOWN "message"`.
std::string describe(const pronto::Status& status);

void check(bool ok, const std::string& what);
void check_ok(const pronto::Status& status, const std::string& what);
void check_code(const pronto::Status& status, pronto::StatusCode code, const std::string& what);
// Echo Status: code 2 (UNKNOWN) and exactly `message`.
void check_echoed_status(const pronto::Status& status, const std::string& message, const std::string& what);
// The payload body must be exactly `size` zero bytes.
void check_zeros(const std::string& body, int size, const std::string& what);
// `metadata` must hold `key` exactly once, with value `want`.
void check_metadata(const pronto::Metadata& metadata, const std::string& key, const std::string& want,
                    const std::string& what);

// The value of an OK result; throws with its status otherwise.
template <class T>
T take_ok(pronto::Result<T> result, const std::string& what) {
  check_ok(result.status(), what);
  return std::move(result).value();
}

// Every RPC (except timeout_on_sleeping_server's) gets this deadline, so a
// broken peer fails the case instead of hanging the run.
inline constexpr std::chrono::seconds kRpcTimeout{20};

// CallOptions with kRpcTimeout and, optionally, a context for metadata and
// cancellation.
pronto::CallOptions rpc_options(pronto::ClientContext* context = nullptr);

}  // namespace pronto_interop
