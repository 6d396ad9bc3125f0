// transport/address.h — parsing of listen addresses and channel targets, and
// the endpoints and peer strings derived from them. Pure functions except
// resolve(), which asks the system resolver.
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
  enum class Kind { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;  // without brackets; empty means all interfaces (listen)
  std::uint16_t port = 0;
  std::string path;  // unix socket path

  // "host:port" / "[v6]:port" as an :authority, or "localhost" for unix.
  std::string authority() const;
};

// Accepts "host:port", "[v6]:port", ":port", "ipv4:a.b.c.d:port",
// "ipv6:[addr]:port", "dns:host:port", "dns:///host:port", "unix:path",
// "unix:///abs/path". INVALID_ARGUMENT on anything else.
Result<Address> parse_address(std::string_view text);

using Endpoint = asio::generic::stream_protocol::endpoint;

// Resolves to endpoints (every address of a host name, IPv6 and IPv4).
Result<std::vector<Endpoint>> resolve(const Address& address, bool passive);

// "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000", "unix:/path".
std::string peer_string(const Endpoint& endpoint);

}  // namespace pronto::detail
