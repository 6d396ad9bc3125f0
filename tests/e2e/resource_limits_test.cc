// End-to-end: the memory budget and the handshake (preface) timeout, through
// the public API. The hostile-peer scripts (hostile_resources.py) cover the
// same bounds with raw HTTP/2 and measure RSS and CPU.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "e2e_helpers.h"
#include "echo_service.h"
#include "h2/session.h"

namespace pronto::test {
namespace {

using namespace std::chrono_literals;
constexpr std::size_t MiB = 1 << 20;

EchoRequest with_payload(std::size_t bytes) {
  EchoRequest r;
  r.set_message("m");
  r.set_payload(std::string(bytes, 'x'));
  return r;
}

// Reads until EOF or error; true on EOF/reset within the receive timeout.
bool closed_by_peer(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

// A raw HTTP/2 client over a blocking socket, driven by h2::Session, for
// what the public client never sends: messages left unfinished on purpose.
class RawClient : public h2::SessionEvents {
 public:
  struct Stream {
    std::map<std::string, std::string> headers;  // headers and trailers
    bool closed = false;
    std::uint32_t code = 0;
    h2::OutboundBody body;
  };

  explicit RawClient(int port) : fd_(connect_raw(port)), session_(h2::Session::Role::client, *this) { flush(); }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return fd_ >= 0; }

  // HEADERS of a gRPC call; its body stays open (data added by send_message).
  std::int32_t open(const std::string& path) {
    auto stream = std::make_unique<Stream>();
    h2::HeaderBlock h{{":method", "POST"},  {":scheme", "http"}, {":path", path},
                      {":authority", "x"}, {"content-type", "application/grpc"}, {"te", "trailers"}};
    const std::int32_t id = session_.submit_request(h, &stream->body, stream.get());
    streams_[id] = std::move(stream);
    flush();
    return id;
  }
  // A gRPC message prefix declaring `declared` bytes, then `sent` of them.
  void send_message(std::int32_t id, std::uint32_t declared, std::size_t sent) {
    std::string bytes(5 + sent, 'p');
    bytes[0] = 0;
    for (int i = 0; i < 4; ++i) bytes[1 + i] = static_cast<char>(declared >> (24 - 8 * i));
    Stream& s = *streams_.at(id);
    s.body.append(std::move(bytes));
    session_.resume(id, s.body);
    flush();
  }
  Stream& stream(std::int32_t id) { return *streams_.at(id); }
  // The server took what was sent on the stream and credited it back (with
  // a window of W, nghttp2 sends WINDOW_UPDATE once W/2 was consumed: send
  // more than that, then wait for the window to be above W/2 again).
  bool credited(std::int32_t id) {
    const auto initial = nghttp2_session_get_remote_settings(session_.raw(), NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE);
    return streams_.at(id)->body.pending() == 0 &&
           nghttp2_session_get_stream_remote_window_size(session_.raw(), id) > static_cast<std::int32_t>(initial / 2);
  }
  // Reads and processes input until pred() holds (true) or 5 s pass.
  template <class Pred>
  bool run_until(Pred pred) {
    const auto end = Clock::now() + 5s;
    std::uint8_t buf[65536];
    while (!pred()) {
      if (Clock::now() > end) return false;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return pred();
      if (!session_.receive(buf, static_cast<std::size_t>(n))) return pred();
      flush();
    }
    return true;
  }

 private:
  void flush() {
    std::string out;
    session_.collect_output(out);
    if (!out.empty()) (void)::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
  }
  void* on_begin_headers(std::int32_t, void* stream) override { return stream; }
  bool on_header(void* stream, std::string_view name, std::string_view value) override {
    static_cast<Stream*>(stream)->headers[std::string(name)] = std::string(value);
    return true;
  }
  void on_headers_end(void*, bool) override {}
  void on_data(void*, const std::uint8_t*, std::size_t) override {}
  void on_remote_end(void*) override {}
  void on_stream_close(void* stream, std::uint32_t code) override {
    static_cast<Stream*>(stream)->closed = true;
    static_cast<Stream*>(stream)->code = code;
  }
  void on_body_drained(void*) override {}

  int fd_;
  h2::Session session_;
  std::map<std::int32_t, std::unique_ptr<Stream>> streams_;
};

constexpr const char* kClientStream = "/pronto.test.Echo/ClientStream";
// A connection budget of 4 MiB + 64 KiB (what 4 MiB is raised to for this
// message limit): pressure starts past 3 MiB + 48 KiB.
constexpr std::size_t kMaxMessage = 3 * MiB + 64 * 1024;
constexpr std::uint32_t kDeclared = 3 * MiB + 60000;  // admitted alone; past the pressure mark

TEST(MemoryBudget, a_message_that_does_not_fit_beside_admitted_ones_fails_resource_exhausted) {
  EchoServer server({.event_loops = 1, .max_receive_message_size = kMaxMessage, .max_connection_memory = 4 * MiB});
  RawClient raw(server.server().port());
  ASSERT_TRUE(raw.connected());
  const auto a = raw.open(kClientStream);
  const auto b = raw.open(kClientStream);
  raw.send_message(a, kDeclared, 100000);  // admitted at its declared length, never finished
  raw.send_message(b, kDeclared, 100000);
  ASSERT_TRUE(raw.run_until([&] { return raw.stream(b).closed; }));
  EXPECT_EQ(raw.stream(b).headers["grpc-status"], "8");
  EXPECT_NE(raw.stream(b).headers["grpc-message"].find("memory budget"), std::string::npos)
      << raw.stream(b).headers["grpc-message"];
  EXPECT_FALSE(raw.stream(a).closed);  // the admitted message goes on

  // Under pressure: a new stream on this connection is refused (retryable)...
  const auto c = raw.open(kClientStream);
  ASSERT_TRUE(raw.run_until([&] { return raw.stream(c).closed; }));
  EXPECT_EQ(raw.stream(c).code, static_cast<std::uint32_t>(NGHTTP2_REFUSED_STREAM));
  // ...while another connection has its own budget.
  Echo::Stub stub(Channel::create(server.target()));
  EXPECT_TRUE(stub.Unary(with_payload(1000)).ok());
}

TEST(MemoryBudget, the_server_budget_bounds_all_connections_together) {
  EchoServer server({.event_loops = 1,
                     .max_receive_message_size = kMaxMessage,
                     .max_connection_memory = 4 * MiB,
                     .max_server_memory = 5 * MiB});
  RawClient x(server.server().port()), y(server.server().port());
  const auto a = x.open(kClientStream);
  x.send_message(a, kDeclared, 600000);
  // The server credited the window back: it has admitted the message.
  ASSERT_TRUE(x.run_until([&] { return x.credited(a); }));
  const auto b = y.open(kClientStream);
  y.send_message(b, kDeclared, 100000);  // fits its connection, not the server
  ASSERT_TRUE(y.run_until([&] { return y.stream(b).closed; }));
  EXPECT_EQ(y.stream(b).headers["grpc-status"], "8");
}

TEST(MemoryBudget, what_a_connection_held_is_released_when_it_goes) {
  // Each round's connection holds most of the server's budget and then goes;
  // the next round's message must be admitted (once the server noticed the
  // close: the attempts allow for that, a leak would never pass).
  EchoServer server({.event_loops = 1,
                     .max_receive_message_size = kMaxMessage,
                     .max_connection_memory = 4 * MiB,
                     .max_server_memory = 5 * MiB});
  for (int round = 0; round < 5; ++round) {
    bool admitted = false;
    for (int attempt = 0; attempt < 40 && !admitted; ++attempt) {
      RawClient x(server.server().port());
      const auto a = x.open(kClientStream);
      x.send_message(a, kDeclared, 600000);
      ASSERT_TRUE(x.run_until([&] { return x.stream(a).closed || x.credited(a); }));
      admitted = !x.stream(a).closed;
      if (!admitted) std::this_thread::sleep_for(25ms);
    }
    EXPECT_TRUE(admitted) << "round " << round;
  }
}

TEST(MemoryBudget, a_connection_budget_is_at_least_one_largest_message) {
  // 1 MiB asked for, 4 MiB messages allowed: every 2 MiB message still fits.
  EchoServer server({.event_loops = 1, .max_connection_memory = 1 * MiB});
  Echo::Stub stub(Channel::create(server.target()));
  for (int i = 0; i < 3; ++i) {
    auto r = stub.Unary(with_payload(2 * MiB));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
  }
}

TEST(MemoryBudget, many_messages_that_fit_one_at_a_time_all_pass) {
  // 40 MiB through the smallest budget: each message is released once read.
  EchoServer server({.event_loops = 1, .max_receive_message_size = 1 * MiB, .max_connection_memory = 1});
  Echo::Stub stub(Channel::create(server.target()));
  auto call = stub.ClientStream();
  for (int i = 0; i < 80; ++i) ASSERT_TRUE(call.write(with_payload(512 * 1024))) << i;
  auto r = call.finish();
  ASSERT_TRUE(r.ok()) << r.status().to_string();
}

TEST(HandshakeTimeout, a_plaintext_client_that_never_sends_the_preface_is_dropped) {
  EchoServer server({.event_loops = 1, .handshake_timeout = 200ms});
  const int fd = connect_raw(server.server().port());
  ASSERT_GE(fd, 0);
  const auto start = Clock::now();
  EXPECT_TRUE(closed_by_peer(fd));
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 3s);
  ::close(fd);
}

TEST(HandshakeTimeout, half_a_preface_is_not_enough) {
  EchoServer server({.event_loops = 1, .handshake_timeout = 200ms});
  const int fd = connect_raw(server.server().port());
  ASSERT_GE(fd, 0);
  const std::string half = "PRI * HTTP/2.0\r\n";
  ASSERT_EQ(::send(fd, half.data(), half.size(), MSG_NOSIGNAL), static_cast<ssize_t>(half.size()));
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
}

TEST(HandshakeTimeout, a_connection_that_sent_its_preface_stays_past_the_timeout) {
  EchoServer server({.event_loops = 1, .handshake_timeout = 200ms});
  Echo::Stub stub(Channel::create(server.target()));
  EchoRequest req;
  req.set_message("first");
  auto first = stub.Unary(req);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  std::this_thread::sleep_for(500ms);
  auto second = stub.Unary(req);
  ASSERT_TRUE(second.ok()) << second.status().to_string();
  EXPECT_EQ(first->peer(), second->peer());  // the same client port: the same connection
}

CallOptions with_metadata(int fields, std::size_t value_size) {
  CallOptions options;
  for (int i = 0; i < fields; ++i) options.metadata.add("x-big-" + std::to_string(i), std::string(value_size, 'v'));
  return options;
}

TEST(HeaderLimits, request_metadata_past_16_KiB_is_answered_resource_exhausted) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  EchoRequest req;
  req.set_message("x");
  auto r = stub.Unary(req, with_metadata(20, 1000));
  EXPECT_EQ(r.status().code(), StatusCode::resource_exhausted) << r.status().to_string();
  EXPECT_TRUE(stub.Unary(req).ok());
}

TEST(HeaderLimits, request_metadata_no_header_block_could_carry_fails_before_it_is_sent) {
  // (Past the server's hard 64 KiB limit a stream is reset with
  // ENHANCE_YOUR_CALM: hostile_resources.py hpack_bomb_server sends such
  // blocks raw; the pronto client never builds one.)
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target()));
  EchoRequest req;
  req.set_message("x");
  EchoResponse before = *stub.Unary(req);
  auto r = stub.Unary(req, with_metadata(70, 1000));
  EXPECT_EQ(r.status().code(), StatusCode::resource_exhausted) << r.status().to_string();
  EXPECT_NE(r.status().message().find("exceeds"), std::string::npos) << r.status().message();
  auto after = stub.Unary(req);
  ASSERT_TRUE(after.ok()) << after.status().to_string();
  EXPECT_EQ(after->peer(), before.peer());  // the connection went on
  EXPECT_EQ(server.service.started_handlers.load(), 2);
}

}  // namespace
}  // namespace pronto::test
