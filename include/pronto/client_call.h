// pronto/client_call.h — typed client calls, async (coroutine) and blocking,
// for the four call kinds. Generated stubs are thin wrappers over these.
//
// Ownership: each call object (ClientReader, ClientWriter, ClientStream and
// their Blocking forms) owns its call; destroying it before the call
// finished cancels the call. Move-only.
// Threading: a call object may be used from any thread, one operation of a
// kind at a time (one read and one write may be pending at once, e.g. a
// reader thread beside a writer thread). Async operations resume the awaiting
// coroutine on the event loop it was awaited on (a server handler's loop),
// or on the channel's loop when awaited elsewhere.
#pragma once

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "pronto/channel.h"
#include "pronto/client_context.h"
#include "pronto/codec.h"
#include "pronto/detail/ambient.h"
#include "pronto/detail/call_core.h"
#include "pronto/status.h"
#include "pronto/task.h"

namespace pronto {

namespace detail {

struct UnaryOp {
  std::string request;
  std::optional<std::string> response;
  Status status;
  std::coroutine_handle<> waiter;
};

struct FinishOp {
  Status status;
  std::coroutine_handle<> waiter;
};

// One client call on the wire (src/client).
class ClientCallCore : public CallCore {
 public:
  // Half-closes the request stream once queued writes are sent.
  virtual void writes_done() = 0;
  // finish(), the same on every call object: half-closes the request side
  // (if not yet), drops response messages not yet read, and completes with
  // the call's final status (after the trailers).
  virtual bool start_finish(FinishOp& op) = 0;
  virtual void cancel() = 0;
  // The owner is done with the call; a call still running is cancelled.
  virtual void release() = 0;

 protected:
  ~ClientCallCore() = default;
};
struct ClientCallRelease {
  void operator()(ClientCallCore* c) const noexcept { c->release(); }
};
using ClientCallPtr = std::unique_ptr<ClientCallCore, ClientCallRelease>;

// Starts a unary call; returns true when it completed at once (a local
// failure), otherwise resumes op.waiter with op.response and op.status set.
bool start_unary(Channel& channel, std::string_view path, CallOptions& options, UnaryOp& op);
// Makes a streaming call that starts with its first operation (read,
// write, writes_done, finish or cancel), as a unary call starts when
// awaited; dropped before that, it never runs. With `first` set, that
// message is sent first (and the request side half-closed when `half_close`).
// A non-OK `local_error` (e.g. the first message did not serialize) fails
// the call with it before anything is sent.
ClientCallPtr start_stream(Channel& channel, std::string_view path, CallOptions options,
                           std::optional<std::string> first, bool half_close, Status local_error = {});

// A coroutine that starts at once and frees itself when done.
struct Detached {
  struct promise_type : PooledFrame {
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

// Runs `task` to completion, blocking this thread.
template <class T>
T block_on(Task<T> task) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::optional<detail::BlockingSlot<T>> slot;
  slot.emplace();
  {
    BlockingRegion region;
    [](Task<T>& t, detail::BlockingSlot<T>& s, std::mutex& m, std::condition_variable& c,
       bool& d) -> Detached {
      try {
        if constexpr (std::is_void_v<T>) {
          co_await std::move(t);
        } else {
          s.value.emplace(co_await std::move(t));
        }
      } catch (...) {
        s.error = std::current_exception();
      }
      std::lock_guard lock(m);
      d = true;
      c.notify_one();
    }(task, *slot, mu, cv, done);
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return slot->take();
}

inline auto finish_awaiter(ClientCallCore* core) {
  struct Awaiter {
    ClientCallCore* core;
    FinishOp op{};
    bool await_ready() noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      op.waiter = h;
      return !core->start_finish(op);
    }
    Status await_resume() { return std::move(op.status); }
  };
  return Awaiter{core};
}

template <class Resp>
Task<Result<Resp>> unary_task(std::shared_ptr<Channel> channel, std::string_view path, UnaryOp op,
                              CallOptions options) {
  struct Awaiter {
    Channel& channel;
    std::string_view path;
    CallOptions& options;
    UnaryOp& op;
    bool await_ready() noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      op.waiter = h;
      return !start_unary(channel, path, options, op);
    }
    void await_resume() noexcept {}
  };
  co_await Awaiter{*channel, path, options, op};
  if (!op.status.ok()) co_return std::move(op.status);
  // A response cardinality violation (as grpc-go and grpc-java answer it).
  if (!op.response) co_return Status::internal("cardinality violation: OK status without a response message");
  Resp resp;
  if (!Codec<Resp>::parse(*op.response, resp)) co_return Status::internal("failed to parse response message");
  co_return resp;
}

// Reads the single response of a client-streaming call and its status.
template <class Resp>
Task<Result<Resp>> finish_with_response(ClientCallCore* core) {
  auto msg = co_await TypedReadAwaiter<Resp, Codec<Resp>>{{core}};
  std::optional<Resp> extra;
  if (msg) extra = co_await TypedReadAwaiter<Resp, Codec<Resp>>{{core}};
  if (extra) {
    // Exactly one: a second message is a cardinality violation (INTERNAL, as
    // grpc-go and grpc-java answer it). The call is cancelled, whatever
    // status may already have arrived.
    Status violation =
        Status::internal("cardinality violation: more than one response message where exactly one is due");
    core->fail(violation);
    (void)co_await finish_awaiter(core);
    co_return violation;
  }
  Status st = co_await finish_awaiter(core);
  if (!st.ok()) co_return st;
  if (!msg) co_return Status::internal("cardinality violation: OK status without a response message");
  co_return std::move(*msg);
}

}  // namespace detail

// Runs a coroutine to completion from a plain thread (e.g. main()).
using detail::block_on;

// ---- async forms -----------------------------------------------------------

// Unary: co_await unary_call<Reply>(channel, "/pkg.Svc/M", request, options).
// The request is serialized at once; the call starts when awaited.
template <class Resp, class Req>
Task<Result<Resp>> unary_call(std::shared_ptr<Channel> channel, std::string_view path, const Req& request,
                              CallOptions options = {}) {
  detail::UnaryOp op;
  if (!Codec<Req>::serialize(request, op.request)) {
    op.status = Status::internal("failed to serialize request message");
  }
  return detail::unary_task<Resp>(std::move(channel), path, std::move(op), std::move(options));
}

// Server streaming, async: while (auto m = co_await r.read()) ...; then
// co_await r.finish() for the status. On every call object finish() means
// the same: our side is done (half-close), unread responses are dropped,
// and the call's outcome is awaited.
template <class Resp>
class ClientReader {
 public:
  explicit ClientReader(detail::ClientCallPtr call) : call_(std::move(call)) {}
  auto read() { return detail::TypedReadAwaiter<Resp, Codec<Resp>>{{call_.get()}}; }
  auto finish() { return detail::finish_awaiter(call_.get()); }
  void cancel() { call_->cancel(); }

 private:
  detail::ClientCallPtr call_;
};

// Client streaming, async: co_await w.write(m) (a Status: CANCELLED once the
// call is over; finish() then says why),
// then co_await w.finish() for the response.
template <class Req, class Resp>
class ClientWriter {
 public:
  explicit ClientWriter(detail::ClientCallPtr call) : call_(std::move(call)) {}
  // compress = false sends this message uncompressed on a compressed call.
  auto write(const Req& m, bool compress = true) { return detail::make_write<Codec<Req>>(call_.get(), m, compress); }
  // Half-closes (if not yet) and awaits the response and status.
  Task<Result<Resp>> finish() {
    call_->writes_done();
    return detail::finish_with_response<Resp>(call_.get());
  }
  void cancel() { call_->cancel(); }

 private:
  detail::ClientCallPtr call_;
};

// Bidirectional, async: reads and writes are independent.
template <class Req, class Resp>
class ClientStream {
 public:
  explicit ClientStream(detail::ClientCallPtr call) : call_(std::move(call)) {}
  auto write(const Req& m, bool compress = true) { return detail::make_write<Codec<Req>>(call_.get(), m, compress); }
  void writes_done() { call_->writes_done(); }
  auto read() { return detail::TypedReadAwaiter<Resp, Codec<Resp>>{{call_.get()}}; }
  auto finish() { return detail::finish_awaiter(call_.get()); }
  void cancel() { call_->cancel(); }

 private:
  detail::ClientCallPtr call_;
};

template <class Resp, class Req>
ClientReader<Resp> server_streaming_call(const std::shared_ptr<Channel>& channel, std::string_view path,
                                         const Req& request, CallOptions options = {}) {
  std::string bytes;
  Status error;
  if (!Codec<Req>::serialize(request, bytes)) error = Status::internal("failed to serialize request message");
  return ClientReader<Resp>(
      detail::start_stream(*channel, path, std::move(options), std::move(bytes), true, std::move(error)));
}
template <class Req, class Resp>
ClientWriter<Req, Resp> client_streaming_call(const std::shared_ptr<Channel>& channel, std::string_view path,
                                              CallOptions options = {}) {
  return ClientWriter<Req, Resp>(detail::start_stream(*channel, path, std::move(options), std::nullopt, false));
}
template <class Req, class Resp>
ClientStream<Req, Resp> bidi_streaming_call(const std::shared_ptr<Channel>& channel, std::string_view path,
                                            CallOptions options = {}) {
  return ClientStream<Req, Resp>(detail::start_stream(*channel, path, std::move(options), std::nullopt, false));
}

// ---- blocking forms --------------------------------------------------------

template <class Resp, class Req>
Result<Resp> blocking_unary_call(std::shared_ptr<Channel> channel, std::string_view path, const Req& request,
                                 CallOptions options = {}) {
  return detail::block_on(unary_call<Resp>(std::move(channel), path, request, std::move(options)));
}

// Server streaming as a range: for (const auto& m : reader) ...; then
// reader.status() for the final status.
template <class Resp>
class BlockingReader {
 public:
  explicit BlockingReader(ClientReader<Resp> r) : r_(std::move(r)) {}

  // Next message, or nullopt at the end of the stream.
  std::optional<Resp> read() {
    return detail::block_on([](ClientReader<Resp>& r) -> Task<std::optional<Resp>> {
      co_return co_await r.read();
    }(r_));
  }
  // finish(), as on every call object: drops what was not read and returns
  // the call's final status (remembered: later calls return it again).
  Status finish() {
    if (!status_) {
      status_ = detail::block_on([](ClientReader<Resp>& r) -> Task<Status> { co_return co_await r.finish(); }(r_));
    }
    return *status_;
  }
  // The same as finish(), for `for (m : reader) ...; reader.status()`.
  Status status() { return finish(); }
  void cancel() { r_.cancel(); }

  class iterator {
   public:
    using value_type = Resp;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(BlockingReader* r) : r_(r) { ++*this; }
    Resp& operator*() const { return *r_->current_; }
    Resp* operator->() const { return &*r_->current_; }
    iterator& operator++() {
      r_->current_ = r_->read();
      if (!r_->current_) r_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(const iterator& o) const { return r_ == o.r_; }

   private:
    BlockingReader* r_ = nullptr;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  ClientReader<Resp> r_;
  std::optional<Resp> current_;
  std::optional<Status> status_;
};

// Client streaming: write(m) each message (a Status: not OK once the call is
// over, e.g. the server answered early), then finish() for the response.
template <class Req, class Resp>
class BlockingWriter {
 public:
  explicit BlockingWriter(ClientWriter<Req, Resp> w) : w_(std::move(w)) {}
  Status write(const Req& m, bool compress = true) {
    return detail::block_on([](ClientWriter<Req, Resp>& w, const Req& m, bool c) -> Task<Status> {
      co_return co_await w.write(m, c);
    }(w_, m, compress));
  }
  // Writes every element of a range (e.g. a generator); stops at the first
  // write that fails and returns its status.
  template <class Range>
  Status write_all(Range&& messages) {
    for (const auto& m : messages)
      if (Status st = write(m); !st.ok()) return st;
    return {};
  }
  Result<Resp> finish() { return detail::block_on(w_.finish()); }
  void cancel() { w_.cancel(); }

 private:
  ClientWriter<Req, Resp> w_;
};

// Bidirectional: write/writes_done and read/finish, from one thread or from a
// writer thread beside a reader thread.
template <class Req, class Resp>
class BlockingStream {
 public:
  explicit BlockingStream(ClientStream<Req, Resp> s) : s_(std::move(s)) {}
  Status write(const Req& m, bool compress = true) {
    return detail::block_on([](ClientStream<Req, Resp>& s, const Req& m, bool c) -> Task<Status> {
      co_return co_await s.write(m, c);
    }(s_, m, compress));
  }
  void writes_done() { s_.writes_done(); }
  std::optional<Resp> read() {
    return detail::block_on([](ClientStream<Req, Resp>& s) -> Task<std::optional<Resp>> {
      co_return co_await s.read();
    }(s_));
  }
  Status finish() {
    return detail::block_on([](ClientStream<Req, Resp>& s) -> Task<Status> { co_return co_await s.finish(); }(s_));
  }
  void cancel() { s_.cancel(); }

 private:
  ClientStream<Req, Resp> s_;
};

}  // namespace pronto
