// pronto/client_context.h — per-call options for client calls, and the
// optional context through which a call reports metadata and is cancelled.
//
// Ownership: CallOptions is a value, copied into the call. A ClientContext is
// owned by the caller and must outlive the call it is attached to.
// Threading: ClientContext::cancel() may be called from any thread; the
// metadata accessors are safe once the call has finished (or, for initial
// metadata, once the first response message was read).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "pronto/compression.h"
#include "pronto/metadata.h"
#include "pronto/server_context.h"

namespace pronto {

class ClientContext {
 public:
  ClientContext() = default;
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  // The server's response headers (initial metadata), -bin values decoded.
  const Metadata& initial_metadata() const noexcept { return initial_metadata_; }
  // The server's trailers beside grpc-status/grpc-message.
  const Metadata& trailing_metadata() const noexcept { return trailing_metadata_; }
  // Cancels the call (CANCELLED, RST_STREAM to the server). Any thread.
  void cancel();
  bool cancelled() const noexcept { return cancelled_.load(); }
  // "ipv4:127.0.0.1:50051" once connected.
  const std::string& peer() const noexcept { return peer_; }

 private:
  friend class ClientContextAccess;
  mutable std::mutex mu_;
  std::function<void()> cancel_hook_;  // set by the running call
  std::atomic<bool> cancelled_{false};
  Metadata initial_metadata_;
  Metadata trailing_metadata_;
  std::string peer_;
};

struct CallOptions {
  // Time allowed from the start of the call; or an absolute deadline. The
  // earlier of the two wins.
  std::optional<std::chrono::nanoseconds> timeout{};
  std::optional<Deadline> deadline{};
  // Request metadata (values of "-bin" keys are raw bytes).
  Metadata metadata{};
  // A call started inside a server handler inherits what remains of the
  // handler's deadline unless this is false.
  bool propagate_deadline = true;
  // Compress request messages with this algorithm (grpc-encoding).
  Compression compression = Compression::identity;
  // Receives response metadata and offers cancel(); optional.
  ClientContext* context = nullptr;
};

}  // namespace pronto
