// tools/bench/request_source.h — turns the request flags into the bytes
// every call sends: JSON (--data) converted against the method's input type
// from --proto (parsed at run time: compiler::Importer + DynamicMessageFactory,
// no generated code), or raw serialized bytes (--binary_file).
//
// Ownership: RequestSpec is a plain value. Threading: one thread.
#pragma once

#include <string>

#include "options.h"
#include "pronto/status.h"

namespace pronto_bench {

enum class CallKind { unary, server_streaming };

struct RequestSpec {
  std::string path;                 // "/helloworld.Greeter/SayHello"
  std::string bytes;                // the serialized request message
  CallKind kind = CallKind::unary;  // from --proto; unary without one
  std::string input_type;           // "helloworld.HelloRequest", or "" without --proto
  std::string output_type;          // "helloworld.HelloReply", or ""
};

// INVALID_ARGUMENT (proto does not parse, method not found, JSON does not
// match the input type), NOT_FOUND (a file cannot be read) or UNIMPLEMENTED
// (client or bidirectional streaming).
pronto::Result<RequestSpec> build_request(const BenchOptions& options);

const char* call_kind_name(CallKind kind) noexcept;

}  // namespace pronto_bench
