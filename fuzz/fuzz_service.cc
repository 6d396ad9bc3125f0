#include "fuzz_service.h"

#include <stdexcept>

namespace pronto_fuzz {

using pronto::Compression;
using pronto::Result;
using pronto::ServerContext;
using pronto::Status;
using pronto::StatusCode;
using pronto::Task;

namespace {

unsigned char op_of(const std::string& bytes) {
  return bytes.empty() ? 0 : static_cast<unsigned char>(bytes[0]);
}

// Copies client metadata to the response (keys and values as received,
// so a -bin value goes back out base64'd).
void echo_metadata(ServerContext& ctx) {
  for (const auto& [k, v] : ctx.client_metadata()) {
    ctx.add_initial_metadata("initial-" + k, v);
    ctx.add_trailing_metadata("trailing-" + k, v);
  }
}

std::string repeat(const std::string& s, std::size_t size) {
  std::string out;
  if (s.empty()) return std::string(size, 'x');
  while (out.size() < size) out.append(s);
  out.resize(size);
  return out;
}

}  // namespace

FuzzService::FuzzService() : pronto::Service(std::string(kServiceName)) {
  add_unary<Msg, Msg>("Unary", &FuzzService::Unary);
  add_server_streaming<Msg, Msg>("ServerStream", &FuzzService::ServerStream);
  add_client_streaming<Msg, PlainMsg>("ClientStream", &FuzzService::ClientStream);
  add_bidi_streaming<Msg, PlainMsg>("Bidi", &FuzzService::Bidi);
}

Task<Result<Msg>> FuzzService::Unary(ServerContext& ctx, const Msg& req) {
  const unsigned char op = op_of(req.bytes);
  switch (op & 7) {
    case 0:
      co_return req;
    case 1:
      // Arbitrary bytes as message and details (percent-encoded, base64).
      co_return Status(static_cast<StatusCode>((op >> 3) % 17), req.bytes, req.bytes.substr(1));
    case 2: {
      echo_metadata(ctx);
      // Keys and values from the request: often invalid (the call fails).
      const std::size_t half = req.bytes.size() / 2;
      if (op & 8) ctx.add_initial_metadata(req.bytes.substr(1, half), req.bytes.substr(half));
      if (op & 16) ctx.add_trailing_metadata(req.bytes.substr(1, half), req.bytes.substr(half));
      ctx.add_trailing_metadata("raw-bin", req.bytes);
      co_return req;
    }
    case 3:
      ctx.set_compression(static_cast<Compression>((op >> 3) % 3));
      co_return Msg{repeat(req.bytes, std::size_t{1024} * ((op >> 5) + 1))};
    case 4:
      throw std::runtime_error("fuzz handler threw");
    case 5: {
      co_await ctx.until_cancelled();
      co_return Status::cancelled("saw the cancellation");
    }
    case 6:
      // Past the 256 KiB a writer may queue: the write waits for the window.
      if (op & 8) ctx.set_compression(Compression::gzip);
      co_return Msg{repeat(req.bytes, 300 * 1024)};
    default:
      co_return Status{};  // OK without a value: UNKNOWN
  }
}

Task<Status> FuzzService::ServerStream(ServerContext& ctx, const Msg& req, pronto::ServerWriter<Msg>& out) {
  const unsigned char op = op_of(req.bytes);
  const int n = (op >> 3) & 7;
  const int mode = op & 7;
  if (mode == 1) ctx.set_compression(Compression::gzip);
  if (mode == 2) ctx.set_compression(Compression::deflate);
  if (mode == 6) echo_metadata(ctx);
  for (int i = 0; i < (mode == 7 ? 64 : n); ++i) {
    Msg m{mode == 5 ? repeat(req.bytes, 100 * 1024) : req.bytes + std::to_string(i)};
    Status st = co_await out.write(m, !(mode == 2 && i % 2 == 1));
    if (!st.ok()) co_return Status::cancelled("write failed");
  }
  if (mode == 3) {
    co_await ctx.until_cancelled();
    co_return Status::cancelled();
  }
  if (mode == 4) co_return Status(StatusCode::aborted, req.bytes);
  co_return Status{};
}

Task<Result<PlainMsg>> FuzzService::ClientStream(ServerContext& ctx, pronto::ServerReader<Msg>& in) {
  std::string all;
  int count = 0;
  while (auto m = co_await in.read()) {
    ++count;
    const unsigned char op = op_of(m->bytes);
    if (op == 0xFE) break;  // answer before the client finished sending
    if (op == 0xFD) co_return Status(StatusCode::invalid_argument, "rejected message " + std::to_string(count));
    if (op == 0xFC) ctx.set_compression(Compression::gzip);
    if (all.size() < 64 * 1024) all.append(m->bytes);
  }
  if (ctx.is_cancelled()) co_return Status::cancelled();
  co_return PlainMsg{std::to_string(count) + ":" + all};
}

Task<Status> FuzzService::Bidi(ServerContext& ctx, pronto::ServerStream<Msg, PlainMsg>& stream) {
  int count = 0;
  while (auto m = co_await stream.read()) {
    const unsigned char op = op_of(m->bytes);
    if (op == 0xFE) co_return Status(StatusCode::out_of_range, "stop at " + std::to_string(count));
    if (op == 0xFD) {
      co_await ctx.until_cancelled();
      co_return Status::cancelled();
    }
    if (op == 0xFC) ctx.set_compression(Compression::deflate);
    if (!(co_await stream.write(PlainMsg{m->bytes})).ok()) break;
    if (++count > 64) break;
  }
  if (ctx.is_cancelled()) co_return Status::cancelled();
  co_return Status{};
}

Status FuzzInterceptor::on_start(ServerContext& ctx) {
  if (ctx.client_metadata().contains("fuzz-reject")) return Status::permission_denied("rejected by interceptor");
  ctx.add_initial_metadata("fuzz-interceptor", ctx.method());
  return {};
}

void FuzzInterceptor::on_finish(ServerContext& ctx, const Status& status) {
  (void)ctx;
  (void)status;
}

}  // namespace pronto_fuzz
