// Channel targets and listen addresses (transport/address.h): gRPC's naming
// (grpc/grpc doc/naming.md), at every edge.
#include "transport/address.h"

#include <gtest/gtest.h>

namespace pronto::detail {
namespace {

using Kind = Address::Kind;

Target target_ok(std::string_view text) {
  auto t = parse_target(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().to_string();
  return t.ok() ? *t : Target{};
}

// The error for `text`, which must be INVALID_ARGUMENT and name the target.
std::string target_error(std::string_view text) {
  auto t = parse_target(text);
  EXPECT_FALSE(t.ok()) << text << " parsed";
  if (t.ok()) return {};
  EXPECT_EQ(t.status().code(), StatusCode::invalid_argument) << text;
  EXPECT_NE(t.status().message().find("'" + std::string(text) + "'"), std::string::npos)
      << t.status().message();
  return t.status().message();
}

std::string listen_error(std::string_view text) {
  auto a = parse_listen_address(text);
  EXPECT_FALSE(a.ok()) << text << " parsed";
  if (a.ok()) return {};
  EXPECT_EQ(a.status().code(), StatusCode::invalid_argument) << text;
  EXPECT_NE(a.status().message().find("'" + std::string(text) + "'"), std::string::npos)
      << a.status().message();
  return a.status().message();
}

#define EXPECT_MENTIONS(message, part) EXPECT_NE((message).find(part), std::string::npos) << (message)

TEST(Target, host_and_port) {
  auto t = target_ok("localhost:50051");
  ASSERT_EQ(t.addresses.size(), 1u);
  EXPECT_EQ(t.addresses[0].kind, Kind::tcp);
  EXPECT_EQ(t.addresses[0].host, "localhost");
  EXPECT_EQ(t.addresses[0].port, 50051);
  EXPECT_EQ(t.authority, "localhost:50051");
  EXPECT_EQ(t.host, "localhost");
  EXPECT_EQ(target_ok("127.0.0.1:1").addresses[0].host, "127.0.0.1");
  EXPECT_EQ(target_ok("my-host.example.com:65535").addresses[0].port, 65535);
}

TEST(Target, bracketed_ipv6) {
  auto t = target_ok("[::1]:50051");
  EXPECT_EQ(t.addresses[0].host, "::1");
  EXPECT_EQ(t.addresses[0].port, 50051);
  EXPECT_EQ(t.authority, "[::1]:50051");
  EXPECT_EQ(target_ok("[fe80::1%lo]:5").addresses[0].host, "fe80::1%lo");  // scope id
}

TEST(Target, missing_port_is_443_like_grpc) {
  auto t = target_ok("example.com");
  EXPECT_EQ(t.addresses[0].port, 443);
  EXPECT_EQ(t.authority, "example.com");  // as written: no port
  EXPECT_EQ(target_ok("dns:///example.com").addresses[0].port, 443);
  EXPECT_EQ(target_ok("[::1]").addresses[0].port, 443);
  EXPECT_EQ(target_ok("ipv4:10.0.0.1").addresses[0].port, 443);
  EXPECT_EQ(target_ok("ipv6:::1").addresses[0].port, 443);
  EXPECT_EQ(target_ok("ipv6:[::1]").addresses[0].port, 443);
}

TEST(Target, dns_forms) {
  for (auto text : {"dns:localhost:7", "dns:///localhost:7", "dns://8.8.8.8/localhost:7",
                    "dns:///localhost:7", "dns://dns.example:53/localhost:7"}) {
    auto t = target_ok(text);
    ASSERT_EQ(t.addresses.size(), 1u) << text;
    EXPECT_EQ(t.addresses[0].host, "localhost") << text;
    EXPECT_EQ(t.addresses[0].port, 7) << text;
    EXPECT_EQ(t.authority, "localhost:7") << text;
  }
  EXPECT_EQ(target_ok("dns:///[::1]:7").addresses[0].host, "::1");
  EXPECT_MENTIONS(target_error("dns://8.8.8.8"), "'/'");
  EXPECT_MENTIONS(target_error("dns:///"), "missing host");
  EXPECT_MENTIONS(target_error("dns:"), "missing host");
}

TEST(Target, ipv4_lists) {
  auto t = target_ok("ipv4:127.0.0.1:1,10.0.0.2:2,10.0.0.3");
  ASSERT_EQ(t.addresses.size(), 3u);
  EXPECT_EQ(t.addresses[0].host, "127.0.0.1");
  EXPECT_EQ(t.addresses[0].port, 1);
  EXPECT_EQ(t.addresses[1].host, "10.0.0.2");
  EXPECT_EQ(t.addresses[2].port, 443);
  EXPECT_EQ(t.authority, "127.0.0.1:1");
  EXPECT_MENTIONS(target_error("ipv4:127.0.0.1:1,localhost:2"), "'localhost' is not an IPv4 address");
  EXPECT_MENTIONS(target_error("ipv4:127.0.0.1:1,localhost:2"), "#2");
  EXPECT_MENTIONS(target_error("ipv4:127.0.0.1:1,"), "empty address #2");
  EXPECT_MENTIONS(target_error("ipv4:,127.0.0.1:1"), "empty address #1");
  EXPECT_MENTIONS(target_error("ipv4:1.2.3:4"), "not an IPv4 address");
  EXPECT_MENTIONS(target_error("ipv4:256.1.1.1:4"), "not an IPv4 address");
  EXPECT_MENTIONS(target_error("ipv4:[::1]:4"), "not an IPv4 address");
  EXPECT_MENTIONS(target_error("ipv4:"), "no address");
  EXPECT_MENTIONS(target_error("ipv4:1.2.3.4:0"), "port 0");
}

TEST(Target, ipv6_lists) {
  auto t = target_ok("ipv6:[::1]:1,[2001:db8::2]:2,::3");
  ASSERT_EQ(t.addresses.size(), 3u);
  EXPECT_EQ(t.addresses[0].host, "::1");
  EXPECT_EQ(t.addresses[1].host, "2001:db8::2");
  EXPECT_EQ(t.addresses[1].port, 2);
  EXPECT_EQ(t.addresses[2].host, "::3");
  EXPECT_EQ(t.addresses[2].port, 443);
  EXPECT_EQ(t.authority, "[::1]:1");
  EXPECT_MENTIONS(target_error("ipv6:[::1]:1,127.0.0.1:2"), "not an IPv6 address");
  EXPECT_MENTIONS(target_error("ipv6:[localhost]:1"), "not an IPv6 address");
  EXPECT_MENTIONS(target_error("ipv6:[::1:1"), "unbalanced '['");
}

TEST(Target, unix_paths) {
  auto t = target_ok("unix:/tmp/a.sock");
  ASSERT_EQ(t.addresses.size(), 1u);
  EXPECT_EQ(t.addresses[0].kind, Kind::unix_socket);
  EXPECT_EQ(t.addresses[0].path, "/tmp/a.sock");
  EXPECT_EQ(t.authority, "localhost");
  EXPECT_EQ(t.host, "");
  EXPECT_EQ(target_ok("unix:///tmp/a.sock").addresses[0].path, "/tmp/a.sock");
  EXPECT_EQ(target_ok("unix:relative/a.sock").addresses[0].path, "relative/a.sock");
  EXPECT_EQ(target_ok("unix:/tmp/with%20space").addresses[0].path, "/tmp/with space");
  EXPECT_EQ(target_ok("unix:/tmp/a:b,c").addresses[0].path, "/tmp/a:b,c");  // no list, no port
  EXPECT_MENTIONS(target_error("unix:"), "empty unix socket path");
  EXPECT_MENTIONS(target_error("unix://"), "absolute path");
  EXPECT_MENTIONS(target_error("unix://relative"), "absolute path");
  EXPECT_MENTIONS(target_error("unix:/tmp/bad%2"), "percent");
  EXPECT_MENTIONS(target_error("unix:/tmp/bad%zz"), "percent");
  EXPECT_MENTIONS(target_error("unix:/tmp/nul%00here"), "NUL");
  EXPECT_EQ(target_ok("unix:/" + std::string(106, 'a')).addresses[0].path.size(), 107u);
  EXPECT_MENTIONS(target_error("unix:/" + std::string(107, 'a')), "longer than 107 bytes");
}

TEST(Target, unix_abstract_names) {
  auto t = target_ok("unix-abstract:pronto-test");
  ASSERT_EQ(t.addresses.size(), 1u);
  EXPECT_EQ(t.addresses[0].kind, Kind::unix_abstract);
  EXPECT_EQ(t.addresses[0].path, "pronto-test");
  EXPECT_EQ(t.authority, "localhost");
  EXPECT_EQ(target_ok("unix-abstract:/looks/like/a/path").addresses[0].path, "/looks/like/a/path");
  EXPECT_EQ(target_ok("unix-abstract:a%20b").addresses[0].path, "a b");
  EXPECT_EQ(target_ok("unix-abstract:" + std::string(106, 'n')).addresses[0].path.size(), 106u);
  EXPECT_MENTIONS(target_error("unix-abstract:" + std::string(107, 'n')), "longer than 106 bytes");
  EXPECT_MENTIONS(target_error("unix-abstract:"), "empty abstract socket name");
  // The endpoint is the name after a NUL, with no terminator.
  auto endpoints = resolve(t.addresses[0], false);
  ASSERT_TRUE(endpoints.ok());
  EXPECT_EQ(peer_string(endpoints->front()), "unix-abstract:pronto-test");
}

TEST(Target, empty_and_malformed) {
  EXPECT_MENTIONS(target_error(""), "empty target");
  EXPECT_MENTIONS(target_error(":50051"), "missing host");
  EXPECT_MENTIONS(target_error("localhost:"), "empty port");
  EXPECT_MENTIONS(target_error("localhost:0"), "port 0");
  EXPECT_MENTIONS(target_error("localhost:65536"), "bad port '65536'");
  EXPECT_MENTIONS(target_error("localhost:99999999999"), "bad port");
  EXPECT_MENTIONS(target_error("localhost:http"), "bad port 'http'");
  EXPECT_MENTIONS(target_error("localhost:-1"), "bad port");
  EXPECT_MENTIONS(target_error("localhost:+1"), "bad port");
  EXPECT_MENTIONS(target_error("localhost:5 "), "bad port");
  EXPECT_MENTIONS(target_error("::1:50051"), "needs brackets");
  EXPECT_MENTIONS(target_error("[::1:50051"), "unbalanced '['");
  EXPECT_MENTIONS(target_error("::1]:50051"), "unbalanced ']'");
  EXPECT_MENTIONS(target_error("[]:50051"), "empty IPv6 address");
  EXPECT_MENTIONS(target_error("[::1]50051"), "after ']'");
  EXPECT_MENTIONS(target_error("[::1]:"), "empty port");
  EXPECT_MENTIONS(target_error("local host:1"), "not a host name");
  EXPECT_MENTIONS(target_error("host/path:1"), "not a host name");
  EXPECT_MENTIONS(target_error("user@host:1"), "not a host name");
}

TEST(Target, unsupported_schemes_are_named) {
  EXPECT_MENTIONS(target_error("http://localhost:1"), "unsupported scheme 'http'");
  EXPECT_MENTIONS(target_error("http://localhost:1"), "without http://");
  EXPECT_MENTIONS(target_error("https://example.com"), "unsupported scheme 'https'");
  EXPECT_MENTIONS(target_error("vsock:3:5000"), "unsupported scheme 'vsock'");
  EXPECT_MENTIONS(target_error("xds:///service"), "unsupported scheme 'xds'");
  EXPECT_MENTIONS(target_error("foo://bar:1"), "unsupported scheme 'foo'");
  EXPECT_MENTIONS(target_error("foo://bar:1"), "dns, ipv4, ipv6, unix, unix-abstract");
  EXPECT_MENTIONS(target_error("UNIX:/tmp/x"), "bad port");  // schemes are case-sensitive, as in gRPC
}

TEST(ListenAddress, forms) {
  auto a = parse_listen_address("0.0.0.0:50051");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 50051);
  a = parse_listen_address(":0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "");  // every interface
  EXPECT_EQ(a->port, 0);
  a = parse_listen_address("[::]:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::");
  a = parse_listen_address("ipv4:127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  a = parse_listen_address("ipv6:[::1]:5");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  a = parse_listen_address("dns:///localhost:5");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "localhost");
  a = parse_listen_address("unix:///tmp/x.sock");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kind, Kind::unix_socket);
  EXPECT_EQ(a->path, "/tmp/x.sock");
  a = parse_listen_address("unix-abstract:x");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kind, Kind::unix_abstract);
}

TEST(ListenAddress, errors_name_the_address_and_the_problem) {
  EXPECT_MENTIONS(listen_error(""), "empty address");
  EXPECT_MENTIONS(listen_error("localhost"), "no port");
  EXPECT_MENTIONS(listen_error("127.0.0.1:65536"), "bad port");
  EXPECT_MENTIONS(listen_error("127.0.0.1:x"), "bad port 'x'");
  EXPECT_MENTIONS(listen_error("::1:5"), "needs brackets");
  EXPECT_MENTIONS(listen_error("http://0.0.0.0:80"), "unsupported scheme 'http'");
  EXPECT_MENTIONS(listen_error("ipv4:127.0.0.1:1,127.0.0.1:2"), "one address");
  EXPECT_MENTIONS(listen_error("ipv4:localhost:1"), "not an IPv4 address");
  EXPECT_MENTIONS(listen_error("unix:"), "empty unix socket path");
  EXPECT_MENTIONS(listen_error("unix:/" + std::string(200, 'p')), "longer than");
}

}  // namespace
}  // namespace pronto::detail
