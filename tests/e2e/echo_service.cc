#include "echo_service.h"

#include <stdexcept>
#include <thread>

namespace pronto::test {

using namespace std::chrono_literals;

namespace {

EchoResponse make_response(ServerContext& ctx, const EchoRequest& req, int index) {
  EchoResponse r;
  r.set_message(req.message());
  r.set_index(index);
  if (req.response_size() > 0) r.set_payload(std::string(static_cast<std::size_t>(req.response_size()), 'p'));
  auto left = ctx.time_remaining();
  r.set_deadline_ms(left ? std::chrono::duration_cast<std::chrono::milliseconds>(*left).count() : -1);
  r.set_peer(ctx.peer());
  r.set_request_was_compressed(ctx.last_message_compressed());
  r.set_peer_identity(ctx.peer_identity());
  return r;
}

// Copies "echo-*" request metadata to the response headers and trailers.
void apply_compression(ServerContext& ctx, const EchoRequest& req) {
  if (req.compress_response() > 0) ctx.set_compression(static_cast<Compression>(req.compress_response()));
}

void echo_metadata(ServerContext& ctx) {
  for (const auto& [k, v] : ctx.client_metadata()) {
    if (k.rfind("echo-", 0) == 0) {
      ctx.add_initial_metadata("initial-" + k, v);
      ctx.add_trailing_metadata("trailing-" + k, v);
    }
  }
}

}  // namespace

Task<Result<EchoResponse>> EchoService::Unary(ServerContext& ctx, const EchoRequest& req) {
  ++started_handlers;
  echo_metadata(ctx);
  apply_compression(ctx, req);
  if (req.throw_exception()) throw std::runtime_error("boom");
  if (req.delay_ms() > 0 && req.ignore_cancellation()) {
    co_await ctx.blocking(
        [ms = req.delay_ms()] { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); });
  } else if (req.delay_ms() > 0) {
    bool slept = co_await ctx.sleep_for(std::chrono::milliseconds(req.delay_ms()));
    if (!slept) {
      ++cancelled_handlers;
      co_return Status::cancelled("handler saw the cancellation");
    }
  }
  ++completed_handlers;
  if (req.status_code() != 0) {
    co_return Status(static_cast<StatusCode>(req.status_code()), req.status_message());
  }
  co_return make_response(ctx, req, 0);
}

Task<Status> EchoService::ServerStream(ServerContext& ctx, const EchoRequest& req,
                                       ServerWriter<EchoResponse>& out) {
  ++started_handlers;
  echo_metadata(ctx);
  apply_compression(ctx, req);
  for (int i = 0; i < req.count(); ++i) {
    if (req.fail_after() > 0 && i == req.fail_after()) {
      co_return Status(static_cast<StatusCode>(req.status_code()), req.status_message());
    }
    if (req.delay_ms() > 0 && !co_await ctx.sleep_for(std::chrono::milliseconds(req.delay_ms()))) break;
    EchoResponse r = make_response(ctx, req, i);
    Status st = co_await out.write(r, !(req.uncompressed_every_other() && i % 2 == 1));
    if (!st.ok()) break;
  }
  if (ctx.is_cancelled()) {
    ++cancelled_handlers;
    co_return Status::cancelled();
  }
  ++completed_handlers;
  co_return Status{};
}

Task<Result<EchoResponse>> EchoService::ClientStream(ServerContext& ctx, ServerReader<EchoRequest>& in) {
  ++started_handlers;
  echo_metadata(ctx);
  std::string all;
  int n = 0;
  int compressed = 0;
  while (auto req = co_await in.read()) {
    all += req->message();
    ++n;
    compressed += ctx.last_message_compressed();
  }
  if (ctx.is_cancelled()) {
    ++cancelled_handlers;
    co_return Status::cancelled();
  }
  ++completed_handlers;
  EchoResponse r;
  r.set_message(all);
  r.set_index(n);
  r.set_deadline_ms(compressed);  // reused: how many arrived compressed
  co_return r;
}

Task<Status> EchoService::Bidi(ServerContext& ctx,
                               ::pronto::ServerStream<EchoRequest, EchoResponse>& stream) {
  ++started_handlers;
  echo_metadata(ctx);
  int i = 0;
  while (auto req = co_await stream.read()) {
    if (req->status_code() != 0)
      co_return Status(static_cast<StatusCode>(req->status_code()), req->status_message());
    EchoResponse r = make_response(ctx, *req, i++);
    if (!(co_await stream.write(r)).ok()) break;
  }
  if (ctx.is_cancelled()) {
    ++cancelled_handlers;
    co_return Status::cancelled();
  }
  ++completed_handlers;
  co_return Status{};
}

Task<Result<EchoResponse>> EchoService::Relay(ServerContext& ctx, const EchoRequest& req) {
  // A call made inside a handler inherits what is left of its deadline.
  auto channel = Channel::create(req.relay_target());
  Echo::Stub stub(channel);
  EchoRequest inner;
  inner.set_message("relayed:" + req.message());
  inner.set_delay_ms(req.delay_ms());
  auto r = co_await stub.async().Unary(inner);
  co_return r;
}

EchoServer::EchoServer(ServerOptions options, std::vector<std::shared_ptr<ServerInterceptor>> interceptors,
                       std::string address, std::optional<TlsServerOptions> tls)
    : address_(std::move(address)), server_(std::make_unique<Server>(options)) {
  server_->add_service(service);
  if (tls) {
    server_->listen(address_, *tls);
  } else {
    server_->listen(address_);
  }
  for (auto& i : interceptors) server_->add_interceptor(i);
  Status st = server_->start();
  if (!st.ok()) throw std::runtime_error(st.to_string());
}

EchoServer::~EchoServer() { server_->shutdown(std::chrono::milliseconds(500)); }

std::string EchoServer::target() const {
  if (address_.rfind("unix:", 0) == 0) return address_;
  if (address_.rfind("[::1]", 0) == 0) return "[::1]:" + std::to_string(server_->port());
  return "127.0.0.1:" + std::to_string(server_->port());
}

}  // namespace pronto::test
