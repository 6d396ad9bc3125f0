// pronto/service.h — the server side of a typed service: the Service base
// every generated service class derives from, and the typed streams handed
// to handlers.
//
// Ownership: the user owns Service objects; a Service must outlive every
// Server it is added to. Readers and writers are owned by the server for the
// life of the handler call and are passed by reference.
// Threading: ONE Service object serves every call, from all of the server's
// event loops AT ONCE (ServerOptions::event_loops, one per core by
// default): state the service keeps across calls needs its own
// synchronization. Each call's handler runs on its connection's loop;
// readers, writers and the ServerContext are used from the handler
// coroutine only. A handler must not block its loop: blocking work (file
// I/O, a blocking database client, heavy CPU) goes through
// `co_await ctx.blocking(fn)`, which runs fn on the server's pool.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pronto/codec.h"
#include "pronto/detail/call_core.h"
#include "pronto/server_context.h"
#include "pronto/status.h"
#include "pronto/task.h"

namespace google::protobuf {
class FileDescriptor;
}  // namespace google::protobuf

namespace pronto {

enum class RpcKind { unary, server_streaming, client_streaming, bidi_streaming };

// Reads the client's messages. co_await read() yields the next message, or
// nullopt once the client has half-closed or the call is over (then
// ServerContext::is_cancelled() tells a cancelled call from a clean end). A
// message that does not parse fails the call with INTERNAL.
template <class T>
class ServerReader {
 public:
  explicit ServerReader(detail::CallCore& core) : core_(&core) {}
  auto read() { return detail::TypedReadAwaiter<T, Codec<T>>{{core_}}; }

 private:
  detail::CallCore* core_;
};

// Sends messages to the client. co_await write(m) returns OK once the
// message is queued within the stream's flow-control budget (a writer that
// outruns its reader is suspended here), or a non-OK status when the call is
// over (client gone, cancelled, deadline): stop writing then. The same
// result as a client's write (detail::WriteAwaiter).
// One write at a time: a handler awaits each write before the next.
template <class T>
class ServerWriter {
 public:
  explicit ServerWriter(detail::CallCore& core) : core_(&core) {}
  // compress = false sends this message uncompressed on a compressed call.
  auto write(const T& message, bool compress = true) { return detail::make_write<Codec<T>>(core_, message, compress); }

 private:
  detail::CallCore* core_;
};

// Both directions of a bidirectional call; reads and writes are independent.
template <class Req, class Resp>
class ServerStream : public ServerReader<Req>, public ServerWriter<Resp> {
 public:
  explicit ServerStream(detail::CallCore& core) : ServerReader<Req>(core), ServerWriter<Resp>(core) {}
};

namespace detail {
// Runs one call of a method: reads, invokes the user's handler, writes, and
// returns the status to send. The server sends it with the trailing metadata.
using MethodHandler = std::function<Task<Status>(ServerContext&, CallCore&)>;
}  // namespace detail

// Base of every generated service class. Generated constructors register
// each method with the add_* helpers below.
class Service {
 public:
  struct Method {
    std::string path;  // "/package.Service/Method"
    RpcKind kind;
    detail::MethodHandler handler;
  };

  explicit Service(std::string full_name) : name_(std::move(full_name)) {}
  virtual ~Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // "package.Service"
  const std::string& name() const noexcept { return name_; }
  const std::vector<Method>& methods() const noexcept { return methods_; }
  // The descriptor of the .proto file that declares this service, set by
  // the generated constructor (from the linked-in .pb.cc: no .proto file
  // is read at run time); null for a service not made by protoc-gen-pronto.
  // Server reflection answers from it. Points into protobuf's generated
  // pool, which lives as long as the process.
  const google::protobuf::FileDescriptor* file_descriptor() const noexcept { return file_descriptor_; }

 protected:
  template <class Req, class Resp, class Svc>
  void add_unary(std::string_view method, Task<Result<Resp>> (Svc::*fn)(ServerContext&, const Req&)) {
    Svc* self = static_cast<Svc*>(this);
    add(method, RpcKind::unary, [self, fn](ServerContext& ctx, detail::CallCore& core) -> Task<Status> {
      auto req = co_await ServerReader<Req>(core).read();
      if (!req) co_return missing_request(ctx);
      Result<Resp> resp = co_await (self->*fn)(ctx, *req);
      co_return co_await send_response(core, resp);
    });
  }
  template <class Req, class Resp, class Svc>
  void add_server_streaming(std::string_view method,
                            Task<Status> (Svc::*fn)(ServerContext&, const Req&, ServerWriter<Resp>&)) {
    Svc* self = static_cast<Svc*>(this);
    add(method, RpcKind::server_streaming,
        [self, fn](ServerContext& ctx, detail::CallCore& core) -> Task<Status> {
          auto req = co_await ServerReader<Req>(core).read();
          if (!req) co_return missing_request(ctx);
          ServerWriter<Resp> writer(core);
          co_return co_await (self->*fn)(ctx, *req, writer);
        });
  }
  template <class Req, class Resp, class Svc>
  void add_client_streaming(std::string_view method,
                            Task<Result<Resp>> (Svc::*fn)(ServerContext&, ServerReader<Req>&)) {
    Svc* self = static_cast<Svc*>(this);
    add(method, RpcKind::client_streaming,
        [self, fn](ServerContext& ctx, detail::CallCore& core) -> Task<Status> {
          ServerReader<Req> reader(core);
          Result<Resp> resp = co_await (self->*fn)(ctx, reader);
          co_return co_await send_response(core, resp);
        });
  }
  template <class Req, class Resp, class Svc>
  void add_bidi_streaming(std::string_view method,
                          Task<Status> (Svc::*fn)(ServerContext&, ServerStream<Req, Resp>&)) {
    Svc* self = static_cast<Svc*>(this);
    add(method, RpcKind::bidi_streaming,
        [self, fn](ServerContext& ctx, detail::CallCore& core) -> Task<Status> {
          ServerStream<Req, Resp> stream(core);
          co_return co_await (self->*fn)(ctx, stream);
        });
  }

  // Generated constructors: the file that declares the service.
  void set_file_descriptor(const google::protobuf::FileDescriptor* file) noexcept { file_descriptor_ = file; }

  // The default body of a generated method the user did not override.
  static Status unimplemented_method(std::string_view method) {
    return Status::unimplemented("Method not implemented: " + std::string(method));
  }

 private:
  void add(std::string_view method, RpcKind kind, detail::MethodHandler handler) {
    methods_.push_back({"/" + name_ + "/" + std::string(method), kind, std::move(handler)});
  }
  static Status missing_request(ServerContext& ctx) {
    if (ctx.is_cancelled()) return Status::cancelled();
    // A request cardinality violation (as grpc-go and grpc-java answer it).
    return Status::internal("cardinality violation: no request message where exactly one is due");
  }
  template <class Resp>
  static Task<Status> send_response(detail::CallCore& core, Result<Resp>& resp) {
    if (!resp) co_return resp.status();
    Status st = co_await ServerWriter<Resp>(core).write(*resp);
    co_return st;
  }

  std::string name_;
  std::vector<Method> methods_;
  const google::protobuf::FileDescriptor* file_descriptor_ = nullptr;
};

}  // namespace pronto
