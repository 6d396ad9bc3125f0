// End-to-end TLS: ALPN h2, verification, server-name override, mTLS.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_service.h"
#include "test_certs.h"

namespace pronto::test {
namespace {

EchoRequest request(std::string message) {
  EchoRequest r;
  r.set_message(std::move(message));
  return r;
}

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCerts(); }
  static void TearDownTestSuite() { delete certs_; }
  static TlsServerOptions server_tls() { return {.cert_file = certs_->server_cert, .key_file = certs_->server_key}; }
  static TestCerts* certs_;
};
TestCerts* Tls::certs_ = nullptr;

TEST_F(Tls, unary_and_streaming_over_tls) {
  EchoServer server({.event_loops = 1}, {}, "127.0.0.1:0", server_tls());
  Echo::Stub stub(Channel::create(server.target(), {.tls = TlsChannelOptions{.ca_file = certs_->ca}}));
  auto r = stub.Unary(request("secret"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), "secret");
  EXPECT_EQ(r->peer_identity(), "");  // no client certificate
  auto req = request("s");
  req.set_count(20);
  req.set_response_size(100000);
  auto stream = stub.ServerStream(req);
  int n = 0;
  for (const auto& m : stream) n += m.payload().size() == 100000;
  EXPECT_EQ(n, 20);
  EXPECT_TRUE(stream.status().ok());
}

TEST_F(Tls, large_unary_message_over_tls_arrives_intact) {
  EchoServer server({.event_loops = 1}, {}, "127.0.0.1:0", server_tls());
  Echo::Stub stub(Channel::create(server.target(), {.tls = TlsChannelOptions{.ca_file = certs_->ca}}));
  std::string big((1 << 20) + 777, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 13 + i / 4096) % 26);
  auto r = stub.Unary(request(big));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->message(), big);
}

TEST_F(Tls, server_name_override_verifies_another_name) {
  EchoServer server({.event_loops = 1}, {}, "127.0.0.1:0", server_tls());
  Echo::Stub good(Channel::create(
      server.target(), {.tls = TlsChannelOptions{.ca_file = certs_->ca, .server_name_override = "pronto.test"}}));
  EXPECT_TRUE(good.Unary(request("x")).ok());
  Echo::Stub bad(Channel::create(
      server.target(), {.tls = TlsChannelOptions{.ca_file = certs_->ca, .server_name_override = "not.it"}}));
  EXPECT_EQ(bad.Unary(request("x")).status().code(), StatusCode::unavailable);
}

TEST_F(Tls, untrusted_server_certificate_is_unavailable) {
  EchoServer server({.event_loops = 1}, {}, "127.0.0.1:0", server_tls());
  Echo::Stub stub(Channel::create(server.target(), {.tls = TlsChannelOptions{.ca_file = certs_->other_ca}}));
  auto r = stub.Unary(request("x"));
  EXPECT_EQ(r.status().code(), StatusCode::unavailable);
  EXPECT_NE(r.status().message().find("certificate"), std::string::npos) << r.status().message();
}

TEST_F(Tls, mutual_tls_shows_the_client_identity) {
  auto opts = server_tls();
  opts.client_ca_file = certs_->ca;
  opts.require_client_cert = true;
  EchoServer server({.event_loops = 1}, {}, "127.0.0.1:0", opts);
  Echo::Stub with_cert(Channel::create(
      server.target(), {.tls = TlsChannelOptions{
                            .ca_file = certs_->ca, .cert_file = certs_->client_cert, .key_file = certs_->client_key}}));
  auto r = with_cert.Unary(request("x"));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->peer_identity(), "test-client");
  Echo::Stub without(Channel::create(server.target(), {.tls = TlsChannelOptions{.ca_file = certs_->ca}}));
  EXPECT_EQ(without.Unary(request("x")).status().code(), StatusCode::unavailable);
  EXPECT_TRUE(with_cert.Unary(request("again")).ok());
}

TEST_F(Tls, plaintext_client_on_a_tls_port_fails_and_the_server_lives_on) {
  EchoServer server({.event_loops = 1}, {}, "127.0.0.1:0", server_tls());
  Echo::Stub plain(Channel::create(server.target()));
  EXPECT_EQ(plain.Unary(request("x")).status().code(), StatusCode::unavailable);
  Echo::Stub tls(Channel::create(server.target(), {.tls = TlsChannelOptions{.ca_file = certs_->ca}}));
  EXPECT_TRUE(tls.Unary(request("x")).ok());
}

TEST_F(Tls, tls_client_on_a_plaintext_port_is_unavailable) {
  EchoServer server;
  Echo::Stub stub(Channel::create(server.target(), {.tls = TlsChannelOptions{.ca_file = certs_->ca}}));
  EXPECT_EQ(stub.Unary(request("x")).status().code(), StatusCode::unavailable);
}

TEST_F(Tls, a_client_stalling_in_the_handshake_is_dropped) {
  EchoServer server({.event_loops = 1, .handshake_timeout = std::chrono::milliseconds(200)}, {}, "127.0.0.1:0",
                    server_tls());
  // A raw TCP client that never sends a ClientHello. (Plain sockets: the
  // library's asio is configured differently from a default include.)
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server.server().port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval limit{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  auto start = Clock::now();
  char byte;
  const ssize_t n = ::recv(fd, &byte, 1, 0);  // returns when the server closes
  ::close(fd);
  EXPECT_LE(n, 0);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(4));
}

TEST_F(Tls, bad_certificate_files_fail_server_start) {
  Server server;
  EchoService svc;
  server.add_service(svc).listen("127.0.0.1:0", TlsServerOptions{.cert_file = "/nonexistent.pem", .key_file = "x"});
  EXPECT_EQ(server.start().code(), StatusCode::invalid_argument);
}

}  // namespace
}  // namespace pronto::test
