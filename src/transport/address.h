// transport/address.h — parsing of listen addresses and channel targets, and
// the endpoints and peer strings derived from them. Pure functions except
// resolve(), which asks the system resolver.
//
// Channel targets follow gRPC's naming (grpc/grpc doc/naming.md):
//   host[:port]  dns:host[:port]  dns:///host[:port]  dns://authority/host[:port]
//   ipv4:addr[:port][,addr[:port],...]
//   ipv6:addr  ipv6:[addr][:port][,...]   (brackets required with a port)
//   unix:path  unix:///abs/path  unix-abstract:name
// A missing port is 443, as in gRPC. The DNS authority (server) is ignored:
// the system resolver is used. unix paths and abstract names are
// percent-decoded (%XX). Schemes gRPC defines that pronto does not
// implement (vsock, xds, ...) and anything that looks like a URL ("http://")
// are errors. A prefix that is not a scheme ("localhost:50051") is a host.
// Listen addresses take the same forms, one address, port required (0: any
// free port); an empty host (":50051") means every interface.
#pragma once

#include <cstddef>  // before asio: see transport/event_loop.h

#include <asio/generic/stream_protocol.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pronto/status.h"

namespace pronto::detail {

struct Address {
  enum class Kind { tcp, unix_socket, unix_abstract };
  Kind kind = Kind::tcp;
  std::string host;  // without brackets; empty means all interfaces (listen)
  std::uint16_t port = 0;
  // unix_socket: the path; unix_abstract: the name (without the leading NUL).
  std::string path;

  // "host:port" / "[v6]:port" as an :authority, or "localhost" for unix.
  std::string authority() const;
};

struct Target {
  std::vector<Address> addresses;  // at least one, to be tried in order
  std::string authority;           // the default :authority
  std::string host;                // the name a TLS certificate is checked against (empty for unix)
};

// Channel targets. INVALID_ARGUMENT naming the target and the problem.
Result<Target> parse_target(std::string_view text);
// Server listen addresses. INVALID_ARGUMENT naming the address and the problem.
Result<Address> parse_listen_address(std::string_view text);

using Endpoint = asio::generic::stream_protocol::endpoint;

// Resolves to endpoints (every address of a host name, IPv6 and IPv4).
Result<std::vector<Endpoint>> resolve(const Address& address, bool passive);

// "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000", "unix:/path", "unix-abstract:name".
std::string peer_string(const Endpoint& endpoint);

}  // namespace pronto::detail
