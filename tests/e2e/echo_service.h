// The Echo service the end-to-end tests run, and a fixture that serves it on
// a free loopback port.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "echo.pronto.h"
#include "pronto/pronto.h"

namespace pronto::test {

class EchoService final : public Echo::Service {
 public:
  // Observations for the tests, written on the server loop.
  std::atomic<int> cancelled_handlers{0};
  std::atomic<int> completed_handlers{0};
  std::atomic<int> started_handlers{0};

  Task<Result<EchoResponse>> Unary(ServerContext& ctx, const EchoRequest& req) override;
  Task<Status> ServerStream(ServerContext& ctx, const EchoRequest& req, ServerWriter<EchoResponse>& out) override;
  Task<Result<EchoResponse>> ClientStream(ServerContext& ctx, ServerReader<EchoRequest>& in) override;
  Task<Status> Bidi(ServerContext& ctx, ::pronto::ServerStream<EchoRequest, EchoResponse>& stream) override;
  Task<Result<EchoResponse>> Relay(ServerContext& ctx, const EchoRequest& req) override;
};

// Serves an EchoService on 127.0.0.1:<free port> for one test.
class EchoServer {
 public:
  explicit EchoServer(ServerOptions options = {.event_loops = 1},
                      std::vector<std::shared_ptr<ServerInterceptor>> interceptors = {},
                      std::string address = "127.0.0.1:0", std::optional<TlsServerOptions> tls = std::nullopt);
  ~EchoServer();
  std::string target() const;
  Server& server() { return *server_; }
  EchoService service;

 private:
  std::string address_;
  std::unique_ptr<Server> server_;
};

}  // namespace pronto::test
