// What the grpc++ reference peers need to see of a call's compression and
// the public grpc++ API does not show: whether the message just received
// arrived compressed, and the algorithm of the incoming messages.
//
// These are grpc core's test-only accessors, the ones the official interop
// peers use (grpc/grpc test/cpp/interop/client_helper.h and server_helper.cc,
// InteropClientContextInspector / InteropServerContextInspector). libgrpc
// exports them (C++ linkage, checked with `nm -D` on Debian 12's libgrpc29
// 1.51) although no installed header declares them, so they are declared here.
#pragma once

#include <grpc/compression.h>
#include <grpc/grpc.h>

#include <cstdint>

std::uint32_t grpc_call_test_only_get_message_flags(grpc_call* call);
grpc_compression_algorithm grpc_call_test_only_get_compression_algorithm(grpc_call* call);

namespace interop {

// Internal message flags (grpc core src/core/lib/transport/transport.h): a
// message still compressed, or one the decompression filter inflated.
constexpr std::uint32_t kWriteInternalCompress = 0x80000000u;               // GRPC_WRITE_INTERNAL_COMPRESS
constexpr std::uint32_t kWriteInternalTestOnlyWasCompressed = 0x40000000u;  // ..._TEST_ONLY_WAS_COMPRESSED

// Whether the message most recently received on `call` arrived compressed
// (its gRPC frame had the compressed flag set).
inline bool LastMessageWasCompressed(grpc_call* call) {
  return (grpc_call_test_only_get_message_flags(call) &
          (kWriteInternalCompress | kWriteInternalTestOnlyWasCompressed)) != 0;
}

// The algorithm the peer compresses its messages with (its grpc-encoding).
inline grpc_compression_algorithm IncomingCompression(grpc_call* call) {
  return grpc_call_test_only_get_compression_algorithm(call);
}

}  // namespace interop
