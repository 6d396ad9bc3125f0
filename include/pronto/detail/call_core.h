// pronto/detail/call_core.h — the untyped message pipe under every typed
// reader/writer, server or client side. Users never touch it directly.
//
// Ownership: a CallCore is owned by the server connection (server calls) or
// by the typed client call object (client calls); Op objects live in the
// awaiting coroutine's frame and must stay put until the core resumes them.
// Threading: server cores are touched only on their connection's loop.
// Client cores may be driven from any thread; they hop to their channel's
// loop internally and resume the waiter on the loop (or thread) it came from.
#pragma once

#include <coroutine>
#include <cstddef>
#include <optional>
#include <string>

#include "pronto/detail/buffer_cache.h"
#include "pronto/status.h"

namespace pronto::detail {

struct ReadOp {
  std::optional<std::string> message;  // payload; nullopt: no more messages
  bool compressed = false;             // it arrived compressed
  std::coroutine_handle<> waiter;
};

// Room a serializer leaves for the gRPC frame prefix (flag + length).
inline constexpr std::size_t kFramePrefixSize = 5;

struct WriteOp {
  std::string message;           // serialized payload, after kFramePrefixSize free bytes if prefix_reserved
  bool prefix_reserved = false;  // the core frames it in place (no copy)
  bool compress = true; // allow the call's compression for this message
  bool ok = false;      // set on completion: false when the call is over
  std::coroutine_handle<> waiter;
};

// Ops are started from await_suspend with op.waiter already set, so a core
// on another thread may resume the waiter as soon as it has the op.
class CallCore {
 public:
  // Starts a read. Returns true when it completed at once (op.message set or
  // nullopt at the end); otherwise resumes op.waiter later.
  virtual bool start_read(ReadOp& op) = 0;
  // Starts a write; the core takes op.message. Returns true when it completed
  // at once (op.ok set); otherwise resumes op.waiter once the message is
  // queued within the stream's flow-control budget.
  virtual bool start_write(WriteOp& op) = 0;
  // Fails the call from the typed layer (e.g. a message that does not parse).
  virtual void fail(Status status) = 0;

 protected:
  ~CallCore() = default;
};

// co_await-able forms of the two ops.
struct ReadAwaiter {
  CallCore* core;
  ReadOp op{};
  bool await_ready() noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    op.waiter = h;
    return !core->start_read(op);
  }
  std::optional<std::string> await_resume() { return std::move(op.message); }
};

// Reads and parses one T; a message that does not parse fails the call with
// INTERNAL and reads as the end of the stream.
template <class T, class Codec>
struct TypedReadAwaiter : ReadAwaiter {
  std::optional<T> await_resume() {
    auto bytes = ReadAwaiter::await_resume();
    if (!bytes) return std::nullopt;
    std::optional<T> msg(std::in_place);
    const bool parsed = Codec::parse(*bytes, *msg);
    recycle_if_large(*bytes);  // a large buffer serves the next message
    if (!parsed) {
      core->fail(Status::internal("failed to parse message"));
      return std::nullopt;
    }
    return msg;
  }
};

// Writes one message (serialized when the awaiter is made, so the caller's
// object need not outlive the co_await). Yields a Status, the same on
// client and server: OK once the message is queued within the stream's
// flow-control budget; INTERNAL when it did not serialize; CANCELLED when
// the call is over (the call's own status tells why: finish() on a client,
// is_cancelled() on a server). A Codec with append() serializes behind room
// for the frame prefix, so the message is framed where it lies; otherwise
// the core copies it behind a prefix.
struct WriteAwaiter {
  CallCore* core;
  WriteOp op{};
  bool serialized = true;
  bool await_ready() noexcept { return !serialized; }
  bool await_suspend(std::coroutine_handle<> h) {
    op.waiter = h;
    return !core->start_write(op);
  }
  Status await_resume() {
    if (!serialized) return Status::internal("failed to serialize message");
    return op.ok ? Status{} : Status::cancelled("the call is over");
  }
};
template <class Codec, class T>
WriteAwaiter make_write(CallCore* core, const T& message, bool compress = true) {
  WriteAwaiter a{core};
  a.op.compress = compress;
  if constexpr (requires(std::string & out) { Codec::append(message, out); }) {
    a.op.message.assign(kFramePrefixSize, '\0');
    a.op.prefix_reserved = true;
    a.serialized = Codec::append(message, a.op.message);
  } else {
    a.serialized = Codec::serialize(message, a.op.message);
  }
  if (!a.serialized) core->fail(Status::internal("failed to serialize message"));
  return a;
}

}  // namespace pronto::detail
